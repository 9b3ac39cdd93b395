/**
 * The typed, grouped, deeply frozen configuration `loadConfig` returns. Every secret is a
 * {@linkcode Secret}; every list is already split; every default is applied.
 * @module
 */
import type { Secret } from "../secrets/secret.ts";

/** Names of the LLM providers MikroClaw knows. */
export type ProviderName =
  | "openrouter"
  | "openai"
  | "anthropic"
  | "gemini"
  | "ollama"
  | "groq"
  | "mistral"
  | "xai"
  | "deepseek"
  | "together"
  | "fireworks"
  | "perplexity"
  | "cohere"
  | "moonshot"
  | "custom";

/** Key and base URL of one provider, as configured (`undefined` = not set). */
export interface ProviderSettings {
  /** `<NAME>_API_KEY` (for openrouter also `OPENROUTER_KEY`). */
  readonly apiKey: Secret | undefined;
  /** `<NAME>_BASE_URL`, without a trailing slash. */
  readonly baseUrl: string | undefined;
}

/** One entry of `RELIABLE_PROVIDERS`. */
export interface ReliableProvider {
  /** The provider, by catalogue name. */
  readonly provider: ProviderName;
  /** Model id; absent = the provider's default. */
  readonly model?: string;
}

/** A sender allowlist: `all` only with an explicit `*`; unset or empty = nobody. */
export interface Allowlist {
  /** Every sender is allowed (`*`). */
  readonly all: boolean;
  /** Immutable sender ids (Telegram user id, Discord snowflake, Slack `U…` id). */
  readonly ids: readonly string[];
}

/** LLM settings. */
export interface LlmConfig {
  /** `LLM_PROVIDER`. @default {"openrouter"} */
  readonly provider: ProviderName;
  /** `MODEL`; `undefined` = the provider's default model. */
  readonly model: string | undefined;
  /** Key of the primary provider: `LLM_API_KEY`, else the provider's own variable. */
  readonly apiKey: Secret | undefined;
  /** Base URL of the primary: `LLM_BASE_URL`, else `<NAME>_BASE_URL`; `undefined` = the default. */
  readonly baseUrl: string | undefined;
  /** `RELIABLE_PROVIDERS`, in order. */
  readonly fallbacks: readonly ReliableProvider[];
  /** `LLM_STREAMING`. @default {true} */
  readonly streaming: boolean;
  /** `LLM_TIMEOUT_MS`. @default {120000} */
  readonly timeoutMs: number;
  /** `MAX_STEPS`. @default {8} */
  readonly maxSteps: number;
  /** `SYSTEM_PROMPT`; `undefined` = the built-in prompt. */
  readonly systemPrompt: string | undefined;
  /** Every provider's own key and base URL (for fallback entries). */
  readonly providers: Readonly<Record<ProviderName, ProviderSettings>>;
}

/** RouterOS settings. */
export interface RouterConfig {
  /** REST base: `ROUTER_URL`, else `https://<ROUTER_HOST>/rest`; `undefined` = no router. */
  readonly url: string | undefined;
  /** `ROUTER_HOST`. */
  readonly host: string | undefined;
  /** `ROUTER_USER`. */
  readonly user: string | undefined;
  /** `ROUTER_PASS`. */
  readonly password: Secret | undefined;
  /** `ROUTER_TLS_FINGERPRINT`, lower-case hex without colons. */
  readonly tlsFingerprint: string | undefined;
  /** `ROUTEROS_ALLOW_WRITE`. @default {false} */
  readonly allowWrite: boolean;
  /** `ROUTEROS_ALLOW_EXECUTE`. @default {false} */
  readonly allowExecute: boolean;
  /** `ROUTEROS_WRITE_SCOPES`. @default {["/ip/firewall/address-list", "/ip/firewall/filter"]} */
  readonly writeScopes: readonly string[];
  /** `ROUTEROS_FIREWALL`. @default {false} */
  readonly firewall: boolean;
  /** `ROUTEROS_ALLOW_SUBNETS`. */
  readonly allowSubnets: readonly string[];
  /** `HEARTBEAT_ROUTEROS`. @default {false} */
  readonly heartbeat: boolean;
  /** `ROUTEROS_APPROVAL`. @default {"off"} */
  readonly approval: "off" | "writes";
  /** `ROUTEROS_APPROVERS` (`telegram:<id>` …); empty = the sender who asked. */
  readonly approvers: readonly string[];
  /** `ROUTEROS_APPROVAL_TTL` in seconds. @default {600} */
  readonly approvalTtlSeconds: number;
  /** `ROUTEROS_CONFIRM_SECONDS`; 0 = off. @default {0} */
  readonly confirmSeconds: number;
}

