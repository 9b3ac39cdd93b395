/**
 * The settings table: every known name, its group, default and private valibot
 * schema (string in, typed value out). `SETTINGS` and `loadConfig` are both built from it; the
 * descriptions people read are in `_descriptions.ts`, which a gateway never loads.
 */
import * as v from "valibot";
import { secret } from "../secrets/secret.ts";
import {
  findProvider,
  parseProviderChain,
  type ProviderInfo,
  PROVIDERS,
} from "./provider_catalog.ts";
import { parseIpBytes } from "../_internal/ip.ts";
import type { ProviderName, ReliableProvider } from "./types.ts";
import type { ConfigPath, ConfigValue } from "./_config_path.ts";

/** A value kind: the schema plus the words used in error messages. */
export interface Kind<T = unknown> {
  schema: v.GenericSchema<string, T>;
  /** What a right value looks like, e.g. `0-65535`. */
  expected: string;
  /** A right value. */
  example: string;
}

/** One setting, without where it lands. */
interface SettingText {
  name: string;
  group: string;
  /** Machine default, parsed by `kind` like any value; `undefined` or `""` = unset. */
  default?: string;
  /** Default as shown to people when it is not a plain value (e.g. `per provider`). */
  defaultText?: string;
  secret?: boolean;
  /** Overrides `kind.example`. */
  example?: string;
}

/** Where a setting lands in `Config`, with a kind whose parsed value fits that field. */
type Placed = {
  [P in ConfigPath]: { at: P; kind: Kind<NonNullable<ConfigValue<P>>> };
}[ConfigPath];

/** One setting: its `kind` parses the text; `at` names the `Config` field the value fills. */
export type SettingDef = SettingText & Placed;

/** Names of the LLM providers, from the provider catalogue. */
export const PROVIDER_NAMES: readonly ProviderName[] = PROVIDERS.map((p) => p.name as ProviderName);

const MAX_TEXT = 16_384;
const TEXT = v.pipe(v.string(), v.maxLength(MAX_TEXT));
/** True when `text` has no control character (tab and line breaks too, unless `multiline`). */
function plainText(text: string, multiline = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 127 || (c < 32 && !(multiline && (c === 9 || c === 10 || c === 13)))) return false;
  }
  return true;
}

const LINE = v.pipe(TEXT, v.check((s) => plainText(s)));

function kind<T>(schema: v.GenericSchema<string, T>, expected: string, example: string): Kind<T> {
  return { schema, expected, example };
}

function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function list(item: RegExp, expected: string, example: string) {
  return kind(
    v.pipe(
      LINE,
      v.transform(splitList),
      v.check((items) => items.every((i) => item.test(i))),
    ),
    expected,
    example,
  );
}

/** A comma list of words from `options`. */
function listOf<const T extends string>(options: readonly T[], example: string) {
  return kind(
    v.pipe(LINE, v.transform(splitList), v.array(v.picklist(options))),
    `a comma list of ${options.join(", ")}`,
    example,
  );
}

