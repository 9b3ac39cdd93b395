/**
 * `MCP_SERVERS`: connects the configured MCP servers (loaded only when the setting is present).
 * @module
 */
import type { Logger } from "../_internal/logger.ts";
import { connectMcpServers, type McpConnections, parseMcpServers } from "../mcp/client.ts";

/** Parses `MCP_SERVERS` and connects every server; one that fails is reported, not fatal. */
export async function connectConfiguredMcp(text: string, logger: Logger): Promise<McpConnections> {
  const config = await parseMcpServers(text);
  const connections = await connectMcpServers(config, { logger });
  for (const s of connections.status()) {
    if (s.ok) logger.info(`MCP server ${s.name}: ${s.tools.length} tools`);
    else logger.warn(`MCP server ${s.name} is not available: ${s.detail}`);
  }
  return connections;
}
