/**
 * `createRuntime`: turns a loaded {@linkcode Config} into the running parts — state store,
 * identity, provider chain, RouterOS client, policy and change records, memory, the 14 tools
 * (plus `MCP_SERVERS` tools), the agent, the gateway (with `/changes`, `/mcp` and `/v1`) and the
 * configured channels. The CLI's `agent`, `gateway` and `mcp` commands start from here, so every
 * entry point gets the same guards. Optional parts (RouterOS, memU, changes, MCP, the OpenAI
 * surface, each channel) are imported only when configured or first used.
 * @module
 */
import type { Config } from "../config/types.ts";
import { collectSecrets } from "../config/load_config.ts";
import type { Logger } from "../_internal/logger.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { Agent } from "../agent/types.ts";
import type { Provider } from "../providers/types.ts";
import type { StateStore } from "../storage/types.ts";
import { createStateStoreFromUrl } from "../storage/from_url.ts";
import type { Identity } from "../identity/load_identity.ts";
import { loadIdentity } from "../identity/load_identity.ts";
import type { RouterOS } from "../routeros/types.ts";
import type { RouterOSExecutor } from "../routeros/executor.ts";
import type { Tool } from "../tools/types.ts";
import type { Gateway } from "../gateway/types.ts";
import { createGatewayApp } from "../gateway/create_gateway.ts";
import type { ButtonHandler, Channel } from "../channels/types.ts";
import { createHealthMonitor, healthReport } from "../gateway/_health.ts";
import type { ChangeManager } from "../changes/create_change_manager.ts";
import type { AgentStack } from "./agent_stack.ts";
import { lazyAgent } from "./_lazy_agent.ts";
import { missingModelWarning, providerFromConfig } from "./provider.ts";
import { mountInterop } from "./interop.ts";
import { mountConsole } from "./console.ts";
import { jobsPart } from "./jobs.ts";
import { lazyTaskHandlers } from "./lazy_tasks.ts";
import { channelWebhooks } from "./_webhooks.ts";

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
  /** Change records and approvals; present when a router is configured. */
  readonly changes: ChangeManager | undefined;
  /** The agent; its parts are built on its first turn (at creation when `MCP_SERVERS` is set). */
  readonly agent: Agent;
  /**
   * Provider, memory and every tool the agent offers (the 14 built-ins, then `MCP_SERVERS`
   * tools), built on first need: a gateway does not load them before a request uses them.
   */
  agentParts(): Promise<AgentStack>;
  readonly gateway: Gateway;
  readonly channels: readonly Channel[];
  /** Every configured secret value, for scrubbing. */
  readonly secrets: readonly string[];
  /** State of each `MCP_SERVERS` server (empty when none is configured). */
  mcpStatus(): { name: string; ok: boolean; detail: string; tools: string[] }[];
  /** Starts the gateway's workers and probes, change sweeps, then every channel. */
  start(): Promise<void>;
  /** Stops channels, drains tasks, closes MCP clients and the store. */
  stop(): Promise<void>;
}

interface RouterParts {
  router: RouterOS;
  executor: RouterOSExecutor;
  changes: ChangeManager;
  /** Approve / Deny / Confirm / Undo buttons of the chat channels. */
  onButton: ButtonHandler;
}

async function routerParts(
  config: Config,
  store: StateStore,
  logger: Logger,
  channels: () => readonly Channel[],
  fetch: typeof globalThis.fetch | undefined,
): Promise<RouterParts | undefined> {
  if (!config.router.url) return undefined;
  const [{ createRouterOS }, { createRouterOSPolicy }, { createRouterOSExecutor }, changes] =
    await Promise.all([
      import("../routeros/create_routeros.ts"),
      import("../routeros/policy.ts"),
      import("../routeros/executor.ts"),
      import("../changes/create_change_manager.ts"),
    ]);
  const [{ createLockoutGuard }, { changeButtonHandler }, { notifyChannels }] = await Promise.all([
    import("../changes/lockout.ts"),
    import("../changes/chat.ts"),
    import("./notify.ts"),
  ]);
  const router = createRouterOS({
    url: config.router.url,
    user: config.router.user ?? "",
    password: config.router.password?.reveal() ?? "",
    tlsFingerprint: config.router.tlsFingerprint,
    fetch: config.router.tlsFingerprint ? undefined : fetch,
  });
  const policy = createRouterOSPolicy({
    allowWrite: config.router.allowWrite,
    allowExecute: config.router.allowExecute,
    writeScopes: config.router.writeScopes,
  });
  const manager = changes.createChangeManager({
    store,
    router,
    policy,
    approval: config.router.approval,
    approvers: config.router.approvers,
    approvalTtlMs: config.router.approvalTtlSeconds * 1000,
    confirmSeconds: config.router.confirmSeconds,
    lockout: createLockoutGuard({ router }),
    notify: notifyChannels({ channels, logger }),
    logger,
  });
  const executor = createRouterOSExecutor({
    router,
    policy,
    onWrite: manager.onWrite,
    onRefused: manager.onRefused,
  });
  return { router, executor, changes: manager, onButton: changeButtonHandler(manager) };
}