function int(min: number, max: number, example: string) {
  return kind(
    v.pipe(
      v.string(),
      v.regex(/^\s*\d{1,16}\s*$/),
      v.transform((s) => Number(s.trim())),
      v.minValue(min),
      v.maxValue(max),
    ),
    `an integer ${min}-${max}`,
    example,
  );
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function duration(min: number, max: number, example: string) {
  return kind(
    v.pipe(
      v.string(),
      v.regex(/^\s*\d{1,12}\s*[smhd]?\s*$/i),
      v.transform((s) => {
        const m = /^(\d+)\s*([smhd]?)$/i.exec(s.trim())!;
        return Number(m[1]) * (UNIT_SECONDS[(m[2] || "s").toLowerCase()] ?? 1);
      }),
      v.minValue(min),
      v.maxValue(max),
    ),
    `seconds ${min}-${max} (or with a unit: 10m, 12h, 30d)`,
    example,
  );
}

function choice<const T extends string>(options: readonly T[], example: T) {
  return kind(
    v.pipe(
      v.string(),
      v.transform((s) => s.trim().toLowerCase()),
      v.picklist(options as unknown as T[]),
    ),
    `one of ${options.join(", ")}`,
    example,
  );
}

const TRUE_WORDS = ["1", "true", "on", "yes"];
const FALSE_WORDS = ["0", "false", "off", "no"];

const BOOL = kind(
  v.pipe(
    v.string(),
    v.transform((s) => s.trim().toLowerCase()),
    v.picklist([...TRUE_WORDS, ...FALSE_WORDS]),
    v.transform((s) => TRUE_WORDS.includes(s)),
  ),
  "1/0, true/false, on/off or yes/no",
  "1",
);

function httpUrl(example: string, schemes: readonly string[] = ["http:", "https:"]) {
  return kind(
    v.pipe(
      LINE,
      v.transform((s) => s.trim()),
      v.url(),
      v.check((s) => URL.canParse(s) && schemes.includes(new URL(s).protocol)),
      v.transform((s) => s.replace(/\/+$/, "")),
    ),
    `a ${schemes.map((s) => s.slice(0, -1)).join(" or ")} URL`,
    example,
  );
}

const STRING = kind(v.pipe(LINE, v.minLength(1)), "a non-empty single line", "value");
const TEXT_KIND = kind(
  v.pipe(TEXT, v.minLength(1), v.check((s) => plainText(s, true))),
  "non-empty text without control characters",
  "You are …",
);
const PATH = kind(v.pipe(LINE, v.minLength(1)), "a path", "/data/workspace");
const SECRET = kind(
  v.pipe(
    TEXT,
    v.transform((s) => s.trim()),
    v.minLength(1),
    v.check((s) => plainText(s)),
    v.transform((s) => secret(s)),
  ),
  `a single-line secret of at most ${MAX_TEXT} characters`,
  "sk-…",
);
function validHost(text: string): boolean {
  const h = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (h.includes(":")) {
    return /^[0-9A-Fa-f:.]{2,45}$/.test(h) && h.split(":").length >= 3 &&
      URL.canParse(`http://[${h}]/`);
  }
  if (h.length > 253 || !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*$/.test(h)) {
    return false;
  }
  return !/^[\d.]+$/.test(h) ||
    /^\d{1,3}(?:\.\d{1,3}){3}$/.test(h) && h.split(".").every((o) => Number(o) <= 255);
}

const HOST = kind(
  v.pipe(v.string(), v.transform((s) => s.trim()), v.check(validHost)),
  "a host name or IP address without scheme or port",
  "192.168.88.1",
);
const IP_OR_CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?|[0-9A-Fa-f:]{2,39}(?:\/\d{1,3})?)$/;

function validIpOrCidr(s: string): boolean {
  if (!IP_OR_CIDR.test(s)) return false;
  const [ip, bits] = s.split("/") as [string, string | undefined];
  if (ip.includes(".")) {
    if (!ip.split(".").every((o) => Number(o) <= 255)) return false;
    return bits === undefined || Number(bits) <= 32;
  }
  return ip.includes(":") && (bits === undefined || Number(bits) <= 128);
}

const CIDR_LIST = kind(
  v.pipe(LINE, v.transform(splitList), v.check((items) => items.every(validIpOrCidr))),
  "a comma list of IP addresses or CIDR ranges",
  "172.17.0.0/24,10.0.0.5",
);

/** A channel's sender allowlist: `*`, or ids of the channel's own shape (names change; ids do not). */
function allowlist(id: RegExp, expected: string, example: string) {
  return kind(
    v.pipe(
      LINE,
      v.transform(splitList),
      v.check((items) => items.every((i) => i === "*" || id.test(i))),
      v.transform((items) =>
        items.includes("*") ? { all: true, ids: [] } : { all: false, ids: [...new Set(items)] }
      ),
    ),
    expected,
    example,
  );
}

