/**
 * What a container deployment puts into `/container/envs`: every setting that differs from its
 * default (secrets as script variables to fill in, or `ENCRYPTED:` values as they are), and the
 * settings the deployment itself decides.
 * @module
 */
import type { Env } from "../_internal/env.ts";
import { describeConfig, type DescribedValue } from "../config/load_config.ts";
import { SETTINGS } from "../config/settings.ts";
import type { Config } from "../config/types.ts";
import { findProvider } from "../config/provider_catalog.ts";

/** One `/container/envs` entry; a secret's value is the script variable holding it. */
export interface ContainerEnv {
  key: string;
  value: string;
  secret: boolean;
  note?: string;
}

/** What {@linkcode containerSettings} returns. */
export interface ContainerSettings {
  /** The configured settings, in documentation order. */
  envs: ContainerEnv[];
  /** The script variables the owner fills in, each with its setting. */
  secrets: { key: string; variable: string }[];
  /** The settings the deployment decides (router URL, user, gateway bind and port, …). */
  deployment: [string, string][];
}

// Settings the container gets from the deployment itself, not from the local config.
const DEPLOYMENT_KEYS = new Set([
  "ROUTER_HOST",
  "ROUTER_URL",
  "ROUTER_USER",
  "ROUTER_PASS",
  "ROUTER_TLS_FINGERPRINT",
  "GATEWAY_BIND",
  "PAIRING_REQUIRED",
  "MIKROCLAW_STORAGE",
  "MIKROCLAW_STATE_DIR",
  "GATEWAY_PORT",
  "WORKSPACE_DIR",
  "SKILLS_DIR",
  "MIKROCLAW_TOKEN",
]);

/** The env text of a described (non-secret) value, `undefined` = unset. */
function envText(value: DescribedValue): string | undefined {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(",");
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Whether a described value equals the setting's default text (then it need not be sent). */
function isDefault(value: DescribedValue, defaultText: string | undefined): boolean {
  if (defaultText === undefined) return false;
  const d = defaultText.trim().toLowerCase();
  if (typeof value === "boolean") return ["1", "true", "on", "yes"].includes(d) === value;
  if (typeof value === "number") {
    const m = /^(\d+)\s*([smhd]?)$/.exec(d);
    return m !== null && Number(m[1]) * (UNIT_SECONDS[m[2] || "s"] ?? 1) === value;
  }
  if (Array.isArray(value)) {
    return value.join(",") ===
      defaultText.split(",").map((s) => s.trim()).filter(Boolean).join(",");
  }
  return value === defaultText;
}

/**
 * The container's settings for a deployment where the router is `routerIp` and the agent's
 * RouterOS user is `name`; `env` is the raw environment (for `ENCRYPTED:` secrets).
 */
export function containerSettings(
  config: Config,
  options: { routerIp: string; name: string; env?: Env | undefined },
): ContainerSettings {
  const described = describeConfig(config);
  const secretNames = new Set(SETTINGS.filter((s) => s.secret).map((s) => s.name));
  const defaults = new Map(SETTINGS.map((s) => [s.name, s.default]));

  // Settings for /container/envs, in documentation order.
  const envs: ContainerEnv[] = [];
  const secrets: { key: string; variable: string }[] = [];
  /** A secret the owner fills in: a script variable, its env entry pointing at it. */
  const addSecret = (key: string): void => {
    const variable = `secret${secrets.length + 1}`;
    secrets.push({ key, variable });
    envs.push({ key, value: `$${variable}`, secret: true });
  };
  for (const setting of SETTINGS) {
    const key = setting.name;
    if (DEPLOYMENT_KEYS.has(key)) continue;
    if (secretNames.has(key)) {
      if (described[key] !== "set") continue;
      const raw = options.env?.[key]?.trim();
      if (raw !== undefined && raw.startsWith("ENCRYPTED:")) {
        envs.push({
          key,
          value: raw,
          secret: false,
          note: "encrypted, needs MIKROCLAW_SECRET_KEY",
        });
      } else {
        addSecret(key);
      }
      continue;
    }
    const value = described[key] ?? null;
    const text = envText(value);
    if (text === undefined || isDefault(value, defaults.get(key))) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:\*\*\*@/i.test(text)) {
      // a URL whose password describeConfig hid: treat it like a secret
      addSecret(key);
      continue;
    }
    envs.push({ key, value: text, secret: false });
  }
  const provider = findProvider(config.llm.provider);
  if (config.llm.apiKey === undefined && provider?.keyRequired) {
    // No key configured here: leave the slot to fill in, or the agent cannot answer.
    secrets.unshift({ key: "LLM_API_KEY", variable: "llmKey" });
    envs.unshift({ key: "LLM_API_KEY", value: "$llmKey", secret: true });
  }
  const deployment: [string, string][] = [
    ["ROUTER_URL", `http://${options.routerIp}/rest`],
    ["ROUTER_USER", options.name],
    ["GATEWAY_BIND", "0.0.0.0"],
    ["GATEWAY_PORT", String(config.gateway.port)],
  ];
  // Storage stays the image's default (memory) unless Redis is configured: the owner of the
  // /data mount on the router is unknown, and fs: on a mount the image's user cannot write
  // stops the container at start (see the comment in section 4 to turn it on).
  if (config.storage.kind === "redis") deployment.push(["MIKROCLAW_STORAGE", config.storage.url]);
  if (config.tools.skillsDir !== undefined) deployment.push(["SKILLS_DIR", "/data/skills"]);
  return { envs, secrets, deployment };
}
