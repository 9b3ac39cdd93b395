/**
 * `createMcpHttpHandler`: an MCP server as a Web-standard `(Request) => Promise<Response>`
 * speaking MCP Streamable HTTP. It does NOT authenticate: mount it behind the gateway's bearer
 * auth, rate limits and Origin check.
 * @module
 */
import { errorMessage } from "../errors.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { Logger } from "../_internal/logger.ts";
import { engineOf } from "./_engine.ts";
import type { McpServer } from "./server.ts";

/** Options of {@linkcode createMcpHttpHandler}. */
export interface McpHttpHandlerOptions {
  server: McpServer;
  /**
   * Cross-origin `Origin` values accepted (same-origin and no `Origin` always pass).
   * @default {[] — every cross-origin request is refused with 403}
   */
  allowedOrigins?: readonly string[];
  /** @default {silentLogger} */
  logger?: Logger;
}

/** Per-request context the gateway passes after authenticating. */
export interface McpHttpContext {
  /** Who asks, e.g. `gateway:<token id>`; passed to tools (change records, approvals). */
  requestedBy?: string;
}

/** A Streamable HTTP handler; answers any path it is mounted on. */
export type McpHttpHandler = (request: Request, context?: McpHttpContext) => Promise<Response>;

/**
 * Builds the `/mcp` handler: POST carries JSON-RPC messages (answered as JSON or SSE,
 * `Mcp-Session-Id` issued on `initialize`), DELETE ends a session, GET (a server-to-client
 * stream) is 405 because these tools send no notifications.
 *
 * @example Mount behind the gateway's auth (hono)
 * ```ts
 * const mcp = createMcpHttpHandler({ server: createMcpServer({ tools }) });
 * app.all("/mcp", (c) => mcp(c.req.raw, { requestedBy: `gateway:${c.get("tokenId")}` }));
 * ```
 */
export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  const { server } = options;
  const logger = options.logger ?? silentLogger;
  const allowedOrigins = [...(options.allowedOrigins ?? [])];
  let transport: Promise<{ respond(request: Request, ctx?: unknown): Promise<Response | null> }>;

  function load(): typeof transport {
    transport ??= Promise.all([engineOf(server), import("@tmcp/transport-http")]).then(
      ([engine, { HttpTransport }]) =>
        new HttpTransport(engine.tmcp as any, {
          path: null,
          allowedOrigins,
          disableSse: true,
        }),
    );
    return transport;
  }

  return async function mcpHttpHandler(
    request: Request,
    context: McpHttpContext = {},
  ): Promise<Response> {
    try {
      const http = await load();
      const custom: { requestedBy?: string; signal?: AbortSignal } = { signal: request.signal };
      if (context.requestedBy) custom.requestedBy = context.requestedBy;
      const response = await http.respond(request, custom);
      return response ?? jsonRpcError(404, -32601, "Not found");
    } catch (error) {
      logger.error(`MCP HTTP request failed: ${errorMessage(error)}`);
      return jsonRpcError(500, -32603, "Internal error");
    }
  };
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }), {
    status,
    headers: { "content-type": "application/json" },
  });
}
