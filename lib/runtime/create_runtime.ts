/**
 * `createRuntime`: turns a loaded {@linkcode Config} into the running parts — state store,
 * identity, provider chain, RouterOS client and policy, memory, the 14 tools, the agent, the
 * gateway and the configured channels. The CLI's `agent`, `gateway` and `mcp` commands and the
 * examples all start from here, so every entry point gets the same guards.
 * @module
 */
import type { Config, ProviderName } from "../config/types.ts";
import { collectSecrets } from "../config/load_config.ts";
import type { Logger } from "../_internal/logger.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { Agent } from "../agent/types.ts";
import { createAgent } from "../agent/create_agent.ts";
import type { Provider } from "../providers/types.ts";
import { createProvider } from "../providers/registry.ts";
import { createFallbackProvider, type FallbackEntry } from "../providers/fallback.ts";
import { probeProvider } from "../providers/probe.ts";
import type { StateStore } from "../storage/types.ts";
import { createStateStoreFromUrl } from "../storage/from_url.ts";
import type { Identity } from "../identity/load_identity.ts";
import { loadIdentity } from "../identity/load_identity.ts";
import type { Memory } from "../memory/types.ts";
import { createMemory } from "../memory/create_memory.ts";
import { memuDriver } from "../memory/memu_driver.ts";
import { storageMemoryDriver } from "../memory/storage_driver.ts";
import type { RouterOS } from "../routeros/types.ts";
import { createRouterOS } from "../routeros/create_routeros.ts";
import { createRouterOSPolicy } from "../routeros/policy.ts";
import { createRouterOSExecutor, type RouterOSExecutor } from "../routeros/executor.ts";
import { analyzeRecipe, investigateRecipe, runRouterOSRecipe } from "../routeros/recipes.ts";
import type { Tool } from "../tools/types.ts";
import type { Gateway, TaskHandlers, TaskInfo } from "../gateway/types.ts";
import { createGateway } from "../gateway/create_gateway.ts";
import type { Channel } from "../channels/types.ts";
import { builtinTools } from "./builtin_tools.ts";
import { configuredChannels } from "./channels.ts";

/** Options of {@linkcode createRuntime}. */
export interface RuntimeOptions {
  config: Config;
  logger?: Logger;
  /** Transport for every outside service (tests, proxies). @default {globalThis.fetch} */
  fetch?: typeof globalThis.fetch;
  /** Build the chat channels too (`agent` yes, `gateway` and `mcp` no). @default {false} */
  channels?: boolean;
  /** An already-open store (tests, examples); otherwise `MIKROCLAW_STORAGE` is opened. */
  store?: StateStore;
  /** Replace the provider built from the configuration (tests, examples). */
  provider?: Provider;
}

/** Everything a running MikroClaw holds. */
export interface Runtime {
  readonly config: Config;
  readonly store: StateStore;
  readonly identity: Identity;
  readonly provider: Provider;
  readonly router: RouterOS | undefined;
  readonly executor: RouterOSExecutor | undefined;
  readonly memory: Memory | undefined;
  readonly tools: readonly Tool[];
  readonly agent: Agent;
  readonly gateway: Gateway;
  readonly channels: readonly Channel[];
  /** Every configured secret value, for scrubbing. */
  readonly secrets: readonly string[];
  /** Starts the gateway's workers and probes, then every channel (until `stop`). */
  start(): Promise<void>;
  /** Stops channels, drains tasks, closes the store. */
  stop(): Promise<void>;
}

function entryFor(config: Config, provider: ProviderName, model: string | undefined, fetch?: typeof globalThis.fetch): Provider {
  const own = config.llm.providers[provider];
  const primary = provider === config.llm.provider;
  const apiKey = (primary ? config.llm.apiKey : undefined) ?? own.apiKey;
  const baseURL = (primary ? config.llm.baseUrl : undefined) ?? own.baseUrl;
  return createProvider(provider, {
    env: {},
    timeoutMs: config.llm.timeoutMs,
    ...(apiKey ? { apiKey: apiKey.reveal() } : {}),
    ...(baseURL ? { baseURL } : {}),
    ...(model ? { model } : {}),
    ...(fetch ? { fetch } : {}),
  });
}

