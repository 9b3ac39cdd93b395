/**
 * The 14 built-in tools of the seed, configured from a loaded {@linkcode Config}.
 * @module
 */
import type { Config } from "../config/types.ts";
import type { Memory } from "../memory/types.ts";
import type { RouterOSExecutor } from "../routeros/executor.ts";
import type { Tool } from "../tools/types.ts";
import type { Workspace } from "../security/workspace.ts";
import { parseUrlTool } from "../tools/parse_url.ts";
import { healthCheckTool } from "../tools/health_check.ts";
import { memoryTools } from "../tools/memory.ts";
import { webSearchTool } from "../tools/web_search.ts";
import { webScrapeTool } from "../tools/web_scrape.ts";
import { skillInvokeTool, skillListTool } from "../tools/skills.ts";
import { routerosExecuteTool } from "../tools/routeros_execute.ts";
import { shellExecTool } from "../tools/shell_exec.ts";
import { fileReadTool } from "../tools/file_read.ts";
import { fileWriteTool } from "../tools/file_write.ts";
import { composioCallTool } from "../tools/composio_call.ts";

/** Options of {@linkcode builtinTools}. */
export interface BuiltinToolsOptions {
  config: Config;
  memory: Memory | undefined;
  /** The RouterOS executor; `undefined` when no router is configured. */
  executor: RouterOSExecutor | undefined;
  /** What `health_check` reports (the gateway's cached component state). */
  healthSource: () => Promise<Record<string, unknown>>;
  fetch?: typeof globalThis.fetch | undefined;
}

/** Host of the router's REST URL, which web tools must never reach. */
function routerHost(config: Config): string[] {
  const hosts = new Set<string>();
  if (config.router.host) hosts.add(config.router.host);
  if (config.router.url) {
    try {
      hosts.add(new URL(config.router.url).hostname.replace(/^\[|\]$/g, ""));
    } catch {
      // loadConfig validated the URL; nothing to add otherwise
    }
  }
  return [...hosts];
}

/** The seed's 14 tools, in the seed's order. */
export function builtinTools(options: BuiltinToolsOptions): Tool[] {
  const { config } = options;
  const t = config.tools;
  // The workspace guard loads when a file or shell tool first runs; its root is fixed now.
  const root = t.workspaceDir.startsWith("/")
    ? t.workspaceDir
    : `${globalThis.process?.cwd?.() ?? "."}/${t.workspaceDir}`;
  let loaded: Promise<Workspace> | undefined;
  const workspace = (): Promise<Workspace> =>
    loaded ??= Promise.all([
      import("../security/workspace.ts"),
      import("./_protected_paths.ts"),
    ]).then(([{ createWorkspace }, { protectedPaths }]) =>
      createWorkspace({ root, forbidden: t.forbiddenPaths, protected: protectedPaths(config) })
    );
  return [
    parseUrlTool(),
    healthCheckTool({ healthSource: options.healthSource }),
    ...memoryTools(options.memory),
    webSearchTool({
      provider: t.webSearch.provider,
      braveApiKey: t.webSearch.braveApiKey?.reveal(),
      tavilyApiKey: t.webSearch.tavilyApiKey?.reveal(),
      searxngUrl: t.webSearch.searxngUrl,
      fetch: options.fetch,
    }),
    webScrapeTool({
      services: t.webscrapeServices,
      jinaApiKey: t.jinaApiKey?.reveal(),
      firecrawlApiKey: t.firecrawlApiKey?.reveal(),
      extraDenied: routerHost(config),
      fetch: options.fetch,
    }),
    skillListTool({ dir: t.skillsDir }),
    skillInvokeTool({ dir: t.skillsDir }),
    routerosExecuteTool(options.executor),
    shellExecTool({ workspace, allowed: t.allowedShellCmds }),
    fileReadTool({ workspace }),
    fileWriteTool({ workspace }),
    composioCallTool({
      env: {},
      url: t.composioUrl,
      apiKey: t.composioApiKey?.reveal(),
      fetch: options.fetch,
    }),
  ];
}