/** Telegram settings. */
export interface TelegramConfig {
  /** `BOT_TOKEN`; `undefined` = channel off. */
  readonly botToken: Secret | undefined;
  /** `TELEGRAM_API_BASE`. @default {"https://api.telegram.org"} */
  readonly apiBase: string;
  /** `TELEGRAM_ALLOWLIST`. */
  readonly allowlist: Allowlist;
  /** `TELEGRAM_WEBHOOK_SECRET`; `undefined` = no webhook (long polling). */
  readonly webhookSecret: Secret | undefined;
}

/** Discord settings. */
export interface DiscordConfig {
  /** `DISCORD_BOT_TOKEN`; `undefined` = channel off. */
  readonly botToken: Secret | undefined;
  /** `DISCORD_PUBLIC_KEY`, lower-case hex. */
  readonly publicKey: string | undefined;
  /** `DISCORD_API_BASE`. @default {"https://discord.com/api/v10"} */
  readonly apiBase: string;
  /** `DISCORD_GATEWAY_URL`; `undefined` = ask `/gateway/bot`. */
  readonly gatewayUrl: string | undefined;
  /** `DISCORD_ALLOWLIST`. */
  readonly allowlist: Allowlist;
}

/** Slack settings. */
export interface SlackConfig {
  /** `SLACK_BOT_TOKEN`; `undefined` = channel off. */
  readonly botToken: Secret | undefined;
  /** `SLACK_APP_TOKEN` (Socket Mode). */
  readonly appToken: Secret | undefined;
  /** `SLACK_SIGNING_SECRET` (Events API). */
  readonly signingSecret: Secret | undefined;
  /** `SLACK_API_BASE`. @default {"https://slack.com/api"} */
  readonly apiBase: string;
  /** `SLACK_ALLOWLIST`. */
  readonly allowlist: Allowlist;
}

/** Gateway and task settings. */
export interface GatewayConfig {
  /** `GATEWAY_PORT`. @default {18789} */
  readonly port: number;
  /** `GATEWAY_BIND`. @default {"127.0.0.1"} */
  readonly bind: string;
  /** `PAIRING_REQUIRED`; never false on a non-loopback bind. @default {true} */
  readonly pairingRequired: boolean;
  /** `GATEWAY_ALLOWED_HOSTS`: extra names accepted in the `Host` header. @default {[]} */
  readonly allowedHosts: readonly string[];
  /** `GATEWAY_CONSOLE`: serve the web console. @default {true} */
  readonly console: boolean;
  /** `TRUSTED_PROXIES`: IPs or CIDR ranges. */
  readonly trustedProxies: readonly string[];
  /** `GATEWAY_TOKEN_TTL` in seconds. @default {2592000} */
  readonly tokenTtlSeconds: number;
  /** `TASK_CONCURRENCY`. @default {4} */
  readonly taskConcurrency: number;
  /** `GATEWAY_RATE_LIMIT`: requests per second per client. @default {10} */
  readonly rateLimit: number;
  /** `GATEWAY_RATE_BURST`: requests a client may make at once. @default {40} */
  readonly rateBurst: number;
  /** `TASK_QUEUE_LIMIT`. @default {100} */
  readonly taskQueueLimit: number;
  /** `TASK_RETENTION` in seconds. @default {3600} */
  readonly taskRetentionSeconds: number;
}

/** Web search settings. */
export interface WebSearchConfig {
  /** `WEB_SEARCH_PROVIDER`, else the only one configured; `undefined` = none. */
  readonly provider: "brave" | "tavily" | "searxng" | undefined;
  /** `BRAVE_API_KEY`. */
  readonly braveApiKey: Secret | undefined;
  /** `TAVILY_API_KEY`. */
  readonly tavilyApiKey: Secret | undefined;
  /** `SEARXNG_URL`. */
  readonly searxngUrl: string | undefined;
}

/** Tool settings. */
export interface ToolsConfig {
  /** `WORKSPACE_DIR`, as given (resolve it once at start). @default {"./workspace"} */
  readonly workspaceDir: string;
  /** `FORBIDDEN_PATHS`. */
  readonly forbiddenPaths: readonly string[];
  /** `ALLOWED_SHELL_CMDS`; empty = shell_exec refuses everything. */
  readonly allowedShellCmds: readonly string[];
  /** `SKILLS_DIR`; `undefined` = skills off. */
  readonly skillsDir: string | undefined;
  /** `WEBSCRAPE_SERVICES`, in order. */
  readonly webscrapeServices: readonly ("jina" | "firecrawl" | "direct")[];
  /** The `web_search` tool's provider and keys. */
  readonly webSearch: WebSearchConfig;
  /** `JINA_API_KEY`. */
  readonly jinaApiKey: Secret | undefined;
  /** `FIRECRAWL_API_KEY`. */
  readonly firecrawlApiKey: Secret | undefined;
  /** `COMPOSIO_URL`. */
  readonly composioUrl: string | undefined;
  /** `COMPOSIO_API_KEY`. */
  readonly composioApiKey: Secret | undefined;
  /** `MCP_SERVERS` (JSON text or a file path; may hold tokens, hence a secret). */
  readonly mcpServers: Secret | undefined;
}