/** The primary provider and `RELIABLE_PROVIDERS`, as one chain with retries and fallback. */
export function providerFromConfig(
  config: Config,
  options: { logger?: Logger; fetch?: typeof globalThis.fetch } = {},
): Provider {
  const primary = entryFor(config, config.llm.provider, config.llm.model, options.fetch);
  const entries: FallbackEntry[] = [
    { provider: primary },
    ...config.llm.fallbacks.map((f) => ({ provider: entryFor(config, f.provider, f.model, options.fetch) })),
  ];
  const chain = createFallbackProvider(entries, {
    timeoutMs: config.llm.timeoutMs,
    logger: options.logger ?? silentLogger,
  });
  // Health and doctor probe the primary with its cheapest call (a model list), never a chat.
  const probe = (init?: { signal?: AbortSignal }) => probeProvider(primary, init);
  return {
    id: chain.id,
    model: chain.model,
    probe,
    chat: config.llm.streaming
      ? (request, init) => chain.chat(request, init)
      : (request, init) => chain.chat({ ...request, stream: false }, init),
  };
}

function targetsOf(task: TaskInfo): string[] {
  const raw = task.params?.targets;
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === "string") return raw.split(/[\s,]+/).filter(Boolean);
  return (task.input ?? "").split(/[\s,]+/).filter(Boolean);
}

function scopesOf(task: TaskInfo): string[] | undefined {
  const raw = task.params?.scopes;
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === "string") return raw.split(/[\s,]+/).filter(Boolean);
  return undefined;
}

function taskHandlers(agent: Agent, router: RouterOS | undefined, tools: readonly Tool[], logger: Logger): TaskHandlers {
  const runAgent = (task: TaskInfo) => async (prompt: string, init: { signal?: AbortSignal | undefined }) =>
    (await agent.run({
      input: prompt,
      sessionKey: `task:${task.task_id}`,
      requestedBy: task.requested_by,
      ...(init.signal ? { signal: init.signal } : {}),
    })).text;
  const needRouter = (type: string): RouterOS => {
    if (!router) throw new Error(`Cannot run a ${type} task: no router is configured (set ROUTER_URL or ROUTER_HOST)`);
    return router;
  };
  const skillInvoke = tools.find((t) => t.name === "skill_invoke");
  return {
    investigate: async (task, { signal }) => {
      const recipe = investigateRecipe({ targets: targetsOf(task), ...(scopesOf(task) ? { scopes: scopesOf(task)! } : {}) });
      const out = await runRouterOSRecipe(recipe, { router: needRouter("investigate"), runAgent: runAgent(task), signal });
      return out.result;
    },
    analyze: async (task, { signal }) => {
      const scopes = scopesOf(task);
      const recipe = analyzeRecipe({ ...(scopes ? { scopes } : {}), ...(task.input ? { question: task.input } : {}) });
      const out = await runRouterOSRecipe(recipe, { router: needRouter("analyze"), runAgent: runAgent(task), signal });
      return out.result;
    },
    skill_invoke: async (task, { signal }) => {
      if (!skillInvoke) throw new Error("Cannot run a skill_invoke task: skills are not configured");
      const params = task.params === undefined ? undefined : JSON.stringify(task.params);
      const result = await skillInvoke.call(
        { skill: task.skill, ...(params ? { params } : {}) },
        { signal, requestedBy: task.requested_by, sessionKey: `task:${task.task_id}`, logger },
      );
      if (result.isError) throw new Error(result.content);
      return result.content;
    },
  };
}

