/**
 * The agent's half of a runtime — memory, the 14 tools (plus `MCP_SERVERS`
 * tools) and the agent — built on first need: a gateway on embedded defaults answers its first
 * requests (health, pairing, tasks list) without loading any of it; `createRuntime` hands out
 * a `lazyAgent` (`_lazy_agent.ts`) that builds the stack on the first turn.
 * @module
 */
import type { Config } from "../config/types.ts";
import type { Logger } from "../_internal/logger.ts";
import type { Agent } from "../agent/types.ts";
import { createAgent } from "../agent/create_agent.ts";
import type { Provider } from "../providers/types.ts";
import type { StateStore } from "../storage/types.ts";
import type { Memory } from "../memory/types.ts";
import { createMemory } from "../memory/create_memory.ts";
import { storageMemoryDriver } from "../memory/storage_driver.ts";
import type { RouterOSExecutor } from "../routeros/executor.ts";
import type { Tool } from "../tools/types.ts";
import { builtinTools } from "./builtin_tools.ts";

/** The agent's parts, built together. */
export interface AgentStack {
  provider: Provider;
  memory: Memory;
  /** The 14 built-ins, then `MCP_SERVERS` tools. */
  tools: readonly Tool[];
  agent: Agent;
  /** State of each `MCP_SERVERS` server (empty when none is configured). */
  mcpStatus(): { name: string; ok: boolean; detail: string; tools: string[] }[];
  /** Closes MCP clients. */
  close(): Promise<void>;
}

/** What {@linkcode buildAgentStack} needs from the runtime. */
export interface AgentStackOptions {
  config: Config;
  store: StateStore;
  agentId: string;
  logger: Logger;
  /** The runtime's secrets; `MCP_SERVERS` values are added to it once parsed. */
  secrets: string[];
  executor: RouterOSExecutor | undefined;
  /** What `health_check` reports. */
  healthSource: () => Promise<Record<string, unknown>>;
  fetch?: typeof globalThis.fetch | undefined;
  /** The runtime's provider chain. */
  provider: Provider;
  /** Tools the agent gets beyond `tools` (not offered on `/mcp`), e.g. `job_propose`. */
  agentOnlyTools?: readonly Tool[];
}

async function memoryFromConfig(
  config: Config,
  store: StateStore,
  agentId: string,
  fetch: typeof globalThis.fetch | undefined,
): Promise<Memory> {
  if (!config.memory.memuApiKey) return createMemory({ driver: storageMemoryDriver({ store }) });
  const { memuDriver } = await import("../memory/memu_driver.ts");
  return createMemory({
    driver: memuDriver({
      apiKey: config.memory.memuApiKey.reveal(),
      baseUrl: config.memory.memuBaseUrl,
      agentId,
      store,
      fetch,
    }),
  });
}

/** Builds provider, memory, tools and agent from `options.config`. */
export async function buildAgentStack(options: AgentStackOptions): Promise<AgentStack> {
  const { config, logger, fetch } = options;
  const provider = options.provider;
  const memory = await memoryFromConfig(config, options.store, options.agentId, fetch);
  const tools: Tool[] = builtinTools({
    config,
    memory,
    executor: options.executor,
    fetch,
    healthSource: options.healthSource,
  });
  const mcp = config.tools.mcpServers
    ? await (await import("./mcp_servers.ts")).connectConfiguredMcp(
      config.tools.mcpServers.reveal(),
      logger,
    )
    : undefined;
  if (mcp) {
    tools.push(...mcp.tools);
    for (const value of mcp.secrets) {
      if (!options.secrets.includes(value)) options.secrets.push(value);
    }
  }
  const agent = createAgent({
    provider,
    tools: [...tools, ...(options.agentOnlyTools ?? [])],
    memory,
    autoRecall: config.memory.autoRecall,
    maxSteps: config.llm.maxSteps,
    secrets: options.secrets,
    logger,
    systemPrompt: config.llm.systemPrompt,
  });
  return {
    provider,
    memory,
    tools,
    agent,
    mcpStatus: () => mcp?.status() ?? [],
    close: async () => await mcp?.close(),
  };
}
