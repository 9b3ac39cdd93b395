/**
 * Serves a Web `fetch` handler with each runtime's own HTTP server — `Deno.serve`, `Bun.serve`,
 * or `node:http` — setting `request.ip` to the peer address for the gateway's rate limits, and
 * mapping a port already in use to exit code 78 so a supervisor does not respawn-loop
 * (LESSONS §3.14). A few dozen lines instead of a server library keep the router bundle small;
 * the Node path (`cli/_serve_node.ts`) learns from `@hono/node-server`: Web objects built only
 * when something reads them, a text answer written with its head in one write, an abort only
 * for a client that left early.
 *
 * The boundary (issue #17): request targets in absolute form and `OPTIONS *` (RFC 9112 §3.2)
 * are answered, not turned into an invalid URL; a request body the handler did not read (a 413,
 * a 401) is read and discarded up to {@linkcode ServeLimits.drainBytes} before the answer goes
 * out, so the client sees it instead of a connection reset; slow or piled-up connections are
 * bounded where the runtime's server allows it (see {@linkcode ServeLimits}).
 * @module
 */
import { AgentError, ErrorCode } from "../lib/errors.ts";

/** Exit code for "port in use" (EX_CONFIG, as systemd units expect). */
export const EXIT_PORT_IN_USE = 78;

/** A listening server. */
export interface Listening {
  /** `http://host:port` as bound. */
  url: string;
  port: number;
  /** Stops accepting, ends open connections. */
  close(): Promise<void>;
}

/** A fetch handler. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/**
 * Bounds against slow and flooding clients. Node enforces all of them; `Bun.serve` closes a
 * connection idle for `headersTimeoutMs` (its `idleTimeout`); `Deno.serve` has no header
 * timeout or connection cap to set, so there only `maxInFlight` and `drainBytes` apply.
 */
export interface ServeLimits {
  /** A client must send the whole request head within this time (slowloris). @default {10000} */
  headersTimeoutMs: number;
  /** ... and the whole request, body included, within this time. @default {30000} */
  requestTimeoutMs: number;
  /** Open connections at most (Node); more are refused at accept. @default {512} */
  maxConnections: number;
  /** Requests being handled at most; beyond it the answer is a 503. @default {256} */
  maxInFlight: number;
  /** Unread request body read and discarded before answering; past it the connection closes. @default {4194304} */
  drainBytes: number;
}

/** The limits the CLI serves with. */
export const DEFAULT_SERVE_LIMITS: Readonly<ServeLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 512,
  maxInFlight: 256,
  drainBytes: 4 * 1024 * 1024,
};

/** Raised when the port is taken; the CLI exits 78. */
export class PortInUseError extends AgentError {
  constructor(host: string, port: number, options: { cause?: unknown } = {}) {
    super(
      `Cannot listen on ${host}:${port}: the port is already in use (is another MikroClaw running? choose one with --port or GATEWAY_PORT)`,
      { code: ErrorCode.Config, cause: options.cause },
    );
    this.name = "PortInUseError";
  }
}

function isAddrInUse(error: unknown): boolean {
  const e = error as { code?: string; name?: string; message?: string } | undefined;
  return /EADDRINUSE|AddrInUse|address already in use|port \d+ in use/i.test(
    `${e?.code ?? ""} ${e?.name ?? ""} ${e?.message ?? ""}`,
  );
}

/** `request` with `ip` (the peer address, for the gateway's rate limits) set. */
function withIp(request: Request, ip: string | undefined): Request {
  Object.defineProperty(request, "ip", { value: ip, enumerable: false });
  return request;
}

