/**
 * `loadConfig`: reads every setting from the environment and an optional `mikroclaw.json`
 * (the environment wins), decrypts `ENCRYPTED:` values, validates everything and returns one
 * typed, deeply frozen {@linkcode Config}.
 * @module
 */
import * as v from "valibot";
import { ConfigError, type ConfigIssue, errorMessage } from "../errors.ts";
import { type Env, processEnv } from "../_internal/env.ts";
import { isLoopbackHost } from "../_internal/ip.ts";
import { isEncryptedValue } from "../secrets/encrypted_prefix.ts";
import { isSecret } from "../secrets/secret.ts";
import { SETTING_DEFS, type SettingDef } from "./_schema.ts";
import { assemble } from "./_assemble.ts";
import type { Allowlist, Config } from "./types.ts";

/** Options of {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** Environment variables. @default {the process environment} */
  env?: Env;
  /** Path of a JSON settings file (`mikroclaw.json`, `--config FILE`); must exist when given. */
  file?: string;
  /** The file's text, instead of reading `file` (then `file` only names it in errors). */
  fileText?: string;
}

/** A JSON-able value of `describeConfig`. */
export type DescribedValue = string | number | boolean | null | readonly string[];

const DEFS = new Map(SETTING_DEFS.map((d) => [d.name, d]));
const described = new WeakMap<Config, Record<string, DescribedValue>>();
const MAX_FILE_BYTES = 1_048_576;
/** Stop at the first failed check: later checks may assume earlier ones passed. */
const PIPE = { abortPipeEarly: true } as const;

/**
 * Loads, decrypts and validates the configuration. A name set in the environment wins over
 * the file, even when empty; an empty value counts as unset (its default applies).
 *
 * @throws {ConfigError} listing every bad setting by name, with what is wrong and an example
 * @example
 * ```ts
 * const config = await loadConfig({ env: { GATEWAY_PORT: "8080" } });
 * config.gateway.port; // 8080
 * ```
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<Config> {
  const env = options.env ?? processEnv();
  const issues: ConfigIssue[] = [];
  const fileName = options.file ?? "mikroclaw.json";

  let fileValues: Record<string, string> = {};
  if (options.fileText !== undefined || options.file !== undefined) {
    const text = options.fileText ?? await readFile(options.file!, issues);
    if (text !== undefined) fileValues = parseFile(text, fileName, issues);
  }

  // Raw text per setting: the environment wins over the file; empty = unset.
  const raw = new Map<string, string>();
  for (const def of SETTING_DEFS) {
    const value = env[def.name] !== undefined ? env[def.name] : fileValues[def.name];
    if (value !== undefined && value.trim() !== "") raw.set(def.name, value);
  }

  // Decrypt every ENCRYPTED: value; the keys themselves must be plain.
  const decrypted = new Set<string>();
  for (const keyName of ["MIKROCLAW_SECRET_KEY", "MEMU_ENCRYPTION_KEY"]) {
    if (isEncryptedValue(raw.get(keyName) ?? "")) {
      issues.push({ key: keyName, message: "the key itself cannot be an ENCRYPTED: value" });
      raw.delete(keyName);
    }
  }
  const keys = {
    secretKey: raw.get("MIKROCLAW_SECRET_KEY")?.trim(),
    legacyKey: raw.get("MEMU_ENCRYPTION_KEY")?.trim(),
  };
  await Promise.all(
    [...raw].filter(([, value]) => isEncryptedValue(value.trim())).map(async ([name, value]) => {
      try {
        const { decryptValue } = await import("../secrets/decrypt_value.ts");
        const plain = await decryptValue(value.trim(), keys, { name });
        decrypted.add(name);
        if (isEncryptedValue(plain.trim())) {
          raw.delete(name);
          issues.push({
            key: name,
            message: "decrypts to another ENCRYPTED: value (encrypt the plain value once)",
          });
        } else raw.set(name, plain);
      } catch (error) {
        raw.delete(name);
        const prefix = `Cannot decrypt ${name}: `;
        const message = errorMessage(error);
        issues.push({
          key: name,
          message: `cannot decrypt: ${
            message.startsWith(prefix) ? message.slice(prefix.length) : message
          }`,
        });
      }
    }),
  );

  // Parse every value with its schema; an unset or bad one (reported) takes its default, so
  // the rest still assembles and the combination checks run.
  const values = new Map<string, unknown>();
  for (const def of SETTING_DEFS) {
    const text = raw.get(def.name);
    if (text !== undefined) {
      const result = v.safeParse(def.kind.schema, text, PIPE);
      if (result.success) {
        values.set(def.name, result.output);
        continue;
      }
      issues.push({ key: def.name, message: badValue(def, text, decrypted.has(def.name)) });
    }
    if (def.default) values.set(def.name, v.parse(def.kind.schema, def.default, PIPE));
    else if (!def.secret) {
      // Lists and allowlists read an unset value as empty.
      const empty = v.safeParse(def.kind.schema, "", PIPE);
      if (empty.success) values.set(def.name, empty.output);
    }
  }

  const config = assemble(values, env, options.file);
  checkCombinations(config, values, issues);
  if (issues.length > 0) {
    throw new ConfigError(issues.sort((a, b) => order(a.key) - order(b.key)));
  }
  const frozen = deepFreeze(config);
  described.set(frozen, describe(frozen, values));
  return frozen;
}

/**
 * The effective configuration as a flat object keyed by setting name, for `config --dump`:
 * every secret is only `"set"` or `"unset"`, unset values are `null`.
 *
 * @throws {TypeError} when `config` did not come from {@linkcode loadConfig}
 */
