/**
 * The paths the file and shell tools must never touch (internal; loaded with the workspace guard).
 * @module
 */
import type { Config } from "../config/types.ts";
import type { ProtectedPath } from "../security/workspace.ts";

/**
 * What configures the agent, which its file and shell tools must never touch, wherever it
 * sits (a workspace of `.` or `/data` holds it): the configuration file read now and the one
 * the next start would read, the state and storage directories, SKILLS_DIR, an MCP_SERVERS file.
 */
export function protectedPaths(config: Config): ProtectedPath[] {
  const out: ProtectedPath[] = [
    { path: "mikroclaw.json", what: "configuration file (./mikroclaw.json)" },
    { path: config.storage.stateDir, what: "state directory (MIKROCLAW_STATE_DIR)" },
  ];
  if (config.file) out.push({ path: config.file, what: "configuration file (--config)" });
  if (config.storage.kind === "fs") {
    const path = config.storage.url.slice(3);
    out.push({ path, what: "storage directory (MIKROCLAW_STORAGE)" });
  }
  const t = config.tools;
  if (t.skillsDir) out.push({ path: t.skillsDir, what: "skills directory (SKILLS_DIR)" });
  const mcp = t.mcpServers?.reveal().trim();
  if (mcp && !mcp.startsWith("{")) out.push({ path: mcp, what: "MCP server file (MCP_SERVERS)" });
  return out;
}