const FIND_ID = "message the bot once and copy the sender id from the log line " +
  '"message from sender … refused"';
const TELEGRAM_ALLOWLIST_KIND = allowlist(
  /^\d{1,20}$/,
  `a comma list of numeric Telegram user ids, or * (a @username is not an id: ${FIND_ID})`,
  "123456789,987654321",
);
const DISCORD_ALLOWLIST_KIND = allowlist(
  /^\d{15,20}$/,
  `a comma list of Discord user ids (snowflakes of 15-20 digits), or * (a user name is not an id: enable Developer Mode and use Copy User ID, or ${FIND_ID})`,
  "123456789012345678",
);
const SLACK_ALLOWLIST_KIND = allowlist(
  /^[UW][A-Z0-9]{2,20}$/,
  `a comma list of Slack member ids (U… or W…), or * (a @name is not an id: open the profile, More, Copy member ID, or ${FIND_ID})`,
  "U0123ABCD",
);

/** A listen address: an IP literal (brackets and zone ids allowed) or `localhost`, stored bare. */
const BIND = kind(
  v.pipe(
    v.string(),
    v.transform((s) => s.trim().replace(/^\[(.*)\]$/, "$1")),
    v.check((s) => s.toLowerCase() === "localhost" || parseIpBytes(s) !== undefined),
  ),
  "an IP address of this machine (127.0.0.1, 0.0.0.0 for every interface, ::, a LAN address) or localhost",
  "127.0.0.1",
);

/** A comma list of host names (or IP addresses) the gateway answers to in `Host`. */
const HOST_NAMES = kind(
  v.pipe(
    LINE,
    v.transform(splitList),
    v.check((items) =>
      items.every((i) => i.length <= 253 && URL.canParse(`http://${i}/`) && !/[/@?#]/.test(i))
    ),
  ),
  "a comma list of host names or IP addresses without scheme or port",
  "mikroclaw.lan,router.example.com",
);

const FINGERPRINT = kind(
  v.pipe(
    v.string(),
    v.transform((s) => s.trim().replace(/^sha256[:/]/i, "").replaceAll(":", "").toLowerCase()),
    v.regex(/^[0-9a-f]{64}$/),
  ),
  "a SHA-256 certificate fingerprint (64 hex digits, colons allowed)",
  "AB:CD:…(32 bytes)",
);

const KEY_TEXT = kind(
  v.pipe(
    TEXT,
    v.transform((s) => s.trim()),
    v.check((s) => plainText(s)),
    v.minLength(32),
    v.transform((s) => secret(s)),
  ),
  "at least 32 characters (a long passphrase, or 32 random bytes as hex or base64)",
  "$(openssl rand -hex 32)",
);

const LEGACY_KEY = kind(
  v.pipe(
    TEXT,
    v.transform((s) => s.trim()),
    v.minLength(1),
    v.check((s) => plainText(s)),
    v.transform((s) => secret(s)),
  ),
  "a non-empty passphrase",
  "my-old-key",
);

const STORAGE = kind(
  v.pipe(
    LINE,
    v.transform((s) => s.trim()),
    v.check((s) => s === "memory" || /^fs:.+$/.test(s) || /^rediss?:\/\/.+$/.test(s)),
  ),
  "memory, fs:/path or redis://host:port",
  "fs:/data/mikroclaw",
);

const PROVIDER = choice(PROVIDER_NAMES, "openrouter");

const RELIABLE = kind(
  v.pipe(
    LINE,
    v.transform(splitList),
    v.check((items) =>
      items.every((i) => {
        const [p, ...model] = i.split(":");
        return (PROVIDER_NAMES as readonly string[]).includes(p!.trim().toLowerCase()) &&
          (model.length === 0 || model.join(":").trim() !== "");
      })
    ),
    // the check above admits only catalogue names, so each entry is a ReliableProvider
    v.transform((items) => parseProviderChain(items.join(",")) as ReliableProvider[]),
  ),
  `a comma list of provider or provider:model (providers: ${PROVIDER_NAMES.join(", ")})`,
  "openai:gpt-4o-mini,anthropic",
);

const MCP = kind(
  v.pipe(
    TEXT,
    v.minLength(1),
    v.check((s) => {
      const t = s.trim();
      if (!t.startsWith("{")) return plainText(t);
      try {
        const parsed = JSON.parse(t);
        return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
      } catch {
        return false;
      }
    }),
    v.transform((s) => secret(s.trim())),
  ),
  'a JSON object in the mcpServers shape, or the path of a file holding {"mcpServers": {...}}',
  '{"files":{"command":"mcp-files"}}',
);

const AGENT_ID = kind(
  v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)),
  "1-64 letters, digits, dot, dash or underscore",
  "router-office-1",
);

