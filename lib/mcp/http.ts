/**
 * `createMcpHttpHandler`: an MCP server as a Web-standard `(Request) => Promise<Response>`
 * speaking MCP Streamable HTTP, **stateless**: these tools send no notifications and keep no
 * per-client state, so no session is ever created and nothing a client sends outlives its
 * request (a stream of large `initialize` calls cannot grow the heap). A request carrying an
 * `Mcp-Session-Id` names a session this server never issued: 404, as the spec asks for unknown
 * sessions. It does NOT authenticate: mount it behind the gateway's Host check, bearer auth,
 * rate limits and Origin check.
 * @module
 */
import { errorMessage } from "../errors.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { Logger } from "../_internal/logger.ts";
import type { McpServer } from "./server.ts";

/** Options of {@linkcode createMcpHttpHandler}. */
export interface McpHttpHandlerOptions {
  server: McpServer;
  /**
   * Cross-origin `Origin` values accepted (same-origin and no `Origin` always pass).
   * @default {[] — every cross-origin request is refused with 403}
   */
  allowedOrigins?: readonly string[];
  /** Largest JSON-RPC batch. @default {32} */
  maxBatch?: number;
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

/** Protocol revisions whose HTTP transport this stateless handler speaks. */
const PROTOCOL_VERSIONS = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

/**
 * Builds the `/mcp` handler: POST carries one JSON-RPC message or a batch, answered as JSON
 * (202 without a body when it holds no request); GET (a server-to-client stream) and DELETE
 * (ending a session) are 405 because there are no streams and no sessions.
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
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const maxBatch = options.maxBatch ?? 32;

  return async function mcpHttpHandler(
    request: Request,
    context: McpHttpContext = {},
  ): Promise<Response> {
    try {
      const origin = request.headers.get("origin");
      if (
        origin !== null && origin !== new URL(request.url).origin && !allowedOrigins.has(origin)
      ) {
        return jsonRpcError(403, -32000, "Forbidden: cross-origin request");
      }
      if (request.method !== "POST") {
        return jsonRpcError(
          405,
          -32000,
          "Method not allowed: this server is stateless (no event stream, no sessions); POST JSON-RPC messages",
          { allow: "POST" },
        );
      }
      if (request.headers.get("mcp-session-id") !== null) {
        return jsonRpcError(404, -32001, "Session not found: this server issues no sessions");
      }
      const version = request.headers.get("mcp-protocol-version");
      if (version !== null && !PROTOCOL_VERSIONS.includes(version)) {
        return jsonRpcError(
          400,
          -32000,
          `Unsupported MCP-Protocol-Version ${JSON.stringify(version.slice(0, 40))}`,
        );
      }
      const type = request.headers.get("content-type") ?? "";
      if (!/^application\/json\s*(?:;|$)/i.test(type)) {
        return jsonRpcError(415, -32000, "Content-Type must be application/json");
      }
      let body: unknown;
      try {
        body = JSON.parse(await request.text());
      } catch {
        return jsonRpcError(400, -32700, "Parse error: the body is not JSON");
      }
      const batch = Array.isArray(body);
      const messages = batch ? body as unknown[] : [body];
      if (messages.length === 0 || messages.length > maxBatch) {
        return jsonRpcError(400, -32600, `Invalid request: send 1-${maxBatch} messages`);
      }
      const receiveContext: { requestedBy?: string; signal: AbortSignal } = {
        signal: request.signal,
      };
      if (context.requestedBy) receiveContext.requestedBy = context.requestedBy;
      const answers = (await Promise.all(
        messages.map((message) => answer(server, message, receiveContext)),
      )).filter((a) => a !== undefined);
      if (answers.length === 0) return new Response(null, { status: 202 });
      return new Response(JSON.stringify(batch ? answers : answers[0]), {
        headers: { "content-type": "application/json" },
      });
    } catch (error) {
      logger.error(`MCP HTTP request failed: ${errorMessage(error)}`);
      return jsonRpcError(500, -32603, "Internal error");
    }
  };
}

/** One message in, its answer (or `undefined` for a notification or a response) out. */
async function answer(
  server: McpServer,
  message: unknown,
  context: { requestedBy?: string; signal: AbortSignal },
): Promise<unknown> {
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    return { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid request" } };
  }
  const m = message as Record<string, unknown>;
  const isRequest = typeof m.method === "string" && m.id !== undefined && m.id !== null;
  const response = await server.receive(message, context);
  return isRequest ? response : undefined;
}

function jsonRpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
