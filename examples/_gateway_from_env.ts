/**
 * Shared by the gateway examples: builds the whole runtime (agent, tools, gateway) from the same
 * settings the CLI reads (`LLM_PROVIDER`, `<NAME>_API_KEY`, `MIKROCLAW_STORAGE`, `GATEWAY_*`, ...).
 * @module
 */
import { type Config, createRuntime, type Gateway, loadConfig } from "../mod.ts";

/** A gateway with what it was built from. */
export interface GatewayFromEnv {
  config: Config;
  gateway: Gateway;
  /** Stops the gateway and closes the store. */
  close(): Promise<void>;
}

/** Loads the configuration and builds (not yet serves) the gateway of a full runtime. */
export async function gatewayFromEnv(): Promise<GatewayFromEnv> {
  const config = await loadConfig();
  const runtime = await createRuntime({ config });
  await runtime.start();
  return { config, gateway: runtime.gateway, close: () => runtime.stop() };
}
