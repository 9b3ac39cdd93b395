/**
 * The integrations registry behind `mikroclaw integrations`: every provider (from the provider
 * registry), channel, tool and service, what each needs and whether it is configured.
 * @module
 */
import type { Config } from "../lib/config/types.ts";
import { PROVIDERS } from "../lib/providers/registry.ts";

/** Kinds of integration. */
export type IntegrationKind = "provider" | "channel" | "tool" | "service";

/** One integration. */
export interface Integration {
  name: string;
  kind: IntegrationKind;
  description: string;
  /** Settings it needs or reads (`A|B` = either). */
  needs: readonly string[];
  /** Whether the configuration enables it. */
  configured(config: Config): boolean;
  /** Extra facts for `info` (never secrets); may ask the service itself. */
  details?(config: Config): Record<string, string> | Promise<Record<string, string>>;
}

const set = (value: unknown): boolean => value !== undefined;

/** `A|B` for settings either of which will do, each named once. */
const eitherOf = (...names: string[]): string => [...new Set(names)].join("|");

function providerIntegrations(): Integration[] {
  return PROVIDERS.map((p): Integration => ({
    name: p.name,
    kind: "provider",
    description: `${p.family} LLM provider${
      p.defaultModel ? ` (default model ${p.defaultModel})` : ""
    }`,
    needs: [
      ...(p.keyRequired ? [p.keyEnv.join("|")] : []),
      ...(p.defaultBaseUrl ? [] : [eitherOf(p.baseUrlEnv, "LLM_BASE_URL")]),
    ],
    configured: (config) => {
      const name = p.name as keyof Config["llm"]["providers"];
      const own = config.llm.providers[name];
      const primary = config.llm.provider === name;
      const key = own?.apiKey ?? (primary ? config.llm.apiKey : undefined);
      const base = own?.baseUrl ?? (primary ? config.llm.baseUrl : undefined);
      return (p.keyRequired ? set(key) : primary || set(base)) &&
        (p.defaultBaseUrl !== "" || set(base));
    },
    details: (config) => {
      const name = p.name as keyof Config["llm"]["providers"];
      const role = config.llm.provider === name
        ? "primary"
        : config.llm.fallbacks.some((f) => f.provider === name)
        ? "fallback"
        : "unused";
      return {
        role,
        family: p.family,
        "key variables": p.keyEnv.join(", "),
        "base URL": config.llm.providers[name]?.baseUrl ?? (p.defaultBaseUrl || "(none: set it)"),
        "default model": p.defaultModel || "(none: set MODEL)",
        docs: p.docs,
      };
    },
  }));
}

const CHANNELS: Integration[] = [
  {
    name: "telegram",
    kind: "channel",
    description: "Telegram bot (long polling, or a webhook with TELEGRAM_WEBHOOK_SECRET)",
    needs: ["BOT_TOKEN", "TELEGRAM_ALLOWLIST"],
    configured: (c) => set(c.channels.telegram.botToken),
    details: (c) => channelDetails(c.channels.telegram),
  },
  {
    name: "discord",
    kind: "channel",
    description: "Discord bot (gateway websocket; interactions with DISCORD_PUBLIC_KEY)",
    needs: ["DISCORD_BOT_TOKEN", "DISCORD_ALLOWLIST"],
    configured: (c) => set(c.channels.discord.botToken),
    details: (c) => channelDetails(c.channels.discord),
  },
  {
    name: "slack",
    kind: "channel",
    description:
      "Slack app (Socket Mode with SLACK_APP_TOKEN, or Events API with SLACK_SIGNING_SECRET)",
    needs: ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN|SLACK_SIGNING_SECRET", "SLACK_ALLOWLIST"],
    configured: (c) =>
      set(c.channels.slack.botToken) &&
      (set(c.channels.slack.appToken) || set(c.channels.slack.signingSecret)),
    details: (c) => channelDetails(c.channels.slack),
  },
];

