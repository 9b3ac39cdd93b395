/**
 * Tolerant tool calls: local models often write a tool call as text instead of using the
 * tool-calling API. This recovers such calls when they name an offered tool.
 * @module
 */
import type { ToolCall, ToolDefinition } from "./types.ts";

const MAX_SCAN = 200_000;
const MAX_CALLS = 16;
const TAG_RE = /<(tool_call|function_call|toolcall)>([\s\S]*?)<\/\1>/gi;
const FENCE_RE = /```(?:json|tool_call|tool)?[ \t]*\r?\n([\s\S]*?)```/gi;

/** Top-level `{...}` substrings of `text`, string- and escape-aware. */
function jsonObjects(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === "{") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" && depth > 0) {
      depth--;
      if (depth === 0) out.push(text.slice(start, i + 1));
    }
  }
  return out;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toCall(
  value: unknown,
  names: ReadonlySet<string>,
  tagged: boolean,
  index: number,
): ToolCall | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  const fn = typeof obj.function === "object" && obj.function !== null
    ? obj.function as Record<string, unknown>
    : undefined;
  const name = [obj.name, fn?.name, obj.tool, obj.tool_name].find((v) => typeof v === "string");
  if (typeof name !== "string" || !names.has(name)) return undefined;
  const argKeys = ["arguments", "parameters", "args", "input"];
  const holder = argKeys.some((k) => k in obj)
    ? obj
    : fn && argKeys.some((k) => k in fn)
    ? fn
    : undefined;
  if (!holder && !tagged) return undefined;
  const raw = holder ? argKeys.map((k) => holder[k]).find((v) => v !== undefined) : undefined;
  const call: ToolCall = { id: `text_call_${index}`, name, arguments: {} };
  let args: unknown = raw;
  if (typeof raw === "string") {
    args = raw.trim() === "" ? {} : tryParse(raw);
    if (args === undefined) {
      call.argumentsError = `Cannot parse arguments of tool "${name}" as JSON`;
      return call;
    }
  }
  if (args === undefined || args === null) return call;
  if (typeof args !== "object" || Array.isArray(args)) {
    call.argumentsError = `Cannot use arguments of tool "${name}": expected a JSON object`;
    return call;
  }
  call.arguments = args as Record<string, unknown>;
  return call;
}

/**
 * Tool calls written as text: `<tool_call>{...}</tool_call>`, a fenced JSON block, or a bare
 * JSON object `{"name": "...", "arguments": {...}}` (also arrays of them, and the OpenAI
 * `{"function": {"name", "arguments"}}` shape). Only names in `tools` are accepted; anything
 * else (prose, unknown names, broken JSON) yields no call. Never throws.
 */
export function parseTextToolCalls(
  text: string,
  tools: readonly Pick<ToolDefinition, "name">[],
): ToolCall[] {
  if (typeof text !== "string" || tools.length === 0) return [];
  const names = new Set(tools.map((t) => t.name));
  const source = text.slice(0, MAX_SCAN);
  const candidates: { text: string; tagged: boolean }[] = [];
  for (const m of source.matchAll(TAG_RE)) candidates.push({ text: m[2] ?? "", tagged: true });
  if (candidates.length === 0) {
    for (const m of source.matchAll(FENCE_RE)) candidates.push({ text: m[1] ?? "", tagged: false });
  }
  if (candidates.length === 0) {
    const trimmed = source.trim();
    if (trimmed.startsWith("[")) candidates.push({ text: trimmed, tagged: false });
    else for (const obj of jsonObjects(source)) candidates.push({ text: obj, tagged: false });
  }
  const calls: ToolCall[] = [];
  for (const candidate of candidates) {
    const trimmed = candidate.text.trim();
    let value = tryParse(trimmed);
    if (value === undefined && candidate.tagged) {
      // a tag may wrap a call followed by junk: take its first object
      const first = jsonObjects(trimmed)[0];
      value = first === undefined ? undefined : tryParse(first);
    }
    if (value === undefined && candidate.tagged) {
      // broken JSON inside an explicit tool-call tag: report it to the model as an error
      const name = /"name"\s*:\s*"([^"\\]{1,128})"/.exec(trimmed)?.[1];
      if (name !== undefined && names.has(name) && calls.length < MAX_CALLS) {
        calls.push({
          id: `text_call_${calls.length}`,
          name,
          arguments: {},
          argumentsError: `Cannot parse tool call "${name}" as JSON`,
        });
      }
      continue;
    }
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (calls.length >= MAX_CALLS) return calls;
      const call = toCall(item, names, candidate.tagged, calls.length);
      if (call) calls.push(call);
    }
  }
  return calls;
}
