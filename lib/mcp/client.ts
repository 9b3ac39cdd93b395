/**
 * The MCP client side: `MCP_SERVERS` parsing and `connectMcpServers`, which turns other MCP
 * servers' tools into MikroClaw {@linkcode Tool}s named `<server>__<tool>`. The protocol code
 * loads only when a server is configured.
 * @module
 */
import * as v from "valibot";
import { ConfigError, errorMessage } from "../errors.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { Logger } from "../_internal/logger.ts";
import {
  capText,
  DEFAULT_TOOL_OUTPUT_CHARS,
  DEFAULT_TOOL_TIMEOUT_MS,
} from "../tools/define_tool.ts";
import type { Tool, ToolContext, ToolResult } from "../tools/types.ts";
import { sanitizeUntrusted } from "../agent/untrusted.ts";
import { createSecretRegistry, headerSecrets, urlSecrets } from "../secrets/registry.ts";
import type { RemoteTool, Session } from "./_client_session.ts";

/** A stdio server: a command MikroClaw starts, with a scrubbed environment plus `env`. */
export interface McpStdioServerEntry {
  command: string;
  args?: string[];
  env?: Record<string, string>;
}

/** A Streamable HTTP server, reached with `headers` (e.g. `Authorization`). */
export interface McpHttpServerEntry {
  url: string;
  headers?: Record<string, string>;
}

/** One configured server. */
export type McpServerEntry = McpStdioServerEntry | McpHttpServerEntry;

/** Servers by name (`^[a-zA-Z0-9_-]+$`). */
export type McpServersConfig = Record<string, McpServerEntry>;

/** Most servers `MCP_SERVERS` may name. */
const MAX_SERVERS = 32;
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_FILE_BYTES = 1_048_576;