/** Builds every part from `config`; nothing listens or polls until `start()`. */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config } = options;
  const logger = options.logger ?? silentLogger;
  const fetch = options.fetch;
  // Every secret the runtime knows: the configured ones now, MCP_SERVERS values once parsed.
  // The agent and /mcp read this array at use time, so later additions are scrubbed too.
  const secrets = collectSecrets(config);
  const store = options.store ?? await createStateStoreFromUrl(config.storage.url, { logger });
  const identity = await loadIdentity(store, { agentId: config.storage.agentId });
  const provider = options.provider ??
    providerFromConfig(config, { logger, fetch });

  // Built in dependency order. Two cycles are cut by getters read at use time (after start()):
  // the change manager and jobs send through the channels, whose commands and buttons go to
  // them; jobs queue their runs on the gateway, which runs them with the `job` handler.
  const parts = await routerParts(config, store, logger, () => channels, fetch);
  const router = parts?.router;
  const health = createHealthMonitor({
    source: {
      llm: async (signal) =>
        (await (await import("../providers/probe.ts")).probeProvider(provider, { signal })).ok,
      ...(router
        ? {
          routeros: async (signal: AbortSignal) => {
            await router.get("/system/resource", undefined, { signal });
            return true;
          },
        }
        : {}),
      ...(config.memory.memuApiKey
        ? {
          memu: async (signal: AbortSignal) =>
            (await (await agentParts()).memory.probe({ signal })).ok,
        }
        : {}),
    },
    logger,
  });
  const jobs = jobsPart({
    config,
    store,
    router,
    logger,
    send: async (identity, text, buttons) =>
      (await import("./notify.ts")).channelSender({ channels: () => channels, logger })(
        identity,
        text,
        buttons,
      ),
    gateway: () => gateway,
    recipes: () => recipes,
    agent: () => agent,
  });
  let stack: Promise<AgentStack> | undefined;
  let built: AgentStack | undefined;
  /** The agent's half (`agent_stack.ts`), built on first need; a failed build is retried. */
  function agentParts(): Promise<AgentStack> {
    return stack ??= Promise.all([import("./agent_stack.ts"), import("../tools/job_propose.ts")])
      .then(([{ buildAgentStack }, { jobProposeTool }]) =>
        buildAgentStack({
          config,
          store,
          agentId: identity.id,
          logger,
          secrets,
          executor: parts?.executor,
          fetch,
          provider,
          // Only the model in a conversation proposes jobs; token holders add them (not on /mcp).
          agentOnlyTools: [jobProposeTool({ propose: jobs.propose })],
          // The cached probes GET /health shows.
          healthSource: async () => healthReport(health.snapshot()),
        })
      ).then((s) => (built = s), (error: unknown) => {
        stack = undefined; // a later turn tries again
        throw error;
      });
  }
  const agent = lazyAgent(async () => (await agentParts()).agent, () => built?.agent);
  const tools = async (): Promise<readonly Tool[]> => (await agentParts()).tools;
  const recipes = lazyTaskHandlers({ agent, router, tools, logger, secrets });

  const channels: readonly Channel[] = options.channels
    ? await (await import("./channels.ts")).configuredChannels({
      config,
      agent,
      logger,
      store,
      fetch,
      onCommand: (await import("./chat_commands.ts")).chatCommands(
        parts?.changes,
        jobs.chatCommand,
      ),
      onButton: async (press) => {
        const text = await jobs.button(press.data, `${press.channel}:${press.senderId}`);
        return text === undefined ? await parts?.onButton(press) : { text };
      },
    })
    : [];

  const { gateway, app } = createGatewayApp({
    agent,
    store,
    logger,
    tasks: { ...recipes, job: jobs.runJob },
    webhooks: channelWebhooks(channels),
    healthMonitor: health,
    pairingRequired: config.gateway.pairingRequired,
    bindHost: config.gateway.bind,
    allowedHosts: config.gateway.allowedHosts,
    trustedProxies: config.gateway.trustedProxies,
    tokenTtlMs: config.gateway.tokenTtlSeconds * 1000,
    rateLimit: { rps: config.gateway.rateLimit, burst: config.gateway.rateBurst },
    taskConcurrency: config.gateway.taskConcurrency,
    taskQueueLimit: config.gateway.taskQueueLimit,
    taskRetentionMs: config.gateway.taskRetentionSeconds * 1000,
  });
  await mountInterop(app, { agent, tools, secrets, changes: parts?.changes, logger });
  jobs.mount(app);
  mountConsole(app, { enabled: config.gateway.console });
  // MCP servers are connected (and reported) at creation.
  if (config.tools.mcpServers) await agentParts();

  const controller = new AbortController();
  const running: Promise<void>[] = [];
  return {
    config,
    store,
    identity,
    provider,
    router,
    executor: parts?.executor,
    changes: parts?.changes,
    agent,
    agentParts,
    gateway,
    channels,
    secrets,
    mcpStatus: () => built?.mcpStatus() ?? [],
    async start() {
      const noModel = missingModelWarning(config);
      if (noModel) logger.warn(noModel);
      await gateway.start();
      parts?.changes.start();
      await jobs.start();
      for (const channel of channels) {
        running.push(
          channel.start({ signal: controller.signal }).catch((error: unknown) => {
            logger.error(
              `Channel ${channel.name} stopped:`,
              error instanceof Error ? error.message : error,
            );
          }),
        );
      }
    },
    async stop() {
      controller.abort();
      await Promise.allSettled(running);
      await parts?.changes.stop();
      await jobs.stop();
      await gateway.stop();
      await stack?.then((s) => s.close(), () => {});
      await store.dispose();
    },
  };
}
