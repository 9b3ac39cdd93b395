/**
 * Serves a Web `fetch` handler with each runtime's own HTTP server — `Deno.serve`, `Bun.serve`,
 * or `node:http` — setting `request.ip` to the peer address for the gateway's rate limits, and
 * mapping a port already in use to exit code 78 so a supervisor does not respawn-loop
 * (LESSONS §3.14). A few dozen lines instead of a server library keep the router bundle small.
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

function withIp(request: Request, ip: string | undefined): Request {
  Object.defineProperty(request, "ip", { value: ip, enumerable: false });
  return request;
}

function internalError(): Response {
  return Response.json({ error: { code: "E_INTERNAL", message: "Internal error" } }, {
    status: 500,
  });
}

interface DenoLike {
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (
      request: Request,
      info: { remoteAddr: { hostname: string } },
    ) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
}

interface BunLike {
  serve(options: {
    hostname: string;
    port: number;
    fetch(
      request: Request,
      server: { requestIP(r: Request): { address: string } | null },
    ): Response | Promise<Response>;
  }): { port: number; stop(closeActive?: boolean): void };
}

async function listenNode(fetch: FetchHandler, host: string, port: number): Promise<Listening> {
  const { createServer } = await import("node:http");
  const { Readable } = await import("node:stream");
  const server = createServer(async (req, res) => {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    }
    const method = req.method ?? "GET";
    const init: RequestInit & { duplex?: "half" } = { method, headers, signal: controller.signal };
    if (method !== "GET" && method !== "HEAD") {
      init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
      init.duplex = "half";
    }
    const authority = req.headers.host ?? `${host.includes(":") ? `[${host}]` : host}:${port}`;
    let response: Response;
    try {
      response = await fetch(
        withIp(new Request(`http://${authority}${req.url ?? "/"}`, init), req.socket.remoteAddress),
      );
    } catch {
      response = internalError();
    }
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      if (name !== "set-cookie") res.setHeader(name, value);
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length) res.setHeader("set-cookie", cookies);
    if (!response.body || method === "HEAD") {
      res.end();
      return;
    }
    const reader = response.body.getReader();
    res.on("close", () => void reader.cancel().catch(() => {}));
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!res.write(value)) await new Promise((r) => res.once("drain", r).once("close", r));
      }
      res.end();
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as { port: number }).port;
  return {
    url: "",
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Starts serving `fetch` on `host:port` (0 = a free port). */
export async function listen(fetch: FetchHandler, host: string, port: number): Promise<Listening> {
  const g = globalThis as { Deno?: DenoLike; Bun?: BunLike };
  let listening: Listening;
  try {
    if (g.Deno) {
      const server = g.Deno.serve(
        { hostname: host, port, onListen: () => {} },
        async (request, info) => {
          try {
            return await fetch(withIp(request, info.remoteAddr.hostname));
          } catch {
            return internalError();
          }
        },
      );
      listening = { url: "", port: server.addr.port, close: () => server.shutdown() };
    } else if (g.Bun) {
      const server = g.Bun.serve({
        hostname: host,
        port,
        async fetch(request, bun) {
          try {
            return await fetch(withIp(request, bun.requestIP(request)?.address));
          } catch {
            return internalError();
          }
        },
      });
      listening = { url: "", port: server.port, close: async () => server.stop(true) };
    } else {
      listening = await listenNode(fetch, host, port);
    }
  } catch (error) {
    if (isAddrInUse(error)) throw new PortInUseError(host, port, { cause: error });
    throw error;
  }
  const shown = host.includes(":") ? `[${host}]` : host;
  return { ...listening, url: `http://${shown}:${listening.port}` };
}
