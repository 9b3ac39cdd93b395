/**
 * MCP: MikroClaw's tools as an MCP server (stdio and Streamable HTTP), and other MCP servers'
 * tools for the agent (`MCP_SERVERS`). The protocol libraries load only when used.
 * @module
 */
export * from "./server.ts";
export * from "./stdio.ts";
export * from "./http.ts";
export * from "./client.ts";
