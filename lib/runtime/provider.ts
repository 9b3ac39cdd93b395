/**
 * The configured provider chain: `LLM_PROVIDER` (+ `MODEL`, `LLM_API_KEY`, `LLM_BASE_URL`) first,
 * then `RELIABLE_PROVIDERS`, each with its own key, base URL and model.
 * @module
 */
import type { Config, ProviderName } from "../config/types.ts";
import type { Logger } from "../_internal/logger.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { Provider } from "../providers/types.ts";
import { createProvider, findProvider } from "../providers/registry.ts";
import { createFallbackProvider, type FallbackEntry } from "../providers/fallback.ts";
import { probeProvider } from "../providers/probe.ts";

function entryFor(
  config: Config,
  provider: ProviderName,
  model: string | undefined,
  fetch?: typeof globalThis.fetch,
): Provider {
  const own = config.llm.providers[provider];
  const primary = provider === config.llm.provider;
  const apiKey = (primary ? config.llm.apiKey : undefined) ?? own.apiKey;
  const baseURL = (primary ? config.llm.baseUrl : undefined) ?? own.baseUrl;
  return createProvider(provider, {
    env: {},
    timeoutMs: config.llm.timeoutMs,
    apiKey: apiKey?.reveal(),
    baseURL,
    model,
    fetch,
  });
}

/** The primary provider and `RELIABLE_PROVIDERS`, as one chain with retries and fallback. */
export function providerFromConfig(
  config: Config,
  options: {
    logger?: Logger;
    fetch?: typeof globalThis.fetch | undefined;
    /** Backoff sleep between retries (tests). */
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  } = {},
): Provider {
  const primary = entryFor(config, config.llm.provider, config.llm.model, options.fetch);
  const entries: FallbackEntry[] = [
    { provider: primary },
    ...config.llm.fallbacks.map((f) => ({
      provider: entryFor(config, f.provider, f.model, options.fetch),
    })),
  ];
  const chain = createFallbackProvider(entries, {
    timeoutMs: config.llm.timeoutMs,
    logger: options.logger ?? silentLogger,
    sleep: options.sleep,
  });
  return {
    id: chain.id,
    model: chain.model,
    // Health and doctor probe the primary with its cheapest call (a model list).
    probe: (init) => probeProvider(primary, init),
    chat: config.llm.streaming
      ? (request, init) => chain.chat(request, init)
      : (request, init) => chain.chat({ ...request, stream: false }, init),
  };
}

/**
 * One line naming the variable to set when the primary provider has no API key (every chat
 * would fail), else `undefined`. Said at start so a missing key shows before the first `/chat`.
 */
export function missingModelWarning(config: Config): string | undefined {
  const name = config.llm.provider;
  const info = findProvider(name);
  if (!info?.keyRequired) return undefined;
  if ((config.llm.apiKey ?? config.llm.providers[name].apiKey) !== undefined) return undefined;
  return `No model configured: set ${info.keyEnv[0]} (the ${name} API key) or pick another ` +
    `provider with LLM_PROVIDER; until then every chat fails`;
}
