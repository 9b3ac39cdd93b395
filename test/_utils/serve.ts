/**
 * Serves a fetch handler on 127.0.0.1 with a free port, on Node, Deno and Bun alike (srvx),
 * for the local fakes of outside services.
 * @module
 */
import { serve } from "srvx";

/** A running local server. */
export interface LocalServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts `fetch` on 127.0.0.1:0 and resolves once it listens. */
export async function serveLocal(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<LocalServer> {
  const server = serve({ fetch, port: 0, hostname: "127.0.0.1", silent: true });
  await server.ready();
  const port = Number(new URL(server.url!).port);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => server.close(true),
  };
}
