/**
 * Tools: the contract, `defineTool`, and the 14 built-in tool factories of the seed.
 * @module
 */
export type { Tool, ToolContext, ToolEffect, ToolResult } from "./types.ts";
export {
  capText,
  DEFAULT_TOOL_OUTPUT_CHARS,
  DEFAULT_TOOL_TIMEOUT_MS,
  defineTool,
  type DefineToolOptions,
  jsonSchemaOf,
} from "./define_tool.ts";
export { parseUrl, parseUrlTool } from "./parse_url.ts";
export { healthCheckTool } from "./health_check.ts";
export { memoryTools } from "./memory.ts";
export { webSearchTool } from "./web_search.ts";
export { htmlToText, webScrapeTool } from "./web_scrape.ts";
export { skillInvokeTool, skillListTool } from "./skills.ts";
export { routerosExecuteTool } from "./routeros_execute.ts";
export { shellExecTool } from "./shell_exec.ts";
export { fileReadTool } from "./file_read.ts";
export { fileWriteTool } from "./file_write.ts";
export { composioCallTool } from "./composio_call.ts";
export { scrubSecrets, secretForms, stripInvisible, stripSpecialTokens } from "./scrub.ts";