/** Memory settings. */
export interface MemoryConfig {
  /** `MEMU_API_KEY`; `undefined` = local memory in storage. */
  readonly memuApiKey: Secret | undefined;
  /** `MEMU_BASE_URL`. @default {"https://api.memu.so"} */
  readonly memuBaseUrl: string;
  /** `MEMORY_AUTO_RECALL`; default on when memU is configured. */
  readonly autoRecall: boolean;
}

/** Router watches and their alerts (the jobs service). */
export interface WatchConfig {
  /** `ALERT_TO`: `telegram:<id>`, `discord:<id>`, `slack:<id>`; empty = the approvers, else the allowlisted senders. */
  readonly alertTo: readonly string[];
  /** `ALERT_QUIET_HOURS`: local time ranges without alerts (`22:00-07:00`). */
  readonly quietHours: readonly string[];
  /** `ALERT_QUIET_MODE`: alerts in quiet hours are held for one summary, or dropped. @default {"hold"} */
  readonly quietMode: "hold" | "drop";
  /** `WATCH_DEDUPE`: seconds before a subject still down alerts again. @default {1800} */
  readonly dedupeSeconds: number;
  /** `WATCH_POLL`: seconds between polls of the router; 0 = off. @default {60} */
  readonly pollSeconds: number;
  /** `WATCH_CPU_PERCENT`. @default {90} */
  readonly cpuPercent: number;
  /** `WATCH_MEMORY_PERCENT`. @default {90} */
  readonly memoryPercent: number;
  /** `WATCH_SUSTAIN`: seconds CPU or memory must stay over its threshold. @default {300} */
  readonly sustainSeconds: number;
  /** `WATCH_LOGIN_FAILURES`: failures in the router log that make one alert. @default {5} */
  readonly loginFailures: number;
  /** `WATCH_DISK_PERCENT`. @default {90} */
  readonly diskPercent: number;
  /** `WATCH_FIREWALL_PACKETS`: packets a watched rule may gain per poll; 0 = off. @default {1000} */
  readonly firewallPackets: number;
  /** `ALERT_EXPLAIN`: follow each alert with the model's explanation. @default {false} */
  readonly explain: boolean;
}

/** State storage settings. */
export interface StorageConfig {
  /** `MIKROCLAW_STORAGE`: `memory`, `fs:/path` or `redis://…`. @default {"memory"} */
  readonly url: string;
  /** The backend `url` names. */
  readonly kind: "memory" | "fs" | "redis";
  /** `AGENT_ID`; overrides the stored identity's id. */
  readonly agentId: string | undefined;
  /** `MIKROCLAW_STATE_DIR` with `~` expanded. @default {"~/.mikroclaw"} */
  readonly stateDir: string;
}

/** Keys of encrypted values. */
export interface SecretsConfig {
  /** `MIKROCLAW_SECRET_KEY` (ENCRYPTED:v2:). */
  readonly secretKey: Secret | undefined;
  /** `MEMU_ENCRYPTION_KEY` (ENCRYPTED:v1:, read only). */
  readonly legacyKey: Secret | undefined;
}

/** Log settings. */
export interface LogConfig {
  /** `LOG_LEVEL`. @default {"info"} */
  readonly level: "error" | "warn" | "info" | "debug";
  /** `LOG_FORMAT`. @default {"text"} */
  readonly format: "text" | "json";
}

/** The whole configuration. */
export interface Config {
  /** The model providers and the agent's limits. */
  readonly llm: LlmConfig;
  /** The RouterOS connection and what the agent may change on it. */
  readonly router: RouterConfig;
  /** The chat channels. */
  readonly channels: {
    /** Telegram. */
    readonly telegram: TelegramConfig;
    /** Discord. */
    readonly discord: DiscordConfig;
    /** Slack. */
    readonly slack: SlackConfig;
  };
  /** The HTTP gateway. */
  readonly gateway: GatewayConfig;
  /** The built-in tools. */
  readonly tools: ToolsConfig;
  /** Long-term memory. */
  readonly memory: MemoryConfig;
  /** The shared state store. */
  readonly storage: StorageConfig;
  /** Router watches and alerts. */
  readonly watch: WatchConfig;
  /** The keys of `ENCRYPTED:` values. */
  readonly secrets: SecretsConfig;
  /** Logging. */
  readonly log: LogConfig;
  /** CLI-only settings. */
  readonly cli: {
    /** `MIKROCLAW_TOKEN`: bearer token for `changes` / `status`. */
    readonly token: Secret | undefined;
  };
  /** The configuration file that was read, if any. */
  readonly file: string | undefined;
}