/** A JSON error answer of the gateway's shape. */
export function jsonError(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

/** The answer to a handler that threw. */
export const internalError = (): Response => jsonError(500, "E_INTERNAL", "Internal error");
/** The answer past {@linkcode ServeLimits.maxInFlight}. */
export const busy = (): Response =>
  jsonError(503, "E_BUSY", "Too many requests in progress; retry shortly");

/** The answer to `OPTIONS *` (RFC 9110 §9.3.7): what the server supports, no body. */
export function serverOptions(): Response {
  return new Response(null, {
    status: 204,
    headers: { allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" },
  });
}

/**
 * The URL of a request from its target (RFC 9112 §3.2): origin-form (`/path`) joins the Host
 * header (or the bound address); absolute-form (`http://host/path`) is used as sent, Host
 * ignored; `undefined` for asterisk-form and anything else (the caller answers those).
 */
export function requestUrl(
  target: string,
  host: string | undefined,
  bound: string,
): string | undefined {
  if (target.charCodeAt(0) === 47 /* / */) return `http://${host || bound}${target}`;
  if (!/^https?:\/\//i.test(target)) return undefined;
  try {
    const url = new URL(target);
    return `http://${url.host}${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}

/** Reads and discards what is left of `body`, up to `limit` bytes; false when it was longer. */
async function drain(body: ReadableStream<Uint8Array>, limit: number): Promise<boolean> {
  const reader = body.getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return true;
      read += value.byteLength;
      if (read > limit) {
        void reader.cancel().catch(() => {});
        return false;
      }
    }
  } catch {
    return false;
  }
}

/**
 * Hands `request` to `fetch` with a body the handler may cancel without cancelling the
 * connection's own stream, then reads what the handler left unread (bounded) before the
 * answer goes out. Used on Deno and Bun, whose servers close a connection whose body was not
 * read, and the client then loses the answer to a connection reset.
 */
async function answerDraining(
  fetch: FetchHandler,
  request: Request,
  drainBytes: number,
): Promise<Response> {
  const original = request.body;
  let response: Response;
  if (!original) {
    response = await fetch(request);
    return response;
  }
  const reader = original.getReader();
  let finished = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        controller.close();
      } else controller.enqueue(value);
    },
    cancel() {
      // the handler stopped reading: the rest is drained below, not cut off
    },
  }, { highWaterMark: 0 });
  const wrapped = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
    duplex: "half",
  } as RequestInit);
  withIp(wrapped, (request as { ip?: string }).ip);
  response = await fetch(wrapped);
  if (!finished) {
    reader.releaseLock();
    await drain(original, drainBytes);
  }
  return response;
}

/** `fetch` within the in-flight cap, draining what it left unread; never throws. */
function guarded(
  fetch: FetchHandler,
  limits: ServeLimits,
): (request: Request) => Promise<Response> {
  let inFlight = 0;
  return async (request) => {
    if (inFlight >= limits.maxInFlight) return busy();
    inFlight++;
    try {
      return await answerDraining(fetch, request, limits.drainBytes);
    } catch {
      return internalError();
    } finally {
      inFlight--;
    }
  };
}

// Types the servers are called through, so the module type-checks without their globals.
interface DenoLike {
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (
      request: Request,
      info: { remoteAddr: { hostname: string }; completed?: Promise<void> },
    ) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}

interface BunLike {
  serve(options: {
    hostname: string;
    port: number;
    idleTimeout?: number;
    fetch(
      request: Request,
      server: { requestIP(r: Request): { address: string } | null },
    ): Response | Promise<Response>;
  }): { port: number; stop(closeActive?: boolean): void };
}

const COMPLETED = Symbol("completed");
const CONTROLLER = Symbol("controller");

/** A request as `Deno.serve` gave it, with what its abort signal is made from. */
interface DenoServed extends Request {
  [COMPLETED]?: Promise<void> | undefined;
  [CONTROLLER]?: AbortController;
}

/** `request.signal` on Deno: aborts when the exchange ends without the answer delivered. */
const DENO_SIGNAL: PropertyDescriptor = {
  get(this: DenoServed): AbortSignal {
    let controller = this[CONTROLLER];
    if (!controller) {
      const c = controller = this[CONTROLLER] = new AbortController();
      this[COMPLETED]?.catch(() => c.abort());
    }
    return controller.signal;
  },
};

/** Serves on Deno; `request.signal` is ours, so reading it prints no legacy-behaviour warning. */
function listenDeno(
  deno: DenoLike,
  fetch: FetchHandler,
  host: string,
  port: number,
  limits: ServeLimits,
): Listening {
  const answer = guarded(fetch, limits);
  const server = deno.serve(
    { hostname: host, port, onListen: () => {} },
    (request, info) => {
      const url = request.url;
      // Deno reports `OPTIONS *` as the path `/*`
      if (request.method === "OPTIONS" && url.endsWith("/*") && new URL(url).pathname === "/*") {
        return serverOptions();
      }
      // one shared getter, not a closure per request (issue #19: the per-request accessor
      // was the largest cost of this adapter in the Deno profile)
      (request as DenoServed)[COMPLETED] = info.completed;
      Object.defineProperty(request, "signal", DENO_SIGNAL);
      return answer(withIp(request, info.remoteAddr.hostname));
    },
  );
  return { url: "", port: server.addr.port, close: () => server.shutdown() };
}

function listenBun(
  bun: BunLike,
  fetch: FetchHandler,
  host: string,
  port: number,
  limits: ServeLimits,
): Listening {
  const answer = guarded(fetch, limits);
  const server = bun.serve({
    hostname: host,
    port,
    // Bun's only connection timer: an idle connection (a stalled request head too) closes
    idleTimeout: Math.max(1, Math.min(255, Math.ceil(limits.headersTimeoutMs / 1000))),
    fetch: (request, srv) => answer(withIp(request, srv.requestIP(request)?.address)),
  });
  return { url: "", port: server.port, close: async () => server.stop(true) };
}

/** Starts serving `fetch` on `host:port` (0 = a free port) within `limits`. */
export async function listen(
  fetch: FetchHandler,
  host: string,
  port: number,
  limits: Partial<ServeLimits> = {},
): Promise<Listening> {
  const g = globalThis as { Deno?: DenoLike; Bun?: BunLike };
  const all = { ...DEFAULT_SERVE_LIMITS, ...limits };
  let listening: Listening;
  try {
    if (g.Deno) listening = listenDeno(g.Deno, fetch, host, port, all);
    else if (g.Bun) listening = listenBun(g.Bun, fetch, host, port, all);
    else listening = await (await import("./_serve_node.ts")).listenNode(fetch, host, port, all);
  } catch (error) {
    if (isAddrInUse(error)) throw new PortInUseError(host, port, { cause: error });
    throw error;
  }
  const shown = host.includes(":") ? `[${host}]` : host;
  return { ...listening, url: `http://${shown}:${listening.port}` };
}
