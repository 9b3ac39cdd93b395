/**
 * The gateway's guard: one middleware that admits a request in order — Host check (DNS
 * rebinding), client identity, body size limit, rate limit, Origin check, bearer auth — then
 * runs the route and sets the security headers on whatever answers, a refusal included. Each
 * step is a plain function returning its refusal; one middleware frame instead of seven is a
 * measurable share of a small request (issue #19). `fail` and `readJson` serve the routes.
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { jsonError } from "../_internal/json_error.ts";
import { type Cidr, resolveClient } from "./_net.ts";
import type { Pairing } from "./_pairing.ts";
import type { RateLimiter } from "./_rate_limit.ts";
import type { GatewayEnv } from "./types.ts";
import type { HostVerdict } from "./host_guard.ts";
import { SECURITY_HEADERS } from "./_security_headers.ts";

type Middleware = MiddlewareHandler<GatewayEnv>;

/** Peer addresses remembered with the client name they resolve to (bounded; cleared when full). */
const MAX_REMEMBERED_PEERS = 1024;

/** Throws an HTTP error that `onError` turns into the JSON error shape. */
export function fail(
  status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 502 | 503,
  code: string,
  message: string,
  headers?: Record<string, string>,
): never {
  throw new HTTPException(status, {
    res: jsonError(status, code, message, headers),
    message,
  });
}

/** The 413 answer (the connection closes: the rest of the body is not read). */
export function tooLarge(max: number): Response {
  return jsonError(
    413,
    "E_PAYLOAD_TOO_LARGE",
    `Request body is larger than ${max} bytes`,
    {
      Connection: "close",
    },
  );
}

/** Reads a JSON body (415 for another type, 400 when malformed, 413 past the limit). */
export async function readJson(c: Context<GatewayEnv>): Promise<unknown> {
  const type = c.req.header("content-type");
  if (
    type !== undefined &&
    !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)
  ) {
    fail(
      415,
      "E_UNSUPPORTED_MEDIA_TYPE",
      "Content-Type must be application/json",
    );
  }
  let text: string;
  try {
    text = await c.req.raw.text();
  } catch (error) {
    if (c.get("bodyTooLarge")) throw error;
    fail(400, "E_BAD_REQUEST", "Cannot read the request body");
  }
  if (c.get("bodyTooLarge")) {
    fail(413, "E_PAYLOAD_TOO_LARGE", "Request body too large");
  }
  try {
    return JSON.parse(text);
  } catch {
    fail(400, "E_BAD_REQUEST", "body: malformed JSON");
  }
}

/** What {@linkcode gatewayGuard} checks against. */
export interface GuardOptions {
  /** The `Host` rule (`createHostCheck`). */
  checkHost: (value: string) => HostVerdict;
  /** Requests that skip the Host check: the declared webhooks (signed, called by a tunnel). */
  hostExempt: (method: string, path: string) => boolean;
  /** The peer address of a request (the server adapter's `ip`). */
  clientAddress: (request: Request) => string | undefined;
  /** Proxies whose `X-Forwarded-For` is believed. */
  trusted: readonly Cidr[];
  maxBody: number;
  limiter: RateLimiter;
  pairing: Pairing;
  pairingRequired: boolean;
  /** Routes served without a bearer token. */
  isOpen: (method: string, path: string) => boolean;
}

/** The gateway's one middleware: admits the request, runs the route, adds security headers. */
export function gatewayGuard(options: GuardOptions): Middleware {
  const clientOf = clientNamer(options.clientAddress, options.trusted);
  const { maxBody, limiter } = options;
  async function admit(c: Context<GatewayEnv>): Promise<Response | undefined> {
    const misdirected = checkHost(c, options);
    if (misdirected) return misdirected;
    // `tokenId`, `token` and `bodyTooLarge` stay unset (undefined) until auth or the body sets them
    c.set("client", clientOf(c));
    return limitBody(c, maxBody) ?? takeRate(c, limiter) ?? checkOrigin(c) ??
      await authenticate(c, options);
  }
  return async function gatewayGuard(c, next) {
    const refusal = await admit(c);
    if (refusal) c.res = refusal;
    else {
      await next();
      if (c.get("bodyTooLarge")) c.res = tooLarge(maxBody);
    }
    addSecurityHeaders(c);
  };
}

/** Sets the security headers a route did not set itself. */
function addSecurityHeaders(c: Context<GatewayEnv>): void {
  try {
    setMissingSecurityHeaders(c.res.headers);
  } catch {
    // Immutable headers (e.g. a fetched Response from a webhook handler): copy once.
    const res = new Response(c.res.body, c.res);
    setMissingSecurityHeaders(res.headers);
    c.res = res;
  }
}

function setMissingSecurityHeaders(headers: Headers): void {
  // A route may set its own policy (the web console's page needs script-src 'self').
  for (const [k, v] of SECURITY_HEADERS) if (!headers.has(k)) headers.set(k, v);
}

