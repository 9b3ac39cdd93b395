/**
 * Building a named provider (CONTRACT §3) from the catalogue: key, base URL and model from the
 * settings or the environment, the family's wire code loaded on the first request. The whole
 * configured chain (`LLM_PROVIDER` + `RELIABLE_PROVIDERS`) is `providerFromConfig` in
 * `lib/runtime/`.
 * @module
 */
import { ProviderError } from "../errors.ts";
import type { Env } from "../_internal/env.ts";
import { processEnv } from "../_internal/env.ts";
import type { FamilySettings } from "./_family.ts";
import type { ChatOptions, ChatRequest, ProbeResult, Provider, StreamPart } from "./types.ts";

export {
  type ChainSpec,
  findProvider,
  parseProviderChain,
  type ProviderFamily,
  type ProviderInfo,
  PROVIDERS,
} from "../config/provider_catalog.ts";
import {
  findProvider,
  type ProviderFamily,
  type ProviderInfo,
  PROVIDERS,
} from "../config/provider_catalog.ts";

/** Settings of {@linkcode createProvider}; everything unset comes from `env` at request time. */
export interface CreateProviderSettings {
  /** API key (else the provider's key variables in `env`). */
  apiKey?: string | undefined;
  /** Base URL (else `<NAME>_BASE_URL`, else the default). */
  baseURL?: string | undefined;
  /** Model (else the provider's default). */
  model?: string | undefined;
  headers?: Record<string, string>;
  /** Time limit of one call. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch | undefined;
  /** Environment to read keys and base URLs from (default: the process environment, lazily). */
  env?: Env;
}

function envOf(settings: { env?: Env }): Env {
  return settings.env ?? processEnv();
}

/** First non-empty value among `names` in `env`. */
function firstEnv(env: Env, names: readonly string[]): string | undefined {
  for (const name of names) {
    const v = env[name];
    if (v !== undefined && v.trim() !== "") return v.trim();
  }
  return undefined;
}

/** Refuses a request when a required key is missing, before anything leaves. */
function requireKey(
  provider: Provider,
  info: ProviderInfo,
  key: () => string | undefined,
): Provider {
  async function* chat(request: ChatRequest, options?: ChatOptions): AsyncGenerator<StreamPart> {
    if (key() === undefined) {
      yield {
        type: "error",
        error: new ProviderError(
          `Cannot call provider "${info.name}": no API key (set ${info.keyEnv.join(" or ")})`,
          { kind: "auth", provider: info.name },
        ),
      };
      return;
    }
    yield* provider.chat(request, options);
  }
  const wrapped: Provider = { id: provider.id, model: provider.model, chat };
  const probe = provider.probe;
  if (probe) {
    wrapped.probe = async (options?: ChatOptions): Promise<ProbeResult> => {
      if (key() === undefined) {
        return {
          ok: false,
          kind: "auth",
          detail: `no API key: set ${info.keyEnv.join(" or ")} (${info.docs})`,
        };
      }
      return await probe(options);
    };
  }
  return wrapped;
}

type FamilyCommon = FamilySettings & {
  baseURL: string;
  maxTokensField?: "max_tokens" | "max_completion_tokens" | undefined;
};

// Literal lazy imports (JSR and bundlers trace them): only the configured family's wire code loads.
const FAMILIES: Record<ProviderFamily, (settings: FamilyCommon) => Promise<Provider>> = {
  "anthropic": async (s) => (await import("./anthropic.ts")).createAnthropic(s),
  "gemini": async (s) => (await import("./gemini.ts")).createGemini(s),
  "ollama": async (s) => (await import("./ollama.ts")).createOllama(s),
  "openai-compatible": async (s) =>
    (await import("./openai_compatible.ts")).createOpenAICompatible(s),
};

/** A provider whose family module is imported on its first request. */
function lazyFamily(info: ProviderInfo, settings: FamilyCommon & { model: string }): Provider {
  let loaded: Promise<Provider> | undefined;
  const load = () => (loaded ??= FAMILIES[info.family](settings));
  return {
    id: info.name,
    model: settings.model,
    async *chat(request: ChatRequest, options?: ChatOptions): AsyncGenerator<StreamPart> {
      yield* (await load()).chat(request, options);
    },
    async probe(options?: ChatOptions): Promise<ProbeResult> {
      const provider = await load();
      if (provider.probe) return await provider.probe(options);
      return { ok: false, unsupported: true, detail: `${info.name} has no model-list probe` };
    },
  };
}

/**
 * Builds a named provider (`openai`, `anthropic`, ..., `custom`). Throws `TypeError` for an
 * unknown name and for `custom` without a base URL or model.
 */
export function createProvider(name: string, settings: CreateProviderSettings = {}): Provider {
  const info = findProvider(name);
  if (!info) {
    throw new TypeError(
      `Cannot create provider "${name}": unknown name (known: ${
        PROVIDERS.map((p) => p.name).join(", ")
      })`,
    );
  }
  const env = envOf(settings);
  const baseURL = settings.baseURL || firstEnv(env, [info.baseUrlEnv]) || info.defaultBaseUrl;
  const model = settings.model || info.defaultModel;
  if (!baseURL) {
    throw new TypeError(`Cannot create provider "${info.name}": set ${info.baseUrlEnv}`);
  }
  if (!model) throw new TypeError(`Cannot create provider "${info.name}": set MODEL`);
  // read lazily so secrets are resolved only when a request leaves
  const key = (): string | undefined => settings.apiKey || firstEnv(envOf(settings), info.keyEnv);
  const headers = { ...info.headers, ...settings.headers };
  const common = {
    name: info.name,
    apiKey: key,
    baseURL,
    model,
    headers,
    timeoutMs: settings.timeoutMs,
    fetch: settings.fetch,
  };
  const provider = lazyFamily(info, { ...common, maxTokensField: info.maxTokensField });
  return info.keyRequired ? requireKey(provider, info, key) : provider;
}
