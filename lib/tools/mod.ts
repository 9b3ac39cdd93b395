/**
 * Tools: the contract, `defineTool`, and the built-in tool factories.
 * @module
 */
export type { Tool } from "./types.ts";
export type { ToolContext } from "./types.ts";
export type { ToolEffect } from "./types.ts";
export type { ToolResult } from "./types.ts";
export { defineTool } from "./define_tool.ts";
export type { DefineToolOptions } from "./define_tool.ts";
export type { WorkspaceSource } from "./_workspace_source.ts";
export { composioCallTool } from "./composio_call.ts";
export type { ComposioCallToolOptions } from "./composio_call.ts";
export { fileReadTool } from "./file_read.ts";
export type { FileReadToolOptions } from "./file_read.ts";
export { fileWriteTool } from "./file_write.ts";
export type { FileWriteToolOptions } from "./file_write.ts";
export { healthCheckTool } from "./health_check.ts";
export type { HealthCheckToolOptions } from "./health_check.ts";
export { memoryTools } from "./memory.ts";
export type { MemoryToolsOptions } from "./memory.ts";
export { parseUrlTool } from "./parse_url.ts";
export { routerosExecuteTool } from "./routeros_execute.ts";
export { shellExecTool } from "./shell_exec.ts";
export type { ShellExecToolOptions } from "./shell_exec.ts";
export { skillInvokeTool } from "./skills.ts";
export { skillListTool } from "./skills.ts";
export type { SkillsToolOptions } from "./skills.ts";
export { webScrapeTool } from "./web_scrape.ts";
export type { WebScrapeService } from "./web_scrape.ts";
export type { WebScrapeToolOptions } from "./web_scrape.ts";
export { webSearchTool } from "./web_search.ts";
export type { WebSearchProvider } from "./web_search.ts";
export type { WebSearchToolOptions } from "./web_search.ts";
