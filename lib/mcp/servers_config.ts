/**
 * `MCP_SERVERS`: the servers MikroClaw connects to as an MCP client (stdio commands or
 * Streamable HTTP URLs), parsed and checked, and the secret values they hold.
 * @module
 */
import * as v from "valibot";
import { ConfigError, errorMessage } from "../errors.ts";
import { headerSecrets, urlSecrets } from "../secrets/registry.ts";

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

function issue(message: string, cause?: unknown): ConfigError {
  return new ConfigError([{ key: "MCP_SERVERS", message }], { cause });
}
