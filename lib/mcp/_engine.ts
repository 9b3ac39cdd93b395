/**
 * The link between a {@linkcode McpServer} and its lazily loaded `tmcp` engine, kept out of the
 * public object so transports can reach it without exposing it.
 * @module
 */
import type { McpReceiveContext, McpServer } from "./server.ts";

/** What the transports need from the loaded engine. */
export interface McpEngine {
  /** The `tmcp` server instance (for `@tmcp/transport-http`). */
  readonly tmcp: unknown;
  /** One JSON-RPC message in, the response (or `undefined` for a notification) out. */
  receive(message: unknown, context: McpReceiveContext): Promise<unknown>;
}

const engines = new WeakMap<McpServer, () => Promise<McpEngine>>();

/** Records how to load `server`'s engine. */
export function bindEngine(server: McpServer, load: () => Promise<McpEngine>): void {
  engines.set(server, load);
}

/** Loads the engine of a server made by `createMcpServer`; throws a `TypeError` for anything else. */
export function engineOf(server: McpServer): Promise<McpEngine> {
  const load = engines.get(server);
  if (!load) {
    return Promise.reject(
      new TypeError('Cannot serve MCP: "server" must come from createMcpServer()'),
    );
  }
  return load();
}
