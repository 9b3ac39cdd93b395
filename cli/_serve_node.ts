/**
 * The Node side of `cli/_serve.ts`: `node:http` serving a Web `fetch` handler without paying
 * for Web objects a request does not use (issue #19). The handler gets a `Request` whose URL,
 * method, headers and peer address come straight from the `IncomingMessage`; the runtime's
 * own `Request` (body stream, abort signal wiring) is built only when something reads more.
 * A light `Response` (`cli/_serve_response.ts`) with a text body is written as that text, head
 * and body in one write. Learned from `@hono/node-server`, which does both.
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  busy,
  type FetchHandler,
  internalError,
  jsonError,
  type Listening,
  requestUrl,
  type ServeLimits,
  serverOptions,
} from "./_serve.ts";
import { delegateRest, installLightResponse } from "./_serve_response.ts";

const STATE = Symbol("nodeRequest");

interface RequestState {
  req: IncomingMessage;
  res: ServerResponse;
  url: string;
  hasBody: boolean;
  /** Set once the handler is done: the request body is no longer delivered to it. */
  cancelled: boolean;
  headers: Headers;
  controller?: AbortController;
  native?: Request;
}

/** Whether a response body may go out in pieces (kept streaming) rather than in one write. */
function isStream(type: string | null): boolean {
  return type !== null && /^(?:text\/event-stream|application\/(?:x-)?ndjson)/i.test(type);
}

/** The request body of `req` as a Web stream; a cancel stops delivery but leaves `req` open. */
function bodyOf(req: IncomingMessage, state: { cancelled: boolean }): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        if (state.cancelled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.once("end", () => {
        if (!state.cancelled) controller.close();
      });
      req.once("error", (error) => {
        if (!state.cancelled) controller.error(error);
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength });
}

/** The abort signal of a request: aborts only for a client that left before its answer was complete. */
function signalOf(s: RequestState): AbortSignal {
  if (!s.controller) {
    const controller = s.controller = new AbortController();
    const left = () => {
      if (!s.res.writableFinished) controller.abort();
    };
    if (s.res.closed) left();
    else s.res.once("close", left);
  }
  return s.controller.signal;
}

/** The runtime's own `Request` for `r`, built on first need. */
function nativeRequest(r: object): Request {
  const s = (r as NodeRequest)[STATE];
  if (!s.native) {
    const init: RequestInit & { duplex?: "half" } = {
      method: s.req.method!,
      headers: (r as NodeRequest).headers,
      signal: signalOf(s),
    };
    if (s.hasBody) {
      init.body = bodyOf(s.req, s);
      init.duplex = "half";
    }
    s.native = new Request(s.url, init);
  }
  return s.native;
}

/** A `Request` read from an `IncomingMessage`; see the module doc. */
class NodeRequest {
  declare [STATE]: RequestState;
  constructor(state: RequestState) {
    this[STATE] = state;
  }
  get url(): string {
    return this[STATE].url;
  }
  get method(): string {
    return this[STATE].req.method!;
  }
  get headers(): Headers {
    const s = this[STATE];
    return s.native ? s.native.headers : s.headers;
  }
  get signal(): AbortSignal {
    return signalOf(this[STATE]);
  }
  get body(): ReadableStream<Uint8Array> | null {
    return this[STATE].hasBody ? nativeRequest(this).body : null;
  }
  /** The peer address, for the gateway's rate limits (`request.ip`, as on the other runtimes). */
  get ip(): string | undefined {
    return this[STATE].req.socket.remoteAddress;
  }
}
delegateRest(NodeRequest.prototype, Request.prototype, nativeRequest);

/** Hosts whose URLs parse, remembered: every request of a client names the same Host. */
const goodHosts = new Set<string>();

/**
 * Whether `url` (made by `requestUrl`) is a valid URL. Parsing costs ~9 µs a request in the
 * Node profile; once a Host is known to parse, an origin-form target behind it does too (Node's
 * parser already refused the bytes a path may not hold), so only new Hosts and absolute-form
 * targets are parsed. The set is cleared past 64 entries, so junk Hosts cannot grow it.
 */
