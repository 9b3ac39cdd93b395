/**
 * The MCP client side: `MCP_SERVERS` parsing and `connectMcpServers`, which turns other MCP
 * servers' tools into MikroClaw {@linkcode Tool}s named `<server>__<tool>`. The protocol code
 * loads only when a server is configured.
 * @module
 */
import { errorMessage } from "../errors.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { Logger } from "../_internal/logger.ts";
import { DEFAULT_TOOL_OUTPUT_CHARS, DEFAULT_TOOL_TIMEOUT_MS } from "../tools/define_tool.ts";
import type { Tool } from "../tools/types.ts";
import { createSecretRegistry } from "../secrets/registry.ts";
import { mcpSecrets, type McpServersConfig } from "./servers_config.ts";
import { mcpToolName, remoteTool } from "./_remote_tool.ts";
import type { RemoteTool, Session } from "./_client_session.ts";

export {
  type McpHttpServerEntry,
  mcpSecrets,
  type McpServerEntry,
  type McpServersConfig,
  type McpStdioServerEntry,
  parseMcpServers,
} from "./servers_config.ts";
export { mcpToolName };

/** Options of {@linkcode connectMcpServers}. */
export interface ConnectMcpServersOptions {
  /** @default {silentLogger} */
  logger?: Logger;
  /** Longest wait for one server to start, initialize and list its tools. @default {10000} */
  timeoutMs?: number;
  /** Time limit of one remote tool call. @default {30000} */
  toolTimeoutMs?: number;
  /** Longest result text of one remote tool call. @default {16000} */
  maxOutputChars?: number;
  /** For HTTP servers. @default {globalThis.fetch} */
  fetch?: typeof globalThis.fetch;
  /**
   * Most tools one server may add; the rest are skipped and named in `status()` (a server
   * offering thousands would put their definitions into every model request). @default {64}
   */
  maxToolsPerServer?: number;
  /** Most tools all servers together may add, in `MCP_SERVERS` order. @default {128} */
  maxTools?: number;
}

/** How one configured server is doing. */
export interface McpServerStatus {
  name: string;
  ok: boolean;
  /** `connected (3 tools)`, or why not. */
  detail: string;
  /** The MikroClaw tool names it contributes. */
  tools: string[];
  /** How many of the server's tools were left out (over a cap, or unusable). */
  skipped?: number;
}

/** The connected servers. */
export interface McpConnections {
  /** Every remote tool, ready for `createAgent({ tools })`. */
  readonly tools: readonly Tool[];
  /**
   * Every secret value inside the configuration (`headers` and `env` values, URL credentials
   * and query values): register them so tool output, errors and logs are scrubbed of them.
   */
  readonly secrets: readonly string[];
  /** One entry per configured server (for `doctor`, `/health`, `integrations`). */
  status(): McpServerStatus[];
  /** Ends every session and stops every stdio server. */
  close(): Promise<void>;
}

/**
 * Connects to every configured server in parallel, each bounded by `timeoutMs`: a server that
 * fails to start or answer is reported in `status()` and never throws, blocks or crashes the
 * agent. Remote tools become `<server>__<tool>` (lower-case `[a-z0-9_]`), effect `"write"`
 * unless the server marks them `readOnlyHint`, under our timeout and output cap. Their
 * descriptions are untrusted and sanitised; their results are marked untrusted and
 * secret-scrubbed by the agent like every tool result.
 *
 * @example
 * ```ts
 * const mcp = await connectMcpServers(await parseMcpServers(env.MCP_SERVERS), { logger });
 * const agent = createAgent({ provider, tools: [...builtins, ...mcp.tools] });
 * ```
 */
