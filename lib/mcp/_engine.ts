/**
 * What {@linkcode McpServer} needs from its lazily loaded `tmcp` engine (`_tmcp.ts`).
 * @module
 */
import type { McpReceiveContext } from "./server.ts";

/** The loaded engine: one JSON-RPC message in, the response (or `undefined` for a notification) out. */
export interface McpEngine {
  receive(message: unknown, context: McpReceiveContext): Promise<unknown>;
}