function tool(
  name: string,
  description: string,
  needs: string[],
  configured: (c: Config) => boolean,
): Integration {
  return { name, kind: "tool", description, needs, configured };
}

const TOOLS: Integration[] = [
  tool("parse_url", "Parse URL host/path", [], () => true),
  tool("health_check", "Return process health", [], () => true),
  tool("memory_store", "Store key/value memory", [], () => true),
  tool("memory_recall", "Recall key memory", [], () => true),
  tool("memory_forget", "Forget key memory", [], () => true),
  tool(
    "web_search",
    "Search web documents (Brave, Tavily or SearXNG)",
    ["WEB_SEARCH_PROVIDER", "BRAVE_API_KEY|TAVILY_API_KEY|SEARXNG_URL"],
    (c) => set(c.tools.webSearch.provider),
  ),
  tool(
    "web_scrape",
    "Scrape URL via cloud services",
    ["WEBSCRAPE_SERVICES"],
    (c) => c.tools.webscrapeServices.length > 0,
  ),
  tool(
    "skill_list",
    "List skills directory entries",
    ["SKILLS_DIR"],
    (c) => set(c.tools.skillsDir),
  ),
  tool(
    "skill_invoke",
    "Invoke executable skill from skills directory",
    ["SKILLS_DIR"],
    (c) => set(c.tools.skillsDir),
  ),
  tool("routeros", "RouterOS tools over REST (read-only unless ROUTEROS_ALLOW_WRITE)", [
    "ROUTER_HOST|ROUTER_URL",
    "ROUTER_USER",
    "ROUTER_PASS",
  ], (c) => set(c.router.url) && set(c.router.password)),
  tool("routeros_execute", "Execute free-form RouterOS console commands", [
    "ROUTER_HOST|ROUTER_URL",
    "ROUTEROS_ALLOW_EXECUTE",
  ], (c) => set(c.router.url) && c.router.allowExecute),
  tool(
    "shell_exec",
    "Execute allowed shell command",
    ["ALLOWED_SHELL_CMDS"],
    (c) => c.tools.allowedShellCmds.length > 0,
  ),
  tool("file_read", "Read file in workspace", ["WORKSPACE_DIR"], () => true),
  tool("file_write", "Write file in workspace", ["WORKSPACE_DIR"], () => true),
  tool(
    "composio_call",
    "Call Composio-compatible endpoint",
    ["COMPOSIO_URL", "COMPOSIO_API_KEY"],
    (c) => set(c.tools.composioUrl) && set(c.tools.composioApiKey),
  ),
];

