/**
 * `createMcpServer`: MikroClaw's tools offered over the Model Context Protocol. Every call runs
 * through `tool.call()` — the same validation, guards, RouterOS policy and approvals as the
 * agent's own calls — and every failure comes back as an `isError` result.
 *
 * The MCP engine (`tmcp`) is loaded on first use, so importing this module costs nothing.
 * @module
 */
import { errorMessage } from "../errors.ts";
import { silentLogger } from "../_internal/logger.ts";
import { withDeadline } from "../_internal/deadline.ts";
import type { Logger } from "../_internal/logger.ts";
import { capText } from "../tools/define_tool.ts";
import { scrubSecrets } from "../tools/scrub.ts";
import type { Tool, ToolResult } from "../tools/types.ts";
import type { BeforeToolCall } from "../agent/create_agent.ts";
import { VERSION } from "../version.ts";
import type { McpEngine } from "./_engine.ts";

/** A call ended by its deadline or by a cancel: its message is the whole tool result. */
class CallStopped extends Error {}

/** Options of {@linkcode createMcpServer}. */
export interface McpServerOptions {
  /** The tools to offer; names must be unique. */
  tools: readonly Tool[];
  /** Server name in the `initialize` answer. @default {"mikroclaw"} */
  name?: string;
  /** Server version in the `initialize` answer. @default {VERSION} */
  version?: string;
  /**
   * Who asks, passed to every tool (change records, approvals): `mcp:stdio` for
   * `mikroclaw mcp`; the HTTP handler may override it per request (`gateway:<token id>`).
   * @default {"mcp"}
   */
  requestedBy?: string;
  /** Values scrubbed from every result (API keys, passwords). @default {[]} */
  secrets?: readonly string[];
  /** The agent's security gate, when one is configured; a block becomes an `isError` result. */
  beforeToolCall?: BeforeToolCall;
  /**
   * Which tools reach outside entities (the `openWorldHint` annotation).
   * @default {web_search, web_scrape, http_fetch, composio_call and MCP client tools (`a__b`)}
   */
  openWorld?: (tool: Tool) => boolean;
  /** @default {silentLogger} */
  logger?: Logger;
}

/** Per-call context a transport passes to {@linkcode McpServer.callTool}. */
export interface McpCallContext {
  /** Overrides the server's `requestedBy`. */
  requestedBy?: string;
  /** Cancels the call (e.g. the HTTP request went away). */
  signal?: AbortSignal;
}

/** The MCP view of one tool, as `tools/list` shows it. */
export interface McpToolInfo {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: {
    readOnlyHint: boolean;
    destructiveHint: boolean;
    openWorldHint: boolean;
  };
}

/** A transport-independent MCP server; serve it with `serveMcpStdio` or `createMcpHttpHandler`. */
export interface McpServer {
  readonly name: string;
  readonly version: string;
  /** The tools as MCP lists them. */
  readonly tools: readonly McpToolInfo[];
  /** Runs one tool the MCP way; never throws (unknown tools are `isError` results too). */
  callTool(name: string, args: unknown, context?: McpCallContext): Promise<McpCallResult>;
  /**
   * Handles one JSON-RPC message (the `initialize` result, `tools/list`, `tools/call`, errors
   * -32601 / -32602 …); resolves with the response, or `undefined` for a notification.
   */
  receive(message: unknown, context?: McpReceiveContext): Promise<unknown>;
  /** Cancels every call in flight. */
  close(): void;
}

/** Context of {@linkcode McpServer.receive}. */
export interface McpReceiveContext extends McpCallContext {
  /** What the client said in `initialize` (stdio keeps it per connection). */
  sessionInfo?: Record<string, unknown>;
}

/** A `tools/call` result. */
export interface McpCallResult {
  content: { type: "text"; text: string }[];
  isError: boolean;
}

const NETWORK_TOOLS = new Set(["web_search", "web_scrape", "http_fetch", "composio_call"]);
/** Extra time past a tool's own limit before the server gives up on it. */
const GRACE_MS = 250;

/** True for tools that reach outside entities (web, SaaS, other MCP servers). */
export function defaultOpenWorld(tool: Tool): boolean {
  return NETWORK_TOOLS.has(tool.name) || tool.name.includes("__");
}

/**
 * Creates an MCP server offering `tools` with their own JSON schemas and annotations true to
 * each tool: `readOnlyHint` for `effect: "read"`, `destructiveHint` for writes, `openWorldHint`
 * for network tools.
 *
 * @example Serve the built-in tools on stdio
 * ```ts
 * const server = createMcpServer({ tools: [parseUrlTool()], requestedBy: "mcp:stdio" });
 * await serveMcpStdio({ server });
 * ```
 */
