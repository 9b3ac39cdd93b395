/**
 * A local HTTP + WebSocket server for fakes of outside services (Discord Gateway, Slack Socket
 * Mode), on Node, Deno and Bun alike: crossws over srvx, bound to 127.0.0.1 on a free port.
 * @module
 */
import { serve } from "crossws/server";

/** One connected WebSocket client, as the fake sees it. */
export interface WsPeer {
  /** Stable id of this connection. */
  readonly id: string;
  /** The URL the client connected to (path and query). */
  readonly url: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** What a fake does on WebSocket events. Handlers must not throw. */
export interface WsHandlers {
  open?(peer: WsPeer): void;
  message?(peer: WsPeer, text: string): void;
  close?(peer: WsPeer, code: number | undefined): void;
}

/** A running local server with WebSocket support. */
export interface LocalWsServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `fetch` for plain HTTP and `handlers` for WebSocket upgrades (any request carrying
 * `Upgrade: websocket`) on 127.0.0.1:0.
 */
export async function serveLocalWs(
  fetch: (request: Request) => Response | Promise<Response>,
  handlers: WsHandlers,
): Promise<LocalWsServer> {
  const peers = new Map<string, WsPeer>();
  // deno-lint-ignore no-explicit-any
  function wrap(peer: any): WsPeer {
    let p = peers.get(peer.id);
    if (!p) {
      const url = peer.request?.url ? new URL(peer.request.url) : undefined;
      p = {
        id: String(peer.id),
        url: url ? url.pathname + url.search : "/",
        send: (data: string) => peer.send(data),
        close: (code?: number, reason?: string) => peer.close(code, reason),
      };
      peers.set(peer.id, p);
    }
    return p;
  }
  const server = serve({
    port: 0,
    hostname: "127.0.0.1",
    silent: true,
    fetch: (request: Request) => fetch(request),
    websocket: {
      open(peer) {
        handlers.open?.(wrap(peer));
      },
      message(peer, message) {
        handlers.message?.(wrap(peer), message.text());
      },
      close(peer, details) {
        const p = wrap(peer);
        peers.delete(peer.id);
        handlers.close?.(p, details.code);
      },
    },
  });
  await server.ready();
  const port = Number(new URL(server.url!).port);
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    async close() {
      for (const p of peers.values()) {
        try {
          p.close(1001, "server closing");
        } catch {
          // already gone
        }
      }
      peers.clear();
      await server.close(true);
    },
  };
}
