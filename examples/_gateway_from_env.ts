/**
 * Shared by the gateway examples: builds a gateway from the same settings the CLI reads
 * (`LLM_PROVIDER`, `<NAME>_API_KEY`, `MIKROCLAW_STORAGE`, `GATEWAY_*`, ...).
 * @module
 */
import { createAgent } from "../lib/agent/mod.ts";
import { type Config, loadConfig } from "../lib/config/mod.ts";
import { createGateway, type Gateway } from "../lib/gateway/mod.ts";
import { createProvider } from "../lib/providers/registry.ts";
import { createStateStoreFromUrl, type StateStore } from "../lib/storage/mod.ts";

/** A gateway with what it was built from. */
export interface GatewayFromEnv {
  config: Config;
  gateway: Gateway;
  store: StateStore;
  /** Stops the gateway and closes the store. */
  close(): Promise<void>;
}

/** Loads the configuration and builds (not yet serves) a gateway from it. */
export async function gatewayFromEnv(
  options: { clientAddress?: (request: Request) => string | undefined } = {},
): Promise<GatewayFromEnv> {
  const config = await loadConfig();
  const provider = createProvider(config.llm.provider, {
    ...(config.llm.apiKey ? { apiKey: config.llm.apiKey.reveal() } : {}),
    ...(config.llm.baseUrl ? { baseURL: config.llm.baseUrl } : {}),
    ...(config.llm.model ? { model: config.llm.model } : {}),
    timeoutMs: config.llm.timeoutMs,
  });
  const store = await createStateStoreFromUrl(config.storage.url);
  const gateway = createGateway({
    agent: createAgent({ provider, maxSteps: config.llm.maxSteps }),
    store,
    bindHost: config.gateway.bind,
    pairingRequired: config.gateway.pairingRequired,
    trustedProxies: config.gateway.trustedProxies,
    ...(options.clientAddress ? { clientAddress: options.clientAddress } : {}),
  });
  await gateway.start();
  return {
    config,
    gateway,
    store,
    async close() {
      await gateway.stop();
      await store.dispose();
    },
  };
}