/** Builds every part from `config`; nothing listens or polls until `start()`. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config } = options;
  const logger = options.logger ?? silentLogger;
  const fetch = options.fetch;
  const secrets = collectSecrets(config);
  const store = options.store ?? await createStateStoreFromUrl(config.storage.url, { logger });
  const identity = await loadIdentity(store, { agentId: config.storage.agentId });
  const provider = options.provider ?? providerFromConfig(config, { logger, ...(fetch ? { fetch } : {}) });

  let router: RouterOS | undefined;
  let executor: RouterOSExecutor | undefined;
  if (config.router.url) {
    router = createRouterOS({
      url: config.router.url,
      user: config.router.user ?? "",
      password: config.router.password?.reveal() ?? "",
      tlsFingerprint: config.router.tlsFingerprint,
      ...(fetch && !config.router.tlsFingerprint ? { fetch } : {}),
    });
    executor = createRouterOSExecutor({
      router,
      policy: createRouterOSPolicy({
        allowWrite: config.router.allowWrite,
        allowExecute: config.router.allowExecute,
        writeScopes: config.router.writeScopes,
      }),
    });
  }

  const memory = config.memory.memuApiKey
    ? createMemory({
      driver: memuDriver({
        apiKey: config.memory.memuApiKey.reveal(),
        baseUrl: config.memory.memuBaseUrl,
        agentId: identity.id,
        ...(fetch ? { fetch } : {}),
      }),
    })
    : createMemory({ driver: storageMemoryDriver({ store }) });

  // The gateway is built after the agent, but health_check reads the gateway's cached probes.
  let gatewayRef: Gateway | undefined;
  const tools = builtinTools({
    config,
    memory,
    executor,
    ...(fetch ? { fetch } : {}),
    healthSource: async () => {
      if (!gatewayRef) return { status: "starting" };
      const res = await gatewayRef.fetch(new Request("http://127.0.0.1/health"));
      return await res.json() as Record<string, unknown>;
    },
  });

  const agent = createAgent({
    provider,
    tools,
    memory,
    autoRecall: config.memory.autoRecall,
    maxSteps: config.llm.maxSteps,
    secrets,
    logger,
    ...(config.llm.systemPrompt ? { systemPrompt: config.llm.systemPrompt } : {}),
  });

  const channels = options.channels ? configuredChannels({ config, agent, logger, ...(fetch ? { fetch } : {}) }) : [];
  const webhooks: Record<string, (req: Request) => Promise<Response>> = {};
  for (const channel of channels) {
    if (channel.webhook) webhooks[channel.name] = (req) => channel.webhook!(req);
  }

  const gateway = createGateway({
    agent,
    store,
    logger,
    tasks: taskHandlers(agent, router, tools, logger),
    webhooks,
    pairingRequired: config.gateway.pairingRequired,
    bindHost: config.gateway.bind,
    trustedProxies: config.gateway.trustedProxies,
    tokenTtlMs: config.gateway.tokenTtlSeconds * 1000,
    taskConcurrency: config.gateway.taskConcurrency,
    taskQueueLimit: config.gateway.taskQueueLimit,
    taskRetentionMs: config.gateway.taskRetentionSeconds * 1000,
    health: {
      llm: async (signal) => (await probeProvider(provider, { signal })).ok,
      ...(router ? { routeros: async (signal: AbortSignal) => {
        await router!.get("/system/resource", undefined, { signal });
        return true;
      } } : {}),
      ...(config.memory.memuApiKey ? { memu: async (signal: AbortSignal) => (await memory.probe({ signal })).ok } : {}),
    },
  });
  gatewayRef = gateway;

  const controller = new AbortController();
  const running: Promise<void>[] = [];
  return {
    config,
    store,
    identity,
    provider,
    router,
    executor,
    memory,
    tools,
    agent,
    gateway,
    channels,
    secrets,
    async start() {
      await gateway.start();
      for (const channel of channels) {
        running.push(
          channel.start({ signal: controller.signal }).catch((error: unknown) => {
            logger.error(`Channel ${channel.name} stopped:`, error instanceof Error ? error.message : error);
          }),
        );
      }
    },
    async stop() {
      controller.abort();
      await Promise.allSettled(running);
      await gateway.stop();
      await store.dispose();
    },
  };
}
