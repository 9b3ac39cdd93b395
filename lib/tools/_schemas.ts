/**
 * The JSON Schemas of the 14 built-in tools, precomputed: what `@valibot/to-json-schema` makes
 * of each tool's valibot schema (the seed pins them: `test/_fixtures/seed_tools.json`), so the
 * gateway does not load that library or compute them at start. `test/tools/schemas_test.ts`
 * keeps each equal to what `jsonSchemaOf` derives from the tool's own valibot schema.
 * @module
 */

/** Name of a built-in tool. */
export type BuiltinToolName =
  | "parse_url"
  | "health_check"
  | "memory_store"
  | "memory_recall"
  | "memory_forget"
  | "web_search"
  | "web_scrape"
  | "skill_list"
  | "skill_invoke"
  | "routeros_execute"
  | "shell_exec"
  | "file_read"
  | "file_write"
  | "composio_call";

/** Built-in tool name -> JSON Schema of its arguments. */
export const BUILTIN_TOOL_SCHEMAS: Readonly<Record<BuiltinToolName, Record<string, unknown>>> = {
  parse_url: {
    "type": "object",
    "properties": { "url": { "type": "string" } },
    "required": ["url"],
  },
  health_check: { "type": "object", "properties": {} },
  memory_store: {
    "type": "object",
    "properties": { "key": { "type": "string" }, "value": { "type": "string" } },
    "required": ["key", "value"],
  },
  memory_recall: {
    "type": "object",
    "properties": { "key": { "type": "string" } },
    "required": ["key"],
  },
  memory_forget: {
    "type": "object",
    "properties": { "key": { "type": "string" } },
    "required": ["key"],
  },
  web_search: {
    "type": "object",
    "properties": { "query": { "type": "string" } },
    "required": ["query"],
  },
  web_scrape: {
    "type": "object",
    "properties": { "url": { "type": "string" } },
    "required": ["url"],
  },
  skill_list: { "type": "object", "properties": {} },
  skill_invoke: {
    "type": "object",
    "properties": { "skill": { "type": "string" }, "params": { "type": "string" } },
    "required": ["skill"],
  },
  routeros_execute: {
    "type": "object",
    "properties": { "command": { "type": "string" } },
    "required": ["command"],
  },
  shell_exec: {
    "type": "object",
    "properties": { "command": { "type": "string" } },
    "required": ["command"],
  },
  file_read: {
    "type": "object",
    "properties": { "path": { "type": "string" } },
    "required": ["path"],
  },
  file_write: {
    "type": "object",
    "properties": { "path": { "type": "string" }, "content": { "type": "string" } },
    "required": ["path", "content"],
  },
  composio_call: {
    "type": "object",
    "properties": { "tool": { "type": "string" }, "input": { "type": "string" } },
    "required": ["tool", "input"],
  },
};