function providerInfo(name: string): ProviderInfo {
  const info = findProvider(name);
  if (!info) throw new TypeError(`Cannot describe provider "${name}": not in the catalogue`);
  return info;
}

/** The environment names that hold a provider's key, in lookup order. */
export function providerKeyNames(name: string): string[] {
  return [...providerInfo(name).keyEnv];
}

/** The environment name of a provider's base URL. */
export function providerBaseUrlName(name: string): string {
  return providerInfo(name).baseUrlEnv;
}

// `custom` reads the primary's own LLM_API_KEY / LLM_BASE_URL, defined with the LLM settings.
const SHARED_WITH_PRIMARY = new Set(["LLM_API_KEY", "LLM_BASE_URL"]);

const PROVIDER_SETTINGS: SettingDef[] = PROVIDER_NAMES.flatMap((p): SettingDef[] => [
  ...providerKeyNames(p).map((n): SettingDef => ({
    name: n,
    at: `llm.providers.${p}.apiKey`,
    group: "llm",
    kind: SECRET,
    secret: true,
  })),
  {
    name: providerBaseUrlName(p),
    at: `llm.providers.${p}.baseUrl`,
    group: "llm",
    kind: httpUrl(providerInfo(p).defaultBaseUrl || "https://api.example.com/v1"),
  },
]).filter((s) => !SHARED_WITH_PRIMARY.has(s.name));

