/**
 * Mounts the interoperability routes on the gateway, behind its bearer auth, rate limit and
 * Origin check: `/changes` (safe router changes), `/mcp` (MCP Streamable HTTP with the agent's
 * own tools, guards and policy) and `/v1/models` + `/v1/chat/completions` (OpenAI-compatible).
 * The MCP and OpenAI modules load on the first request that needs them.
 * @module
 */
import type { Agent } from "../agent/types.ts";
import type { Logger } from "../_internal/logger.ts";
import type { Tool } from "../tools/types.ts";
import type { Hono } from "hono";
import type { GatewayEnv } from "../gateway/types.ts";
import type { ChangeManager } from "../changes/create_change_manager.ts";

/** Options of {@linkcode mountInterop}. */
export interface InteropOptions {
  agent: Agent;
  /** The agent's tools (built on first need). */
  tools: () => Promise<readonly Tool[]>;
  secrets: readonly string[];
  changes: ChangeManager | undefined;
  logger: Logger;
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

function notConfigured(): Response {
  return Response.json(
    {
      error: {
        code: "E_NOT_CONFIGURED",
        message:
          "Cannot manage router changes: no router is configured (set ROUTER_URL or ROUTER_HOST)",
      },
    },
    { status: 404 },
  );
}

/** Adds the routes to the gateway's `app`. */
export async function mountInterop(
  app: Hono<GatewayEnv>,
  options: InteropOptions,
): Promise<void> {
  if (options.changes) {
    const { createChangeRoutes } = await import("../changes/routes.ts");
    app.route("/changes", createChangeRoutes(options.changes));
  } else app.all("/changes/*", notConfigured).all("/changes", notConfigured);

  const mcp = once(async () => {
    const { createMcpServer, createMcpHttpHandler } = await import("../mcp/mod.ts");
    const server = createMcpServer({
      tools: await options.tools(),
      secrets: options.secrets,
      requestedBy: "gateway",
      logger: options.logger,
    });
    return createMcpHttpHandler({ server, logger: options.logger });
  });
  app.all(
    "/mcp",
    async (c) =>
      (await mcp())(c.req.raw, { requestedBy: `gateway:${c.get("tokenId") ?? "local"}` }),
  );

  const openai = once(async () => {
    const { createOpenAICompatHandlers } = await import("../openai_compat/mod.ts");
    return createOpenAICompatHandlers({ agent: options.agent });
  });
  app.get(
    "/v1/models",
    async (c) => (await openai()).models(c.req.raw, { tokenId: c.get("tokenId") ?? "local" }),
  );
  app.post(
    "/v1/chat/completions",
    async (c) =>
      (await openai()).chatCompletions(c.req.raw, {
        tokenId: c.get("tokenId") ?? "local",
        signal: c.req.raw.signal,
      }),
  );
}