const StringMap = v.record(v.string(), v.string());
const StdioEntry = v.strictObject({
  type: v.optional(v.literal("stdio")),
  command: v.pipe(v.string(), v.minLength(1, "command must not be empty")),
  args: v.optional(v.array(v.string())),
  env: v.optional(StringMap),
});
const HttpEntry = v.strictObject({
  type: v.optional(v.picklist(["http", "streamable-http", "streamableHttp"])),
  url: v.pipe(
    v.string(),
    v.url("url must be an absolute URL"),
    v.check((u) => /^https?:\/\//i.test(u), "url must be http:// or https://"),
  ),
  headers: v.optional(StringMap),
});

/**
 * Parses `MCP_SERVERS`: JSON in the `mcpServers` shape (`{"name": {"command","args","env"}}`
 * for stdio, `{"name": {"url","headers"}}` for Streamable HTTP, optionally wrapped in
 * `{"mcpServers": …}`), or the path of a JSON file holding `{"mcpServers": {...}}`.
 *
 * @throws {ConfigError} with key `MCP_SERVERS` naming every bad server and field
 * @example
 * ```ts
 * await parseMcpServers('{"fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/data"]}}');
 * ```
 */
export async function parseMcpServers(text: string): Promise<McpServersConfig> {
  if (typeof text !== "string" || text.trim() === "") {
    throw issue('must be JSON or the path of a JSON file, e.g. {"fs": {"command": "npx"}}');
  }
  const trimmed = text.trim();
  let json = trimmed;
  let origin = "";
  if (!trimmed.startsWith("{")) {
    origin = ` (file ${trimmed})`;
    try {
      const fs = await import("node:fs/promises");
      const stat = await fs.stat(trimmed);
      if (stat.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      json = await fs.readFile(trimmed, "utf8");
    } catch (error) {
      throw issue(`cannot read the file ${trimmed}: ${errorMessage(error)}`, error);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw issue(`is not valid JSON${origin}: ${errorMessage(error)}`, error);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw issue(`must be a JSON object${origin}`);
  }
  let servers = parsed as Record<string, unknown>;
  if ("mcpServers" in servers) {
    const inner = servers.mcpServers;
    if (typeof inner !== "object" || inner === null || Array.isArray(inner)) {
      throw issue(`"mcpServers" must be an object${origin}`);
    }
    servers = inner as Record<string, unknown>;
  } else if (origin) {
    throw issue(`the file must hold {"mcpServers": {...}}${origin}`);
  }
  const names = Object.keys(servers);
  if (names.length > MAX_SERVERS) throw issue(`names more than ${MAX_SERVERS} servers${origin}`);
  const problems: string[] = [];
  const config: McpServersConfig = {};
  for (const name of names) {
    if (!NAME.test(name)) {
      problems.push(`server name "${name.slice(0, 64)}" must match ^[a-zA-Z0-9_-]+$`);
      continue;
    }
    const entry = servers[name];
    const isStdio = typeof entry === "object" && entry !== null && "command" in entry;
    const isHttp = typeof entry === "object" && entry !== null && "url" in entry;
    if (isStdio === isHttp) {
      problems.push(`server "${name}" needs exactly one of "command" (stdio) or "url" (HTTP)`);
      continue;
    }
    const result = v.safeParse(isStdio ? StdioEntry : HttpEntry, entry);
    if (!result.success) {
      const detail = result.issues.map((i) => {
        const path = i.path?.map((p) => String(p.key)).join(".");
        return path ? `${path}: ${i.message}` : i.message;
      }).join("; ");
      problems.push(`server "${name}": ${detail}`);
      continue;
    }
    const { type: _type, ...clean } = result.output;
    config[name] = clean as McpServerEntry;
  }
  if (problems.length > 0) throw issue(problems.join("; ") + origin);
  return config;
}

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

/**
 * Every secret value inside `MCP_SERVERS`: stdio `env` values, HTTP `headers` values (and the
 * credential after `Bearer`), URL credentials and query values.
 */
export function mcpSecrets(config: McpServersConfig): string[] {
  const out: string[] = [];
  for (const entry of Object.values(config)) {
    if ("command" in entry) {
      out.push(...Object.values(entry.env ?? {}));
      for (const arg of entry.args ?? []) out.push(...urlSecrets(arg));
    } else {
      out.push(...urlSecrets(entry.url));
      for (const value of Object.values(entry.headers ?? {})) out.push(...headerSecrets(value));
    }
  }
  return out;
}

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

function issue(message: string, cause?: unknown): ConfigError {
  return new ConfigError([{ key: "MCP_SERVERS", message }], { cause });
}

const MAX_DESCRIPTION = 1000;
const MAX_SCHEMA_CHARS = 32_768;
const MAX_NAME = 64;

/** `<server>__<tool>` in `[a-z0-9_]`, starting with a letter, at most 64 characters, unique. */
export function mcpToolName(server: string, tool: string, used: Set<string>): string {
  const clean = (s: string): string => s.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  let base = `${clean(server)}__${clean(tool)}`;
  if (!/^[a-z]/.test(base)) base = `mcp_${base}`;
  base = base.slice(0, MAX_NAME);
  let name = base;
  for (let n = 2; used.has(name); n++) {
    const suffix = `_${n}`;
    name = base.slice(0, MAX_NAME - suffix.length) + suffix;
  }
  used.add(name);
  return name;
}

/** A Tool for one remote tool, or a string saying why it was skipped. */
function remoteTool(
  server: string,
  remote: RemoteTool,
  session: Session,
  used: Set<string>,
  limits: { toolTimeoutMs: number; maxOutputChars: number; scrub: (text: string) => string },
): Tool | string {
  const schema = remote.inputSchema;
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    return `${remote.name.slice(0, 64)} (no input schema)`;
  }
  const { $schema: _, ...parameters } = schema as Record<string, unknown>;
  if (parameters.type !== "object") return `${remote.name.slice(0, 64)} (schema is not an object)`;
  if (JSON.stringify(parameters).length > MAX_SCHEMA_CHARS) {
    return `${remote.name.slice(0, 64)} (schema too large)`;
  }
  const name = mcpToolName(server, remote.name, used);
  const description = typeof remote.description === "string" ? remote.description : "";
  const { toolTimeoutMs, maxOutputChars, scrub } = limits;
  const fail = (message: string): ToolResult => ({
    content: JSON.stringify({ error: scrub(message) }),
    isError: true,
  });
  return {
    name,
    description: `[MCP server "${server}"] ` +
      capText(scrub(sanitizeUntrusted(description)), MAX_DESCRIPTION),
    parameters,
    effect: remote.annotations?.readOnlyHint === true ? "read" : "write",
    timeoutMs: toolTimeoutMs,
    maxOutputChars,
    async call(args: unknown, context: ToolContext): Promise<ToolResult> {
      const input = args ?? {};
      if (typeof input !== "object" || Array.isArray(input)) {
        return fail("Invalid arguments: expected an object");
      }
      try {
        const result = await session.request(
          "tools/call",
          { name: remote.name, arguments: input },
          toolTimeoutMs,
          context.signal,
        );
        const { text, isError } = resultText(result);
        // A server may echo its own bearer or env token: never pass it on.
        return { content: capText(scrub(text), maxOutputChars), isError };
      } catch (error) {
        return fail(`MCP server "${server}": ${errorMessage(error)}`);
      }
    },
  };
}

/** The text of a `tools/call` result; non-text parts are named, not inlined. */
function resultText(result: unknown): { text: string; isError: boolean } {
  if (typeof result !== "object" || result === null) {
    return { text: JSON.stringify({ error: "the server sent no result" }), isError: true };
  }
  const r = result as Record<string, unknown>;
  const parts: string[] = [];
  if (Array.isArray(r.content)) {
    for (const item of r.content) {
      const c = item as Record<string, unknown> | null;
      if (c?.type === "text" && typeof c.text === "string") parts.push(c.text);
      else if (c?.type === "resource" && typeof (c.resource as any)?.text === "string") {
        parts.push((c.resource as { text: string }).text);
      } else if (typeof c?.type === "string") parts.push(`[${c.type} content omitted]`);
    }
  }
  if (parts.length === 0 && r.structuredContent !== undefined) {
    parts.push(JSON.stringify(r.structuredContent));
  }
  return { text: parts.join("\n") || "(empty result)", isError: r.isError === true };
}