/** 421 when the `Host` (or, without one, the URL's host) is not a name of this gateway. */
function checkHost(c: Context<GatewayEnv>, options: GuardOptions): Response | undefined {
  if (options.hostExempt(c.req.method, c.req.path)) {
    c.set("hostLoopback", false);
    return undefined;
  }
  const verdict = options.checkHost(c.req.header("host") ?? new URL(c.req.url).host);
  if (!verdict.ok) {
    return jsonError(421, "E_MISDIRECTED", `Refused: ${verdict.reason}`, {
      "cache-control": "no-store",
    });
  }
  c.set("hostLoopback", verdict.loopback);
  return undefined;
}

/** Names the client: the peer, or `X-Forwarded-For` from a trusted proxy. */
function clientNamer(
  clientAddress: (request: Request) => string | undefined,
  trusted: readonly Cidr[],
): (c: Context<GatewayEnv>) => string {
  // Parsing the peer address is a measurable share of a small request (issue #19); without a
  // forwarded header the answer depends on the address alone, so it is remembered.
  const peers = new Map<string | undefined, string>();
  return (c) => {
    const peer = clientAddress(c.req.raw);
    const forwarded = trusted.length === 0 ? null : (c.req.header("x-forwarded-for") ?? null);
    let client = forwarded === null ? peers.get(peer) : undefined;
    if (client === undefined) {
      client = resolveClient(peer, forwarded, trusted);
      if (forwarded === null) {
        if (peers.size >= MAX_REMEMBERED_PEERS) peers.clear();
        peers.set(peer, client);
      }
    }
    return client;
  };
}

/**
 * Refuses a declared body over `maxBody` bytes (413) or a malformed `Content-Length` (400);
 * otherwise has the body counted as the route reads it, never holding more than the limit.
 */
function limitBody(c: Context<GatewayEnv>, maxBody: number): Response | undefined {
  const raw = c.req.raw;
  const length = raw.headers.get("content-length");
  if (length !== null) {
    if (!/^\s*\d{1,16}\s*$/.test(length)) {
      return jsonError(400, "E_BAD_REQUEST", "Malformed Content-Length");
    }
    if (Number(length) > maxBody) return tooLarge(maxBody);
  }
  if (!raw.body) return undefined;
  const reader = raw.body.getReader();
  let size = 0;
  const counted = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      size += value.byteLength;
      if (size > maxBody) {
        c.set("bodyTooLarge", true);
        controller.error(new RangeError(`Request body is larger than ${maxBody} bytes`));
        reader.cancel().catch(() => {});
        return;
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  c.req.raw = new Request(raw.url, {
    method: raw.method,
    headers: raw.headers,
    body: counted,
    signal: raw.signal,
    duplex: "half",
  } as RequestInit);
  return undefined;
}

/** 429 with `Retry-After` when the client's bucket is empty. */
function takeRate(c: Context<GatewayEnv>, limiter: RateLimiter): Response | undefined {
  const decision = limiter.take(c.get("client"));
  if (decision.ok) return undefined;
  return jsonError(429, "E_RATE_LIMITED", "Too many requests", {
    "Retry-After": String(decision.retryAfterS),
  });
}

/** 403 for a cross-origin browser request. */
function checkOrigin(c: Context<GatewayEnv>): Response | undefined {
  const origin = c.req.header("origin");
  if (
    (origin !== undefined && origin !== new URL(c.req.url).origin) ||
    c.req.header("sec-fetch-site") === "cross-site"
  ) {
    return jsonError(403, "E_FORBIDDEN", "Cross-origin browser requests are refused");
  }
  return undefined;
}

/**
 * Bearer auth: a valid token sets `tokenId`; without one only open routes pass (with pairing
 * off, also requests addressed to a loopback name).
 */
async function authenticate(
  c: Context<GatewayEnv>,
  options: GuardOptions,
): Promise<Response | undefined> {
  const { pairing, pairingRequired, isOpen } = options;
  const header = c.req.header("authorization");
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  const token = match?.[1];
  const record = token === undefined ? null : await pairing.verify(token);
  if (record) {
    c.set("tokenId", record.id);
    c.set("token", token);
    return undefined;
  }
  if (isOpen(c.req.method, c.req.path)) return undefined;
  if (!pairingRequired) {
    if (c.get("hostLoopback")) return undefined;
    // Pairing off serves without a token only requests addressed to loopback: a name from
    // GATEWAY_ALLOWED_HOSTS (a reverse proxy, a LAN name) would open the agent to the LAN.
    return jsonError(
      403,
      "E_FORBIDDEN",
      "Pairing is off (PAIRING_REQUIRED=0): only requests addressed to a loopback name are served without a token",
    );
  }
  return jsonError(
    401,
    "E_UNAUTHORIZED",
    header === undefined
      ? "Missing bearer token: pair with POST /pair and send Authorization: Bearer <token>"
      : "Invalid or expired bearer token",
    { "WWW-Authenticate": 'Bearer realm="mikroclaw"' },
  );
}
