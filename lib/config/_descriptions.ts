/**
 * What each setting means, in one line: the text of `config --list`, the README table and the
 * CLI help. Apart from the settings table so that a gateway, which only parses values, does not
 * load it.
 * @module
 */
import { findProvider } from "./provider_catalog.ts";

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  LLM_PROVIDER: "primary LLM provider",
  MODEL: "model id of the primary provider",
  LLM_API_KEY: "API key of the primary provider (wins over the provider's own variable)",
  LLM_BASE_URL: "base URL of the primary provider (wins over <NAME>_BASE_URL)",
  RELIABLE_PROVIDERS: "fallback chain: comma list of provider or provider:model",
  LLM_STREAMING: "stream model output",
  LLM_TIMEOUT_MS: "total time budget of one model call, retries included (ms)",
  MAX_STEPS: "most model calls in one agent turn",
  SYSTEM_PROMPT: "replaces the built-in system prompt",
  ROUTER_HOST: "RouterOS host (REST at https://HOST/rest)",
  ROUTER_URL: "full RouterOS REST base, overrides ROUTER_HOST",
  ROUTER_USER: "RouterOS user (use a least-privilege group)",
  ROUTER_PASS: "RouterOS password",
  ROUTER_TLS_FINGERPRINT: "SHA-256 pin of the router's (self-signed) certificate",
  ROUTEROS_ALLOW_WRITE: "allow router writes within ROUTEROS_WRITE_SCOPES",
  ROUTEROS_ALLOW_EXECUTE: "allow free-form console commands (/execute)",
  ROUTEROS_WRITE_SCOPES: "menus writes may touch",
  ROUTEROS_FIREWALL:
    "add (and remove on exit) an input rule letting ROUTEROS_ALLOW_SUBNETS reach the gateway",
  ROUTEROS_ALLOW_SUBNETS: "subnets the firewall rule admits",
  HEARTBEAT_ROUTEROS: "add a router scheduler entry that pings /health/heartbeat",
  ROUTEROS_APPROVAL: "writes wait for a person's approval",
  ROUTEROS_APPROVERS:
    "who may approve: telegram:<id>, discord:<id>, slack:<id>, gateway:<token id>",
  ROUTEROS_APPROVAL_TTL: "seconds a pending change waits before it expires",
  ROUTEROS_CONFIRM_SECONDS:
    "auto-revert an applied change unless confirmed within this time (0 = off)",
  BOT_TOKEN: "Telegram bot token",
  TELEGRAM_API_BASE: "Telegram Bot API base",
  TELEGRAM_ALLOWLIST: "Telegram user ids allowed to talk (* = all; empty = none)",
  TELEGRAM_WEBHOOK_SECRET: "secret of the Telegram webhook (X-Telegram-Bot-Api-Secret-Token)",
  DISCORD_BOT_TOKEN: "Discord bot token",
  DISCORD_PUBLIC_KEY: "Discord application public key (interactions)",
  DISCORD_API_BASE: "Discord REST base",
  DISCORD_GATEWAY_URL: "Discord gateway URL (default: asked from /gateway/bot)",
  DISCORD_ALLOWLIST: "Discord user ids allowed to talk (* = all; empty = none)",
  SLACK_BOT_TOKEN: "Slack bot token (xoxb-\u2026)",
  SLACK_APP_TOKEN: "Slack app token for Socket Mode (xapp-\u2026)",
  SLACK_SIGNING_SECRET: "Slack signing secret (Events API)",
  SLACK_API_BASE: "Slack Web API base",
  SLACK_ALLOWLIST: "Slack user ids allowed to talk (* = all; empty = none)",
  GATEWAY_PORT: "gateway port",
  GATEWAY_BIND: "gateway address",
  PAIRING_REQUIRED: "require a paired bearer token (0 only on a loopback bind)",
  GATEWAY_ALLOWED_HOSTS:
    "names the gateway answers to besides its address and loopback (Host check against DNS rebinding)",
  GATEWAY_CONSOLE: "serve the web console at / and /console/ (off: 404)",
  TRUSTED_PROXIES: "proxies whose X-Forwarded-For is believed",
  GATEWAY_TOKEN_TTL: "lifetime of a gateway token",
  GATEWAY_RATE_LIMIT: "requests per second each client may make (token bucket refill)",
  GATEWAY_RATE_BURST: "requests a client may make at once before the rate limit applies",
  TASK_CONCURRENCY: "tasks run at once",
  TASK_QUEUE_LIMIT: "most queued tasks",
  TASK_RETENTION: "how long finished tasks are kept",
  ALERT_TO: "who gets watch alerts: telegram:<id>, discord:<id>, slack:<id>",
  ALERT_QUIET_HOURS: "local times without alerts, in the router's time zone (e.g. 22:00-07:00)",
  ALERT_QUIET_MODE: "alerts in quiet hours: hold (one summary after) or drop",
  WATCH_DEDUPE: "a subject that is still down alerts again only after this long",
  WATCH_POLL: "seconds between polls of the router's interfaces, load, log and leases (0 = off)",
  WATCH_CPU_PERCENT: "CPU load that alerts once it lasts WATCH_SUSTAIN",
  WATCH_MEMORY_PERCENT: "memory use that alerts once it lasts WATCH_SUSTAIN",
  WATCH_SUSTAIN: "how long CPU or memory must stay over its threshold",
  WATCH_LOGIN_FAILURES: "router login failures in /log that make one alert",
  WATCH_DISK_PERCENT: "disk use that alerts once it lasts WATCH_SUSTAIN",
  WATCH_FIREWALL_PACKETS: "packets one watched firewall rule may gain per poll (0 = off)",
  ALERT_EXPLAIN: "follow each alert with the model's explanation",
  WORKSPACE_DIR: "the only folder file tools may touch",
  FORBIDDEN_PATHS: "extra workspace paths file tools refuse",
  ALLOWED_SHELL_CMDS: "programs shell_exec may run (empty = none)",
  SKILLS_DIR: "folder of executable skills",
  WEBSCRAPE_SERVICES: "web_scrape services in order: jina, firecrawl, direct",
  WEB_SEARCH_PROVIDER: "web_search backend",
  BRAVE_API_KEY: "Brave Search API key",
  TAVILY_API_KEY: "Tavily API key",
  SEARXNG_URL: "SearXNG instance URL",
  JINA_API_KEY: "Jina Reader API key (optional)",
  FIRECRAWL_API_KEY: "Firecrawl API key",
  COMPOSIO_URL: "Composio-compatible endpoint",
  COMPOSIO_API_KEY: "Composio API key",
  MCP_SERVERS: "MCP servers whose tools are offered (JSON or a file path)",
  MEMU_API_KEY: "memU cloud API key",
  MEMU_BASE_URL: "memU API base",
  MEMORY_AUTO_RECALL: "put recalled memories into each turn's context",
  MIKROCLAW_STORAGE: "state storage: memory (nothing on disk), fs:/path or redis://host:port",
  AGENT_ID: "device identity id (overrides the stored one)",
  MIKROCLAW_STATE_DIR: "daemon pid and log folder",
  MIKROCLAW_SECRET_KEY: "key of ENCRYPTED:v2: values",
  MEMU_ENCRYPTION_KEY: "key of the C original's ENCRYPTED:v1: values",
  MIKROCLAW_TOKEN: "gateway bearer token used by the CLI (changes, status)",
  LOG_LEVEL: "log level",
  LOG_FORMAT: "log format (json = one object per line)",
};

/**
 * The one-line description of the setting `name`, which fills the `Config` field `at` (a
 * provider's key and base URL are described from the provider catalogue).
 */
export function settingDescription(name: string, at: string): string {
  const own = DESCRIPTIONS[name];
  if (own !== undefined) return own;
  const provider = /^llm\.providers\.([^.]+)\./.exec(at)?.[1];
  const info = provider === undefined ? undefined : findProvider(provider);
  if (!info) return "";
  if (info.baseUrlEnv === name) return `base URL of ${provider} (the form its official SDK takes)`;
  return info.keyEnv[0] === name
    ? `API key of ${provider}`
    : `API key of ${provider} (alias of ${info.keyEnv[0]})`;
}