export function createMcpServer(options: McpServerOptions): McpServer {
  if (!options || !Array.isArray(options.tools)) {
    throw new TypeError('Cannot create MCP server: "tools" must be an array of tools');
  }
  const byName = new Map<string, Tool>();
  for (const tool of options.tools) {
    if (!tool || typeof tool.call !== "function" || typeof tool.name !== "string") {
      throw new TypeError("Cannot create MCP server: every tool must be a Tool");
    }
    if (byName.has(tool.name)) {
      throw new TypeError(`Cannot create MCP server: tool "${tool.name}" is given twice`);
    }
    byName.set(tool.name, tool);
  }
  const name = options.name ?? "mikroclaw";
  const version = options.version ?? VERSION;
  const requestedBy = options.requestedBy ?? "mcp";
  const secrets = [...(options.secrets ?? [])];
  const logger = options.logger ?? silentLogger;
  const openWorld = options.openWorld ?? defaultOpenWorld;
  const inFlight = new Set<AbortController>();

  const tools: McpToolInfo[] = [...byName.values()].map((tool) => ({
    name: tool.name,
    description: tool.description,
    inputSchema: tool.parameters,
    annotations: {
      readOnlyHint: tool.effect === "read",
      destructiveHint: tool.effect === "write",
      openWorldHint: openWorld(tool),
    },
  }));

  function result(tool: Tool | undefined, value: ToolResult): McpCallResult {
    const capped = tool ? capText(value.content, tool.maxOutputChars) : value.content;
    return {
      content: [{ type: "text", text: scrubSecrets(capped, secrets) }],
      isError: value.isError,
    };
  }

  async function callTool(
    toolName: string,
    args: unknown,
    context: McpCallContext = {},
  ): Promise<McpCallResult> {
    const tool = byName.get(toolName);
    if (!tool) {
      const available = [...byName.keys()].join(", ") || "none";
      return result(
        undefined,
        failure(`Unknown tool "${toolName}". Available tools: ${available}`),
      );
    }
    const who = context.requestedBy ?? requestedBy;
    const controller = new AbortController();
    inFlight.add(controller);
    const signal = context.signal
      ? AbortSignal.any([context.signal, controller.signal])
      : controller.signal;
    try {
      if (options.beforeToolCall) {
        let verdict;
        try {
          verdict = await options.beforeToolCall({
            toolCall: { id: "mcp", name: tool.name, arguments: asArguments(args) },
            tool,
            sessionKey: who,
            requestedBy: who,
          }, signal);
        } catch (error) {
          logger.warn(`beforeToolCall threw for ${tool.name}; blocking: ${errorMessage(error)}`);
          return result(tool, failure("Blocked by policy: the policy check failed"));
        }
        if (verdict?.block) {
          return result(tool, failure(`Blocked by policy: ${verdict.reason ?? "no reason given"}`));
        }
      }
      const timedOut = `Tool "${tool.name}" timed out or was cancelled`;
      const value = await withDeadline(
        (deadline) =>
          tool.call(args ?? {}, { signal: deadline, requestedBy: who, sessionKey: who, logger }),
        {
          signal,
          timeoutMs: tool.timeoutMs + Math.min(GRACE_MS, tool.timeoutMs),
          timeoutReason: () => new Error(`timed out after ${tool.timeoutMs} ms`),
          timedOut: () => new CallStopped(timedOut),
          cancelled: () =>
            new CallStopped(context.signal?.aborted ? "Tool call cancelled" : timedOut),
        },
      );
      if (!value || typeof value.content !== "string") {
        return result(tool, failure(`Tool "${tool.name}" returned no result`));
      }
      return result(tool, { content: value.content, isError: value.isError === true });
    } catch (error) {
      if (error instanceof CallStopped) return result(tool, failure(error.message));
      return result(tool, failure(`Tool "${tool.name}" failed: ${errorMessage(error)}`));
    } finally {
      inFlight.delete(controller);
    }
  }

  const server: McpServer = {
    name,
    version,
    tools,
    callTool,
    async receive(message: unknown, context: McpReceiveContext = {}): Promise<unknown> {
      const engine = await loadEngine();
      return engine.receive(message, context);
    },
    close(): void {
      for (const controller of inFlight) controller.abort(new Error("MCP server closed"));
      inFlight.clear();
    },
  };

  let engine: Promise<McpEngine> | undefined;
  function loadEngine(): Promise<McpEngine> {
    engine ??= import("./_tmcp.ts").then((m) => m.createEngine(server));
    return engine;
  }
  return server;
}

// --- Internal helpers ---

function failure(message: string): ToolResult {
  return { content: JSON.stringify({ error: message }), isError: true };
}

function asArguments(args: unknown): Record<string, unknown> {
  return typeof args === "object" && args !== null && !Array.isArray(args)
    ? args as Record<string, unknown>
    : {};
}