export function describeConfig(config: Config): Record<string, DescribedValue> {
  const record = described.get(config);
  if (!record) throw new TypeError("Cannot describe config: it was not made by loadConfig()");
  return { ...record };
}

/** Every secret text in `config` (for log redaction and output scrubbing), longest first. */
export function collectSecrets(config: Config): string[] {
  const found = new Set<string>();
  (function walk(value: unknown): void {
    if (isSecret(value)) found.add(value.reveal());
    else if (typeof value === "object" && value !== null) {
      for (const item of Object.values(value)) walk(item);
    }
  })(config);
  return [...found].sort((a, b) => b.length - a.length);
}

/** Whether a listen address or host name is loopback (the one shared rule, `_internal/ip.ts`). */
export { isLoopbackHost };

// --- Internal helpers ---

async function readFile(path: string, issues: ConfigIssue[]): Promise<string | undefined> {
  try {
    const fs = await import("node:fs/promises");
    const info = await fs.stat(path);
    if (info.size > MAX_FILE_BYTES) {
      issues.push({ key: path, message: `Cannot read: larger than ${MAX_FILE_BYTES} bytes` });
      return undefined;
    }
    return await fs.readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    issues.push({
      key: path,
      message: code === "ENOENT"
        ? "Cannot read: no such file (e.g. --config ./mikroclaw.json)"
        : `Cannot read: ${code ?? errorMessage(error)}`,
    });
    return undefined;
  }
}

function parseFile(text: string, name: string, issues: ConfigIssue[]): Record<string, string> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    issues.push({
      key: name,
      message: `Cannot parse: invalid JSON (${
        errorMessage(error).slice(0, 120)
      }); expected e.g. {"GATEWAY_PORT": 18789}`,
    });
    return {};
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    issues.push({
      key: name,
      message: 'Cannot parse: expected a JSON object of settings, e.g. {"GATEWAY_PORT": 18789}',
    });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === "$schema") continue;
    if (!DEFS.has(key)) {
      const near = didYouMean(key);
      issues.push({
        key,
        message: `unknown setting in ${name}${near ? ` (did you mean ${near}?)` : ""}`,
      });
      continue;
    }
    if (value === null) continue;
    if (typeof value === "string") out[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") out[key] = String(value);
    else if (
      Array.isArray(value) &&
      value.every((i) => typeof i === "string" || typeof i === "number")
    ) out[key] = value.join(",");
    else if (key === "MCP_SERVERS" && typeof value === "object") out[key] = JSON.stringify(value);
    else {
      issues.push({
        key,
        message: `expected a string, number, boolean or list in ${name} (e.g. "${key}": "${
          DEFS.get(key)!.example ?? DEFS.get(key)!.kind.example
        }")`,
      });
    }
  }
  return out;
}