const SERVICES: Integration[] = [
  {
    name: "routeros",
    kind: "service",
    description: "The MikroTik router's REST API",
    needs: ["ROUTER_HOST|ROUTER_URL", "ROUTER_USER", "ROUTER_PASS"],
    configured: (c) => set(c.router.url),
    details: (c) => ({
      url: c.router.url ? redactUrl(c.router.url) : "(unset)",
      writes: c.router.allowWrite ? c.router.writeScopes.join(", ") : "off",
      execute: c.router.allowExecute ? "on" : "off",
      approval: c.router.approval,
      "tls pin": c.router.tlsFingerprint ? "set" : "unset",
    }),
  },
  {
    name: "memu",
    kind: "service",
    description: "memU cloud memory (else memory lives in MIKROCLAW_STORAGE)",
    needs: ["MEMU_API_KEY"],
    configured: (c) => set(c.memory.memuApiKey),
    details: (c) => ({
      "base URL": c.memory.memuBaseUrl,
      "auto recall": String(c.memory.autoRecall),
    }),
  },
  {
    name: "storage",
    kind: "service",
    description: "State storage: tokens, identity, tasks, change records",
    needs: ["MIKROCLAW_STORAGE"],
    configured: () => true,
    details: (c) => ({ kind: c.storage.kind, url: redactUrl(c.storage.url) }),
  },
  {
    name: "gateway",
    kind: "service",
    description: "The HTTP gateway (pairing, tasks, chat, webhooks, MCP, OpenAI-compatible API)",
    needs: ["GATEWAY_PORT", "GATEWAY_BIND"],
    configured: () => true,
    details: (c) => ({
      listen: `${c.gateway.bind}:${c.gateway.port}`,
      pairing: c.gateway.pairingRequired ? "required" : "off",
    }),
  },
  {
    name: "mcp",
    kind: "service",
    description: "MCP servers whose tools are offered to the model",
    needs: ["MCP_SERVERS"],
    configured: (c) => set(c.tools.mcpServers),
    details: async (c) => {
      if (!c.tools.mcpServers) return {};
      const { connectConfiguredMcp } = await import("../lib/runtime/mcp_servers.ts");
      const { silentLogger } = await import("../lib/_internal/logger.ts");
      const connections = await connectConfiguredMcp(c.tools.mcpServers.reveal(), silentLogger);
      try {
        return Object.fromEntries(
          connections.status().map((s) => [
            s.name,
            s.ok
              ? `${s.tools.length} tools: ${s.tools.join(", ")}${s.skipped ? `; ${s.detail}` : ""}`
              : `not available: ${s.detail}`,
          ]),
        );
      } finally {
        await connections.close();
      }
    },
  },
  {
    name: "brave",
    kind: "service",
    description: "Brave Search API (web_search)",
    needs: ["BRAVE_API_KEY"],
    configured: (c) => set(c.tools.webSearch.braveApiKey),
  },
  {
    name: "tavily",
    kind: "service",
    description: "Tavily search API (web_search)",
    needs: ["TAVILY_API_KEY"],
    configured: (c) => set(c.tools.webSearch.tavilyApiKey),
  },
  {
    name: "searxng",
    kind: "service",
    description: "A SearXNG instance (web_search)",
    needs: ["SEARXNG_URL"],
    configured: (c) => set(c.tools.webSearch.searxngUrl),
  },
  {
    name: "jina",
    kind: "service",
    description: "Jina Reader (web_scrape; key optional)",
    needs: ["WEBSCRAPE_SERVICES=jina"],
    configured: (c) => c.tools.webscrapeServices.includes("jina"),
  },
  {
    name: "firecrawl",
    kind: "service",
    description: "Firecrawl (web_scrape)",
    needs: ["WEBSCRAPE_SERVICES=firecrawl", "FIRECRAWL_API_KEY"],
    configured: (c) =>
      c.tools.webscrapeServices.includes("firecrawl") && set(c.tools.firecrawlApiKey),
  },
  {
    name: "composio",
    kind: "service",
    description: "Composio-compatible endpoint (composio_call)",
    needs: ["COMPOSIO_URL", "COMPOSIO_API_KEY"],
    configured: (c) => set(c.tools.composioUrl) && set(c.tools.composioApiKey),
  },
];

/** Every integration, grouped by kind (providers, channels, tools, services). */
export function listIntegrations(): Integration[] {
  return [...providerIntegrations(), ...CHANNELS, ...TOOLS, ...SERVICES];
}

/** Integrations named `name` (a name may be both a tool and a service, e.g. `routeros`). */
export function findIntegrations(name: string): Integration[] {
  const n = name.trim().toLowerCase();
  return listIntegrations().filter((i) => i.name === n);
}

/** What `info` shows of a chat channel: who may talk to it and which API it uses. */
function channelDetails(channel: {
  allowlist: { all: boolean; ids: readonly string[] };
  apiBase: string;
}): Record<string, string> {
  return { allowlist: allowlistText(channel.allowlist), "api base": channel.apiBase };
}

function allowlistText(list: { all: boolean; ids: readonly string[] }): string {
  return list.all ? "* (everyone)" : list.ids.length === 0 ? "empty (nobody)" : list.ids.join(", ");
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, "//$1:***@");
}