/** Every setting MikroClaw reads, in documentation order. */
export const SETTING_DEFS: readonly SettingDef[] = [
  // LLM
  {
    name: "LLM_PROVIDER",
    at: "llm.provider",
    group: "llm",
    kind: PROVIDER,
    default: "openrouter",
  },
  {
    name: "MODEL",
    at: "llm.model",
    group: "llm",
    kind: STRING,
    defaultText: "per provider",
    example: "gpt-4o-mini",
  },
  {
    name: "LLM_API_KEY",
    at: "llm.apiKey",
    group: "llm",
    kind: SECRET,
    secret: true,
  },
  {
    name: "LLM_BASE_URL",
    at: "llm.baseUrl",
    group: "llm",
    kind: httpUrl("https://api.openai.com/v1"),
  },
  {
    name: "RELIABLE_PROVIDERS",
    at: "llm.fallbacks",
    group: "llm",
    kind: RELIABLE,
    default: "",
  },
  {
    name: "LLM_STREAMING",
    at: "llm.streaming",
    group: "llm",
    kind: BOOL,
    default: "on",
  },
  {
    name: "LLM_TIMEOUT_MS",
    at: "llm.timeoutMs",
    group: "llm",
    kind: int(1000, 3_600_000, "120000"),
    default: "120000",
  },
  {
    name: "MAX_STEPS",
    at: "llm.maxSteps",
    group: "llm",
    kind: int(1, 100, "8"),
    default: "8",
  },
  {
    name: "SYSTEM_PROMPT",
    at: "llm.systemPrompt",
    group: "llm",
    kind: TEXT_KIND,
  },
  ...PROVIDER_SETTINGS,
  // Router
  {
    name: "ROUTER_HOST",
    at: "router.host",
    group: "router",
    kind: HOST,
  },
  {
    name: "ROUTER_URL",
    at: "router.url",
    group: "router",
    kind: httpUrl("http://172.17.0.1/rest"),
  },
  {
    name: "ROUTER_USER",
    at: "router.user",
    group: "router",
    kind: STRING,
    example: "mikroclaw",
  },
  {
    name: "ROUTER_PASS",
    at: "router.password",
    group: "router",
    kind: SECRET,
    secret: true,
  },
  {
    name: "ROUTER_TLS_FINGERPRINT",
    at: "router.tlsFingerprint",
    group: "router",
    kind: FINGERPRINT,
  },
  {
    name: "ROUTEROS_ALLOW_WRITE",
    at: "router.allowWrite",
    group: "router",
    kind: BOOL,
    default: "off",
  },
  {
    name: "ROUTEROS_ALLOW_EXECUTE",
    at: "router.allowExecute",
    group: "router",
    kind: BOOL,
    default: "off",
  },
  {
    name: "ROUTEROS_WRITE_SCOPES",
    at: "router.writeScopes",
    group: "router",
    kind: list(
      /^\/[A-Za-z0-9/_-]*$/,
      "a comma list of RouterOS menu paths",
      "/ip/firewall/address-list",
    ),
    default: "/ip/firewall/address-list,/ip/firewall/filter",
  },
  {
    name: "ROUTEROS_FIREWALL",
    at: "router.firewall",
    group: "router",
    kind: BOOL,
    default: "off",
  },
  {
    name: "ROUTEROS_ALLOW_SUBNETS",
    at: "router.allowSubnets",
    group: "router",
    kind: CIDR_LIST,
    default: "",
  },
  {
    name: "HEARTBEAT_ROUTEROS",
    at: "router.heartbeat",
    group: "router",
    kind: BOOL,
    default: "off",
  },
  {
    name: "ROUTEROS_APPROVAL",
    at: "router.approval",
    group: "router",
    kind: choice(["off", "writes"], "writes"),
    default: "off",
  },
  {
    name: "ROUTEROS_APPROVERS",
    at: "router.approvers",
    group: "router",
    kind: list(
      /^(?:(?:telegram|discord|slack):[A-Za-z0-9_-]{1,64}|gateway:[0-9a-f]{24})$/,
      "a comma list of telegram:<id>, discord:<id>, slack:<id> or gateway:<token id>",
      "telegram:4242",
    ),
    defaultText: "the sender who asked",
  },
  {
    name: "ROUTEROS_APPROVAL_TTL",
    at: "router.approvalTtlSeconds",
    group: "router",
    kind: duration(10, 604_800, "600"),
    default: "600",
  },
  {
    name: "ROUTEROS_CONFIRM_SECONDS",
    at: "router.confirmSeconds",
    group: "router",
    kind: duration(0, 86_400, "120"),
    default: "0",
  },
  // Channels
  {
    name: "BOT_TOKEN",
    at: "channels.telegram.botToken",
    group: "telegram",
    kind: SECRET,
    secret: true,
  },
  {
    name: "TELEGRAM_API_BASE",
    at: "channels.telegram.apiBase",
    group: "telegram",
    kind: httpUrl("https://api.telegram.org"),
    default: "https://api.telegram.org",
  },
  {
    name: "TELEGRAM_ALLOWLIST",
    at: "channels.telegram.allowlist",
    group: "telegram",
    kind: TELEGRAM_ALLOWLIST_KIND,
    defaultText: "none",
  },
  {
    name: "TELEGRAM_WEBHOOK_SECRET",
    at: "channels.telegram.webhookSecret",
    group: "telegram",
    kind: SECRET,
    secret: true,
  },
  {
    name: "DISCORD_BOT_TOKEN",
    at: "channels.discord.botToken",
    group: "discord",
    kind: SECRET,
    secret: true,
  },
  {
    name: "DISCORD_PUBLIC_KEY",
    at: "channels.discord.publicKey",
    group: "discord",
    kind: kind(
      v.pipe(v.string(), v.transform((s) => s.trim().toLowerCase()), v.regex(/^[0-9a-f]{64}$/)),
      "64 hex digits",
      "e3b0c442…(64 hex)",
    ),
  },
  {
    name: "DISCORD_API_BASE",
    at: "channels.discord.apiBase",
    group: "discord",
    kind: httpUrl("https://discord.com/api/v10"),
    default: "https://discord.com/api/v10",
  },
  {
    name: "DISCORD_GATEWAY_URL",
    at: "channels.discord.gatewayUrl",
    group: "discord",
    kind: httpUrl("wss://gateway.discord.gg", ["wss:", "ws:"]),
  },
  {
    name: "DISCORD_ALLOWLIST",
    at: "channels.discord.allowlist",
    group: "discord",
    kind: DISCORD_ALLOWLIST_KIND,
    defaultText: "none",
  },
  {
    name: "SLACK_BOT_TOKEN",
    at: "channels.slack.botToken",
    group: "slack",
    kind: SECRET,
    secret: true,
  },
  {
    name: "SLACK_APP_TOKEN",
    at: "channels.slack.appToken",
    group: "slack",
    kind: SECRET,
    secret: true,
  },
  {
    name: "SLACK_SIGNING_SECRET",
    at: "channels.slack.signingSecret",
    group: "slack",
    kind: SECRET,
    secret: true,
  },
  {
    name: "SLACK_API_BASE",
    at: "channels.slack.apiBase",
    group: "slack",
    kind: httpUrl("https://slack.com/api"),
    default: "https://slack.com/api",
  },
  {
    name: "SLACK_ALLOWLIST",
    at: "channels.slack.allowlist",
    group: "slack",
    kind: SLACK_ALLOWLIST_KIND,
    defaultText: "none",
  },
  // Gateway
  {
    name: "GATEWAY_PORT",
    at: "gateway.port",
    group: "gateway",
    kind: kind(
      v.pipe(
        v.string(),
        v.regex(/^\s*\d{1,5}\s*$/),
        v.transform((s) => Number(s.trim())),
        v.maxValue(65535),
      ),
      "0-65535",
      "18789",
    ),
    default: "18789",
  },
  {
    name: "GATEWAY_BIND",
    at: "gateway.bind",
    group: "gateway",
    kind: BIND,
    default: "127.0.0.1",
    example: "127.0.0.1",
  },
  {
    name: "PAIRING_REQUIRED",
    at: "gateway.pairingRequired",
    group: "gateway",
    kind: BOOL,
    default: "on",
  },
  {
    name: "GATEWAY_ALLOWED_HOSTS",
    at: "gateway.allowedHosts",
    group: "gateway",
    kind: HOST_NAMES,
    default: "",
  },
  {
    name: "GATEWAY_CONSOLE",
    at: "gateway.console",
    group: "gateway",
    kind: BOOL,
    default: "on",
  },
  {
    name: "TRUSTED_PROXIES",
    at: "gateway.trustedProxies",
    group: "gateway",
    kind: CIDR_LIST,
    default: "",
  },
  {
    name: "GATEWAY_TOKEN_TTL",
    at: "gateway.tokenTtlSeconds",
    group: "gateway",
    kind: duration(60, 31_536_000, "30d"),
    default: "30d",
  },
  {
    name: "GATEWAY_RATE_LIMIT",
    at: "gateway.rateLimit",
    group: "gateway",
    kind: int(1, 1_000_000, "10"),
    default: "10",
  },
  {
    name: "GATEWAY_RATE_BURST",
    at: "gateway.rateBurst",
    group: "gateway",
    kind: int(1, 1_000_000, "40"),
    default: "40",
  },
  {
    name: "TASK_CONCURRENCY",
    at: "gateway.taskConcurrency",
    group: "gateway",
    kind: int(1, 64, "4"),
    default: "4",
  },
  {
    name: "TASK_QUEUE_LIMIT",
    at: "gateway.taskQueueLimit",
    group: "gateway",
    kind: int(1, 100_000, "100"),
    default: "100",
  },
  {
    name: "TASK_RETENTION",
    at: "gateway.taskRetentionSeconds",
    group: "gateway",
    kind: duration(0, 2_592_000, "3600"),
    default: "3600",
  },
  // Jobs and watches
  {
    name: "ALERT_TO",
    at: "watch.alertTo",
    group: "watch",
    kind: list(
      /^(?:telegram|discord|slack):[A-Za-z0-9_-]{1,64}$/,
      "a comma list of telegram:<id>, discord:<id> or slack:<id>",
      "telegram:4242",
    ),
    defaultText: "the approvers, else the allowlisted senders",
  },
  {
    name: "ALERT_QUIET_HOURS",
    at: "watch.quietHours",
    group: "watch",
    kind: list(
      /^(?:[01]?\d|2[0-3]):[0-5]\d-(?:[01]?\d|2[0-3]):[0-5]\d$/,
      "a comma list of HH:MM-HH:MM ranges",
      "22:00-07:00",
    ),
    defaultText: "none",
  },
  {
    name: "ALERT_QUIET_MODE",
    at: "watch.quietMode",
    group: "watch",
    kind: choice(["hold", "drop"], "hold"),
    default: "hold",
  },
  {
    name: "WATCH_DEDUPE",
    at: "watch.dedupeSeconds",
    group: "watch",
    kind: duration(10, 604_800, "30m"),
    default: "1800",
  },
  {
    name: "WATCH_POLL",
    at: "watch.pollSeconds",
    group: "watch",
    kind: duration(0, 86_400, "60"),
    default: "60",
  },
  {
    name: "WATCH_CPU_PERCENT",
    at: "watch.cpuPercent",
    group: "watch",
    kind: int(1, 100, "90"),
    default: "90",
  },
  {
    name: "WATCH_MEMORY_PERCENT",
    at: "watch.memoryPercent",
    group: "watch",
    kind: int(1, 100, "90"),
    default: "90",
  },
  {
    name: "WATCH_SUSTAIN",
    at: "watch.sustainSeconds",
    group: "watch",
    kind: duration(0, 86_400, "5m"),
    default: "300",
  },
  {
    name: "WATCH_LOGIN_FAILURES",
    at: "watch.loginFailures",
    group: "watch",
    kind: int(1, 10_000, "5"),
    default: "5",
  },
  {
    name: "WATCH_DISK_PERCENT",
    at: "watch.diskPercent",
    group: "watch",
    kind: int(1, 100, "90"),
    default: "90",
  },
  {
    name: "WATCH_FIREWALL_PACKETS",
    at: "watch.firewallPackets",
    group: "watch",
    kind: int(0, 1e12, "1000"),
    default: "1000",
  },
  {
    name: "ALERT_EXPLAIN",
    at: "watch.explain",
    group: "watch",
    kind: BOOL,
    default: "off",
  },
  // Tools
  {
    name: "WORKSPACE_DIR",
    at: "tools.workspaceDir",
    group: "tools",
    kind: PATH,
    default: "./workspace",
  },
  {
    name: "FORBIDDEN_PATHS",
    at: "tools.forbiddenPaths",
    group: "tools",
    kind: list(/^.+$/, "a comma list of paths", ".secrets,private"),
    default: "",
  },
  {
    name: "ALLOWED_SHELL_CMDS",
    at: "tools.allowedShellCmds",
    group: "tools",
    kind: list(/^[A-Za-z0-9._+-]{1,64}$/, "a comma list of program names", "ping,dig,uptime"),
    default: "",
  },
  {
    name: "SKILLS_DIR",
    at: "tools.skillsDir",
    group: "tools",
    kind: PATH,
  },
  {
    name: "WEBSCRAPE_SERVICES",
    at: "tools.webscrapeServices",
    group: "tools",
    kind: listOf(["jina", "firecrawl", "direct"], "jina,direct"),
    default: "",
  },
  {
    name: "WEB_SEARCH_PROVIDER",
    at: "tools.webSearch.provider",
    group: "tools",
    kind: choice(["brave", "tavily", "searxng"], "brave"),
    defaultText: "the one configured",
  },
  {
    name: "BRAVE_API_KEY",
    at: "tools.webSearch.braveApiKey",
    group: "tools",
    kind: SECRET,
    secret: true,
  },
  {
    name: "TAVILY_API_KEY",
    at: "tools.webSearch.tavilyApiKey",
    group: "tools",
    kind: SECRET,
    secret: true,
  },
  {
    name: "SEARXNG_URL",
    at: "tools.webSearch.searxngUrl",
    group: "tools",
    kind: httpUrl("http://searxng:8080"),
  },
  {
    name: "JINA_API_KEY",
    at: "tools.jinaApiKey",
    group: "tools",
    kind: SECRET,
    secret: true,
  },
  {
    name: "FIRECRAWL_API_KEY",
    at: "tools.firecrawlApiKey",
    group: "tools",
    kind: SECRET,
    secret: true,
  },
  {
    name: "COMPOSIO_URL",
    at: "tools.composioUrl",
    group: "tools",
    kind: httpUrl("https://backend.composio.dev"),
  },
  {
    name: "COMPOSIO_API_KEY",
    at: "tools.composioApiKey",
    group: "tools",
    kind: SECRET,
    secret: true,
  },
  {
    name: "MCP_SERVERS",
    at: "tools.mcpServers",
    group: "tools",
    kind: MCP,
    secret: true,
  },
  // Memory and state
  {
    name: "MEMU_API_KEY",
    at: "memory.memuApiKey",
    group: "memory",
    kind: SECRET,
    secret: true,
  },
  {
    name: "MEMU_BASE_URL",
    at: "memory.memuBaseUrl",
    group: "memory",
    kind: httpUrl("https://api.memu.so"),
    default: "https://api.memu.so",
  },
  {
    name: "MEMORY_AUTO_RECALL",
    at: "memory.autoRecall",
    group: "memory",
    kind: BOOL,
    defaultText: "on when memU is configured",
  },
  {
    name: "MIKROCLAW_STORAGE",
    at: "storage.url",
    group: "storage",
    kind: STORAGE,
    default: "memory",
  },
  {
    name: "AGENT_ID",
    at: "storage.agentId",
    group: "storage",
    kind: AGENT_ID,
  },
  {
    name: "MIKROCLAW_STATE_DIR",
    at: "storage.stateDir",
    group: "storage",
    kind: PATH,
    default: "~/.mikroclaw",
  },
  // Secrets
  {
    name: "MIKROCLAW_SECRET_KEY",
    at: "secrets.secretKey",
    group: "secrets",
    kind: KEY_TEXT,
    secret: true,
  },
  {
    name: "MEMU_ENCRYPTION_KEY",
    at: "secrets.legacyKey",
    group: "secrets",
    kind: LEGACY_KEY,
    secret: true,
  },
  // CLI and logs
  {
    name: "MIKROCLAW_TOKEN",
    at: "cli.token",
    group: "cli",
    kind: SECRET,
    secret: true,
  },
  {
    name: "LOG_LEVEL",
    at: "log.level",
    group: "log",
    kind: choice(["error", "warn", "info", "debug"], "info"),
    default: "info",
  },
  {
    name: "LOG_FORMAT",
    at: "log.format",
    group: "log",
    kind: choice(["text", "json"], "json"),
    default: "text",
  },
];
