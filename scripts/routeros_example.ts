/**
 * Writes `examples/routeros/mikroclaw.rsc` from a fixed example configuration
 * (`node scripts/routeros_example.ts`); `test/deploy/routeros_script_test.ts` checks the
 * committed file still equals the generator's output, so it never drifts.
 * @module
 */
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../lib/config/mod.ts";
import { routerosSetupScript } from "../lib/deploy/mod.ts";

/** The example deployment: Telegram + OpenRouter, read-only router access. */
export const EXAMPLE_ENV: Readonly<Record<string, string>> = {
  LLM_PROVIDER: "openrouter",
  MODEL: "anthropic/claude-sonnet-4",
  OPENROUTER_API_KEY: "sk-or-example-not-a-real-key",
  BOT_TOKEN: "123456:example-not-a-real-token",
  TELEGRAM_ALLOWLIST: "4242",
  ROUTER_HOST: "192.168.88.1",
  ROUTER_USER: "admin",
  ROUTER_PASS: "example-password",
  LOG_FORMAT: "json",
};

/** Path of the committed example script. */
export const EXAMPLE_RSC: string = join(
  dirname(fileURLToPath(import.meta.url)),
  "../examples/routeros/mikroclaw.rsc",
);

/** The example script's text. */
export async function renderExample(): Promise<string> {
  const config = await loadConfig({ env: EXAMPLE_ENV });
  return routerosSetupScript(config, { env: EXAMPLE_ENV, disk: "usb1" });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(EXAMPLE_RSC, await renderExample());
  console.log(`wrote ${EXAMPLE_RSC}`);
}
