/**
 * The gateway's middleware, in the order `createGateway` mounts them after the Host check:
 * security headers, client identity, body size limit, rate limit, Origin check, bearer auth.
 * Each is a factory taking what it needs; `fail` and `readJson` serve the route handlers.
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { jsonError } from "../_internal/json_error.ts";
import { type Cidr, resolveClient } from "./_net.ts";
import type { Pairing } from "./_pairing.ts";
import type { RateLimiter } from "./_rate_limit.ts";
import type { GatewayEnv } from "./types.ts";

type Middleware = MiddlewareHandler<GatewayEnv>;

const SECURITY_HEADERS: readonly (readonly [string, string])[] = Object.entries({
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
  "Content-Security-Policy":
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "Cross-Origin-Resource-Policy": "same-origin",
});

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

/** Sets the security headers a route did not set itself. */
export const securityHeaders: Middleware = async function securityHeaders(
  c,
  next,
) {
  await next();
  // A route may set its own policy (the web console's page needs script-src 'self').
  const missing = SECURITY_HEADERS.filter(([k]) => !c.res.headers.has(k));
  try {
    for (const [k, v] of missing) c.res.headers.set(k, v);
  } catch {
    // Immutable headers (e.g. a fetched Response from a webhook handler): copy once.
    const res = new Response(c.res.body, c.res);
    for (const [k, v] of missing) res.headers.set(k, v);
    c.res = res;
  }
};

/** Names the client (the peer, or `X-Forwarded-For` from a trusted proxy). */
export function identify(
  clientAddress: (request: Request) => string | undefined,
  trusted: readonly Cidr[],
): Middleware {
  // Parsing the peer address is a measurable share of a small request (issue #19); without a
  // forwarded header the answer depends on the address alone, so it is remembered.
  const peers = new Map<string | undefined, string>();
  return async function identify(c, next) {
    // Read the peer address now: the body limit replaces the Request object below.
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
    c.set("client", client);
    c.set("bodyTooLarge", false);
    c.set("tokenId", undefined);
    c.set("token", undefined);
    await next();
  };
}

/** Refuses bodies over `maxBody` bytes, counting as the handler reads. */
export function bodyLimit(maxBody: number): Middleware {
  return async function bodyLimit(c, next) {
    const raw = c.req.raw;
    const length = raw.headers.get("content-length");
    if (length !== null) {
      if (!/^\s*\d{1,16}\s*$/.test(length)) {
        fail(400, "E_BAD_REQUEST", "Malformed Content-Length");
      }
      if (Number(length) > maxBody) return tooLarge(maxBody);
    }
    if (raw.body) {
      // Count bytes as the handler reads them; never hold more than the limit.
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
            controller.error(
              new RangeError(`Request body is larger than ${maxBody} bytes`),
            );
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
    }
    await next();
    if (c.get("bodyTooLarge")) c.res = tooLarge(maxBody);
  };
}

/** 429 with `Retry-After` when the client's bucket is empty. */
export function rateLimit(limiter: RateLimiter): Middleware {
  return async function rateLimit(c, next) {
    const decision = limiter.take(c.get("client"));
    if (!decision.ok) {
      return jsonError(429, "E_RATE_LIMITED", "Too many requests", {
        "Retry-After": String(decision.retryAfterS),
      });
    }
    await next();
  };
}

/** Refuses cross-origin browser requests. */
export const originCheck: Middleware = async function originCheck(c, next) {
  const origin = c.req.header("origin");
  const site = c.req.header("sec-fetch-site");
  if (
    (origin !== undefined && origin !== new URL(c.req.url).origin) ||
    site === "cross-site"
  ) {
    return jsonError(
      403,
      "E_FORBIDDEN",
      "Cross-origin browser requests are refused",
    );
  }
  await next();
};

/**
 * Bearer auth: a valid token sets `tokenId`; without one only `isOpen` routes pass (with
 * pairing off, also requests addressed to a loopback name).
 */
export function auth(
  pairing: Pairing,
  pairingRequired: boolean,
  isOpen: (method: string, path: string) => boolean,
): Middleware {
  return async function auth(c, next) {
    const header = c.req.header("authorization");
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    const token = match?.[1];
    const record = token === undefined ? null : await pairing.verify(token);
    if (record) {
      c.set("tokenId", record.id);
      c.set("token", token);
    } else if (
      !isOpen(c.req.method, c.req.path) && !pairingRequired &&
      !c.get("hostLoopback")
    ) {
      // Pairing off serves without a token only requests addressed to loopback: a name from
      // GATEWAY_ALLOWED_HOSTS (a reverse proxy, a LAN name) would open the agent to the LAN.
      return jsonError(
        403,
        "E_FORBIDDEN",
        "Pairing is off (PAIRING_REQUIRED=0): only requests addressed to a loopback name are served without a token",
      );
    } else if (pairingRequired && !isOpen(c.req.method, c.req.path)) {
      return jsonError(
        401,
        "E_UNAUTHORIZED",
        header === undefined
          ? "Missing bearer token: pair with POST /pair and send Authorization: Bearer <token>"
          : "Invalid or expired bearer token",
        { "WWW-Authenticate": 'Bearer realm="mikroclaw"' },
      );
    }
    await next();
  };
}
