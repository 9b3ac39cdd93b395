/**
 * A remote MCP server's tool as a MikroClaw {@linkcode Tool}: a safe unique name, a checked
 * schema, a fenced description, and results scrubbed and capped.
 * @module
 */
import { errorMessage } from "../errors.ts";
import { capText } from "../tools/define_tool.ts";
import type { Tool, ToolContext, ToolResult } from "../tools/types.ts";
import { sanitizeUntrusted } from "../agent/untrusted.ts";
import type { RemoteTool, Session } from "./_client_session.ts";

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
export function remoteTool(
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
