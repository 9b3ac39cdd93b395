/**
 * What commands share: loading the configuration (env + `--config FILE` or `./mikroclaw.json`),
 * setting up the logger from it, opening the state store, and writing output.
 * @module
 */
import { collectSecrets, loadConfig } from "../lib/config/load_config.ts";
import type { Config } from "../lib/config/types.ts";
import type { StateStore } from "../lib/storage/types.ts";
import { configureLogger, logger } from "./_logger.ts";

/** The default settings file, read when present and no `--config` is given. */
export const DEFAULT_CONFIG_FILE = "mikroclaw.json";

/**
 * Loads the configuration for a command and applies its log settings. `overrides` (a command's
 * flags, e.g. `--host` as `GATEWAY_BIND`) win over the environment and the file and pass the
 * same validation.
 */
export async function loadCliConfig(
  args: { config?: unknown },
  overrides: Record<string, string | undefined> = {},
): Promise<Config> {
  let file = typeof args.config === "string" && args.config !== "" ? args.config : undefined;
  if (file === undefined) {
    const { existsSync } = await import("node:fs");
    if (existsSync(DEFAULT_CONFIG_FILE)) file = DEFAULT_CONFIG_FILE;
  }
  const env = { ...process.env };
  for (const [name, value] of Object.entries(overrides)) if (value !== undefined) env[name] = value;
  const config = await loadConfig(file === undefined ? { env } : { env, file });
  configureLogger({ ...config.log, secrets: collectSecrets(config) });
  return config;
}

/** Opens the state store `MIKROCLAW_STORAGE` names. Dispose it when done. */
export async function openStore(config: Config): Promise<StateStore> {
  const { createStateStoreFromUrl } = await import("../lib/storage/from_url.ts");
  return createStateStoreFromUrl(config.storage.url, { logger });
}

/**
 * Writes `text` and a newline to stdout. Through `console.log` (one string: no format
 * directives apply) because Bun builds `process.stdout` on first use, ~10 ms of a start.
 */
export function print(text: string): void {
  console.log(text);
}

/** Writes `value` as pretty JSON to stdout. */
export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}