function parsable(url: string, host: string | undefined): boolean {
  const cached = host !== undefined && goodHosts.has(host);
  if (cached && url.length > 7 && url.startsWith(host, 7)) return true;
  if (!URL.canParse(url)) return false;
  if (host !== undefined && url.startsWith(host, 7)) {
    if (goodHosts.size >= 64) goodHosts.clear();
    goodHosts.add(host);
  }
  return true;
}

/** Request headers from Node's raw list; `undefined` when one is not a valid header. */
function headersFrom(raw: string[]): Headers | undefined {
  const headers = new Headers();
  try {
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  } catch {
    return undefined;
  }
  return headers;
}

/** The response headers as `writeHead` takes them, `Set-Cookie` kept apart. */
function headersOf(headers: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    if (name !== "set-cookie") out[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length) out["set-cookie"] = cookies;
  return out;
}

async function writeResponse(
  res: ServerResponse,
  response: Response,
  head: boolean,
  light: ReturnType<typeof installLightResponse>,
): Promise<void> {
  const parts = light(response);
  if (parts) {
    // A light response: its text goes out as it was made, with the head in one write
    const headers = headersOf(parts.headers);
    if (parts.body === null || head) {
      res.writeHead(parts.status, headers).end();
      return;
    }
    headers["content-length"] = String(Buffer.byteLength(parts.body));
    res.writeHead(parts.status, headers).end(parts.body);
    return;
  }
  const headers = headersOf(response.headers);
  const body = response.body;
  if (!body || head) {
    if (body) void body.cancel().catch(() => {});
    res.writeHead(response.status, headers).end();
    return;
  }
  if (!isStream((headers["content-type"] as string | undefined) ?? null)) {
    // A fixed body: one write with its length
    const bytes = new Uint8Array(await response.arrayBuffer());
    headers["content-length"] = String(bytes.byteLength);
    res.writeHead(response.status, headers).end(bytes);
    return;
  }
  res.writeHead(response.status, headers);
  res.flushHeaders();
  const reader = body.getReader();
  res.once("close", () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) await new Promise((r) => res.once("drain", r).once("close", r));
  }
  res.end();
}

/** Serves `fetch` with `node:http` within `limits`. */
export async function listenNode(
  fetch: FetchHandler,
  host: string,
  port: number,
  limits: ServeLimits,
): Promise<Listening> {
  const { createServer } = await import("node:http");
  const light = installLightResponse();
  const bound = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  let inFlight = 0;
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let response: Response;
    let state: RequestState | undefined;
    const url = requestUrl(req.url ?? "/", req.headers.host, bound);
    if (url === undefined) {
      response = req.url === "*" && req.method === "OPTIONS"
        ? serverOptions()
        : jsonError(400, "E_BAD_REQUEST", "Malformed request target");
    } else if (inFlight >= limits.maxInFlight) {
      response = busy();
    } else {
      const method = req.method!;
      const hasBody = method !== "GET" && method !== "HEAD" &&
        (req.headers["transfer-encoding"] !== undefined ||
          (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0"));
      // what building the runtime's Request would refuse is a 400 here too
      const headers = parsable(url, req.headers.host) ? headersFrom(req.rawHeaders) : undefined;
      if (!headers) {
        response = jsonError(400, "E_BAD_REQUEST", "Malformed request target or Host");
      } else {
        state = { req, res, url, hasBody, cancelled: false, headers };
        inFlight++;
        try {
          response = await fetch(new NodeRequest(state) as unknown as Request);
          void response.headers; // invalid response headers fail here, as a 500
        } catch {
          response = internalError();
        } finally {
          inFlight--;
        }
      }
    }
    // What the handler left unread is discarded up to the bound, then the connection closes.
    if (!req.complete) {
      if (state) state.cancelled = true;
      let left = limits.drainBytes;
      req.on("data", (chunk: Buffer) => {
        left -= chunk.byteLength;
        if (left < 0) req.socket.destroy();
      });
      req.resume();
    }
    try {
      await writeResponse(res, response, req.method === "HEAD", light);
    } catch {
      res.destroy();
    }
  };
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // how often Node looks for connections past those timeouts (its default is 30 s)
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  }, (req, res) => void answer(req, res));
  server.maxConnections = limits.maxConnections;
  server.maxHeadersCount = 200;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actual = (server.address() as { port: number }).port;
  return {
    url: "",
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
