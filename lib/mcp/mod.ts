/**
 * MCP: MikroClaw's tools as an MCP server (stdio and Streamable HTTP), and other MCP servers'
 * tools for the agent (`MCP_SERVERS`). The protocol libraries load only when used.
 * @module
 */
export { createMcpServer } from "./server.ts";
export type { McpCallContext } from "./server.ts";
export type { McpCallResult } from "./server.ts";
export type { McpReceiveContext } from "./server.ts";
export type { McpServer } from "./server.ts";
export type { McpServerOptions } from "./server.ts";
export type { McpToolInfo } from "./server.ts";
export { serveMcpStdio } from "./stdio.ts";
export type { McpStdioOutput } from "./stdio.ts";
export type { ServeMcpStdioOptions } from "./stdio.ts";
export { createMcpHttpHandler } from "./http.ts";
export type { McpHttpContext } from "./http.ts";
export type { McpHttpHandler } from "./http.ts";
export type { McpHttpHandlerOptions } from "./http.ts";
export { connectMcpServers } from "./client.ts";
export { parseMcpServers } from "./client.ts";
export type { ConnectMcpServersOptions } from "./client.ts";
export type { McpConnections } from "./client.ts";
export type { McpHttpServerEntry } from "./client.ts";
export type { McpServerEntry } from "./client.ts";
export type { McpServersConfig } from "./client.ts";
export type { McpServerStatus } from "./client.ts";
export type { McpStdioServerEntry } from "./client.ts";