function badValue(def: SettingDef, text: string, hide: boolean): string {
  const shown = def.secret || hide
    ? `a value of ${text.length} characters`
    : JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
  const example = def.example ?? def.kind.example;
  return `expected ${def.kind.expected}, got ${shown} (e.g. ${def.name}=${example})`;
}

function didYouMean(key: string): string | undefined {
  const upper = key.toUpperCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of DEFS.keys()) {
    const d = upper === name ? 0 : distance(upper, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 4))
    ? best
    : undefined;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function order(key: string): number {
  const i = SETTING_DEFS.findIndex((d) => d.name === key);
  return i < 0 ? -1 : i;
}

function checkCombinations(
  config: Config,
  values: Map<string, unknown>,
  issues: ConfigIssue[],
): void {
  const failed = new Set(issues.map((i) => i.key));
  const { gateway, llm, tools } = config;
  if (!gateway.pairingRequired && !failed.has("GATEWAY_BIND") && !isLoopbackHost(gateway.bind)) {
    issues.push({
      key: "PAIRING_REQUIRED",
      message: `cannot be 0 while the gateway listens on the non-loopback address ${
        JSON.stringify(gateway.bind)
      } (GATEWAY_BIND or --host): anyone who reaches it could drive the agent; keep pairing on (PAIRING_REQUIRED=1) or listen on loopback (GATEWAY_BIND=127.0.0.1)`,
    });
  }
  if (llm.provider === "custom" && llm.baseUrl === undefined && !failed.has("LLM_BASE_URL")) {
    issues.push({
      key: "LLM_BASE_URL",
      message: "required when LLM_PROVIDER=custom (e.g. LLM_BASE_URL=http://10.0.0.2:8000/v1)",
    });
  }
  const search = values.get("WEB_SEARCH_PROVIDER");
  const needs: Record<string, [string, unknown]> = {
    brave: ["BRAVE_API_KEY", tools.webSearch.braveApiKey],
    tavily: ["TAVILY_API_KEY", tools.webSearch.tavilyApiKey],
    searxng: ["SEARXNG_URL", tools.webSearch.searxngUrl],
  };
  const need = typeof search === "string" ? needs[search] : undefined;
  if (need && need[1] === undefined && !failed.has(need[0])) {
    issues.push({
      key: "WEB_SEARCH_PROVIDER",
      message: `is ${search} but ${need[0]} is not set (e.g. ${need[0]}=${
        need[0] === "SEARXNG_URL" ? "http://searxng:8080" : "..."
      })`,
    });
  }
  if (tools.webscrapeServices.includes("firecrawl") && !tools.firecrawlApiKey) {
    issues.push({
      key: "WEBSCRAPE_SERVICES",
      message: "lists firecrawl but FIRECRAWL_API_KEY is not set (e.g. FIRECRAWL_API_KEY=fc-...)",
    });
  }
}

function describe(config: Config, values: Map<string, unknown>): Record<string, DescribedValue> {
  const out: Record<string, DescribedValue> = {};
  for (const def of SETTING_DEFS) {
    const value = values.get(def.name);
    if (def.secret) out[def.name] = value === undefined ? "unset" : "set";
    else if (value === undefined) out[def.name] = null;
    else if (Array.isArray(value)) {
      out[def.name] = value.map((i) =>
        typeof i === "string" ? i : `${i.provider}${i.model ? `:${i.model}` : ""}`
      );
    } else if (typeof value === "object" && value !== null && "all" in value) {
      const list = value as Allowlist;
      out[def.name] = list.all ? "*" : list.ids;
    } else if (typeof value === "string") out[def.name] = hideUrlPassword(value);
    else out[def.name] = value as DescribedValue;
  }
  out.MEMORY_AUTO_RECALL = config.memory.autoRecall;
  out.WEB_SEARCH_PROVIDER = config.tools.webSearch.provider ?? null;
  out.MIKROCLAW_STATE_DIR = config.storage.stateDir;
  return out;
}

/** `redis://user:pass@host` -> `redis://user:***@host` (URLs may carry passwords). */
function hideUrlPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, "$1:***@");
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !isSecret(value) && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
