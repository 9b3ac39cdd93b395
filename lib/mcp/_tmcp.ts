/**
 * The `tmcp` engine behind {@linkcode createMcpServer}: JSON-RPC, `initialize` negotiation and
 * the `tools/*` methods. Loaded only when an MCP server is actually used.
 * @module
 */
import { McpServer as TmcpServer } from "tmcp";
import { JsonSchemaAdapter } from "tmcp/adapter";
import type { McpEngine } from "./_engine.ts";
import type { McpReceiveContext, McpServer } from "./server.ts";

/** Our tools carry JSON Schema already; `tool.call()` validates, so this schema passes input through. */
interface PassThroughSchema {
  readonly json: Record<string, unknown>;
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: "mikroclaw";
    validate(value: unknown): { value: unknown };
  };
}

class PassThroughAdapter extends JsonSchemaAdapter<any> {
  override toJsonSchema(schema: PassThroughSchema): Promise<any> {
    return Promise.resolve(schema.json);
  }
}

/** The custom per-request context handed to tmcp's `receive`. */
type Custom = { requestedBy?: string; signal?: AbortSignal };

/** Builds the tmcp server for `server`. */
export function createEngine(server: McpServer): McpEngine {
  const tmcp = new TmcpServer<any, Custom>(
    { name: server.name, version: server.version, description: "MikroClaw tools over MCP" },
    { adapter: new PassThroughAdapter(), capabilities: { tools: { listChanged: false } } },
  );
  for (const info of server.tools) {
    const schema: PassThroughSchema = {
      json: info.inputSchema,
      "~standard": { version: 1, vendor: "mikroclaw", validate: (value) => ({ value }) },
    };
    tmcp.tool(
      {
        name: info.name,
        description: info.description,
        schema: schema as any,
        annotations: info.annotations,
      },
      async (args: unknown) => {
        const ctx = tmcp.ctx;
        const signals = [ctx.signal, ctx.custom?.signal].filter((s): s is AbortSignal => !!s);
        const context: { requestedBy?: string; signal?: AbortSignal } = {};
        if (ctx.custom?.requestedBy) context.requestedBy = ctx.custom.requestedBy;
        if (signals.length > 0) context.signal = AbortSignal.any(signals);
        return await server.callTool(info.name, args, context) as any;
      },
    );
  }
  return {
    async receive(message: unknown, context: McpReceiveContext): Promise<unknown> {
      const invalid = invalidParams(message);
      if (invalid) return invalid;
      const custom: Custom = {};
      if (context.requestedBy) custom.requestedBy = context.requestedBy;
      if (context.signal) custom.signal = context.signal;
      const response = await tmcp.receive(message as any, {
        custom,
        ...(context.sessionInfo ? { sessionInfo: context.sessionInfo as any } : {}),
      });
      return withoutAdapter(response ?? undefined);
    },
  };
}

/** A `tools/call` whose params are not `{name: string, arguments?: object}`: -32602 (tmcp would throw). */
function invalidParams(message: unknown): unknown {
  if (typeof message !== "object" || message === null) return undefined;
  const { id, method, params } = message as Record<string, unknown>;
  if (method !== "tools/call" || (typeof id !== "string" && typeof id !== "number")) {
    return undefined;
  }
  const p = params as Record<string, unknown> | undefined;
  const args = p?.arguments;
  if (
    typeof p === "object" && p !== null && typeof p.name === "string" &&
    (args === undefined || (typeof args === "object" && args !== null && !Array.isArray(args)))
  ) return undefined;
  return {
    jsonrpc: "2.0",
    id,
    error: { code: -32602, message: "Invalid params: expected {name: string, arguments?: object}" },
  };
}

/** tmcp copies its own options into the `initialize` result; the adapter is not protocol. */
function withoutAdapter(response: unknown): unknown {
  const result = (response as { result?: Record<string, unknown> } | undefined)?.result;
  if (result && typeof result === "object" && "adapter" in result && "serverInfo" in result) {
    const { adapter: _adapter, ...rest } = result;
    return { ...(response as Record<string, unknown>), result: rest };
  }
  return response;
}