export async function connectMcpServers(
  config: McpServersConfig,
  options: ConnectMcpServersOptions = {},
): Promise<McpConnections> {
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const toolTimeoutMs = options.toolTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const maxOutputChars = options.maxOutputChars ?? DEFAULT_TOOL_OUTPUT_CHARS;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const perServer = options.maxToolsPerServer ?? 64;
  const maxTools = options.maxTools ?? 128;
  const names = Object.keys(config);
  const statuses = new Map<string, McpServerStatus>();
  const sessions = new Map<string, Session>();
  const tools: Tool[] = [];
  const used = new Set<string>();
  const secrets = createSecretRegistry(mcpSecrets(config));
  if (names.length === 0) {
    return { tools, secrets: [], status: () => [], close: () => Promise.resolve() };
  }
  const { openSession } = await import("./_client_session.ts");
  const offered = new Map<string, RemoteTool[]>();

  await Promise.all(names.map(async (name) => {
    const entry = config[name]!;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = openSession(name, entry, {
      // A server's stderr and errors may carry its own token.
      logger: scrubbingLogger(logger, secrets.scrub),
      timeoutMs,
      fetch: fetchFn,
      signal: controller.signal,
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const session = await Promise.race([attempt, timeout]);
      sessions.set(name, session);
      offered.set(name, [...session.tools]);
    } catch (error) {
      // A late success must not leak a running server.
      void attempt.then((s) => s.close(), () => {});
      const detail = secrets.scrub(`not connected: ${errorMessage(error)}`);
      statuses.set(name, { name, ok: false, detail, tools: [] });
      logger.warn(`MCP server "${name}" ${detail}`);
    } finally {
      clearTimeout(timer);
    }
  }));

  // Tools are taken in MCP_SERVERS order, so the caps always keep the same ones.
  for (const name of names) {
    const session = sessions.get(name);
    const remotes = offered.get(name);
    if (!session || !remotes) continue;
    const mine: string[] = [];
    const unusable: string[] = [];
    let overCap = 0;
    for (const remote of remotes) {
      if (mine.length >= perServer || tools.length >= maxTools) {
        overCap++;
        continue;
      }
      const tool = remoteTool(name, remote, session, used, {
        toolTimeoutMs,
        maxOutputChars,
        scrub: secrets.scrub,
      });
      if (typeof tool === "string") unusable.push(tool);
      else {
        tools.push(tool);
        mine.push(tool.name);
      }
    }
    const notes: string[] = [];
    if (overCap > 0) {
      notes.push(
        `${overCap} more tools skipped (at most ${perServer} per server, ${maxTools} in all)`,
      );
    }
    if (unusable.length > 0) {
      const shown = unusable.slice(0, 5).join("; ");
      notes.push(
        `skipped: ${shown}${unusable.length > 5 ? `; and ${unusable.length - 5} more` : ""}`,
      );
    }
    const skipped = overCap + unusable.length;
    statuses.set(name, {
      name,
      ok: true,
      detail: secrets.scrub(
        `connected (${mine.length} tools)${notes.length > 0 ? `; ${notes.join("; ")}` : ""}`,
      ),
      tools: mine,
      ...(skipped > 0 ? { skipped } : {}),
    });
    logger.info(`MCP server "${name}" connected with ${mine.length} tools`);
    if (overCap > 0) {
      logger.warn(`MCP server "${name}": ${overCap} tools skipped over the tool caps`);
    }
  }

  return {
    tools,
    secrets: secrets.values,
    status(): McpServerStatus[] {
      return names.map((name) => {
        const status = statuses.get(name)!;
        const reason = sessions.get(name)?.closedReason;
        return reason
          ? { ...status, ok: false, detail: secrets.scrub(`disconnected: ${reason}`) }
          : { ...status };
      });
    },
    async close(): Promise<void> {
      await Promise.allSettled([...sessions.values()].map((s) => s.close()));
    },
  };
}

// --- Internal helpers ---

/** `logger` with every string argument scrubbed. */
function scrubbingLogger(logger: Logger, scrub: (text: string) => string): Logger {
  const wrap = (log: (...args: unknown[]) => void) => (...args: unknown[]): void =>
    log(...args.map((a) => (typeof a === "string" ? scrub(a) : a)));
  return {
    debug: wrap((...a) => logger.debug(...a)),
    info: wrap((...a) => logger.info(...a)),
    warn: wrap((...a) => logger.warn(...a)),
    error: wrap((...a) => logger.error(...a)),
  };
}
