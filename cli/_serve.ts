/**
 * Serves a fetch handler on Node, Deno or Bun (srvx picks the runtime's own server) and maps a
 * port already in use to exit code 78, so a supervisor does not respawn-loop (LESSONS §3.14).
 * @module
 */
import { serve } from "srvx";
import { AgentError, ErrorCode } from "../lib/errors.ts";

/** Exit code for "port in use" (EX_CONFIG, as systemd units expect). */
export const EXIT_PORT_IN_USE = 78;

/** A listening server. */
export interface Listening {
  /** `http://host:port` as bound. */
  url: string;
  port: number;
  close(): Promise<void>;
}

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
  const text = `${(error as { code?: string })?.code ?? ""} ${(error as Error)?.name ?? ""} ${
    (error as Error)?.message ?? ""
  }`;
  return /EADDRINUSE|AddrInUse|address already in use|port .*in use|Is port \d+ in use/i.test(text);
}

/** Starts serving `fetch` on `host:port` (0 = a free port). */
export async function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  host: string,
  port: number,
): Promise<Listening> {
  let server;
  try {
    server = serve({ fetch, port, hostname: host, silent: true });
    await server.ready();
  } catch (error) {
    if (isAddrInUse(error)) throw new PortInUseError(host, port, { cause: error });
    throw error;
  }
  const bound = Number(new URL(server.url!).port) || port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return { url: `http://${shown}:${bound}`, port: bound, close: () => server.close(true) };
}
