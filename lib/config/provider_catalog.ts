/**
 * The catalogue of named providers (CONTRACT §3): family, key variables, base URL variable,
 * default base URL and model of each. Plain data, read by the factories in `registry.ts` and by
 * the configuration schema, so both name the same variables.
 * @module
 */

/** Wire protocol of a provider. */
export type ProviderFamily = "openai-compatible" | "anthropic" | "gemini" | "ollama";

/** What MikroClaw knows about one named provider. */
export interface ProviderInfo {
  /** Name used in `LLM_PROVIDER` and `RELIABLE_PROVIDERS`. */
  name: string;
  /** The wire protocol it speaks. */
  family: ProviderFamily;
  /** Environment variables holding the key, first set wins. */
  keyEnv: readonly string[];
  /** Whether a request without a key is pointless (false for local Ollama and `custom`). */
  keyRequired: boolean;
  /** Environment variable overriding the base URL. */
  baseUrlEnv: string;
  /** Base URL in the vendor SDK's form; empty for `custom` (needs `LLM_BASE_URL`). */
  defaultBaseUrl: string;
  /** Model used when `MODEL` is unset; empty for `custom` (needs `MODEL`). */
  defaultModel: string;
  /** Where to get a key / read the API docs. */
  docs: string;
  /** Extra headers sent on every request. */
  headers?: Readonly<Record<string, string>>;
  /** Field carrying `maxTokens` for OpenAI-compatible servers. */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
}

function compat(
  name: string,
  key: string,
  defaultBaseUrl: string,
  defaultModel: string,
  docs: string,
): ProviderInfo {
  return {
    name,
    family: "openai-compatible",
    keyEnv: [key],
    keyRequired: true,
    baseUrlEnv: `${name.toUpperCase()}_BASE_URL`,
    defaultBaseUrl,
    defaultModel,
    docs,
  };
}

/** Every named provider, in the order `integrations list` shows them. */
export const PROVIDERS: readonly ProviderInfo[] = [
  {
    name: "openrouter",
    family: "openai-compatible",
    keyEnv: ["OPENROUTER_KEY", "OPENROUTER_API_KEY"],
    keyRequired: true,
    baseUrlEnv: "OPENROUTER_BASE_URL",
    defaultBaseUrl: "https://openrouter.ai/api/v1",
    defaultModel: "openai/gpt-4o-mini",
    docs: "https://openrouter.ai/keys",
    headers: { "HTTP-Referer": "https://www.npmjs.com/package/mikroclaw", "X-Title": "MikroClaw" },
  },
  {
    ...compat(
      "openai",
      "OPENAI_API_KEY",
      "https://api.openai.com/v1",
      "gpt-4o-mini",
      "https://platform.openai.com/api-keys",
    ),
    maxTokensField: "max_completion_tokens",
  },
  {
    name: "anthropic",
    family: "anthropic",
    keyEnv: ["ANTHROPIC_API_KEY"],
    keyRequired: true,
    baseUrlEnv: "ANTHROPIC_BASE_URL",
    defaultBaseUrl: "https://api.anthropic.com",
    defaultModel: "claude-sonnet-4-5",
    docs: "https://console.anthropic.com/settings/keys",
  },
  {
    name: "gemini",
    family: "gemini",
    keyEnv: ["GEMINI_API_KEY"],
    keyRequired: true,
    baseUrlEnv: "GEMINI_BASE_URL",
    defaultBaseUrl: "https://generativelanguage.googleapis.com/v1beta",
    defaultModel: "gemini-2.5-flash",
    docs: "https://aistudio.google.com/apikey",
  },
  {
    name: "ollama",
    family: "ollama",
    keyEnv: ["OLLAMA_API_KEY"],
    keyRequired: false,
    baseUrlEnv: "OLLAMA_BASE_URL",
    defaultBaseUrl: "http://localhost:11434",
    defaultModel: "qwen3",
    docs: "https://docs.ollama.com/api",
  },
  compat(
    "groq",
    "GROQ_API_KEY",
    "https://api.groq.com/openai/v1",
    "llama-3.3-70b-versatile",
    "https://console.groq.com/keys",
  ),
  compat(
    "mistral",
    "MISTRAL_API_KEY",
    "https://api.mistral.ai/v1",
    "mistral-small-latest",
    "https://console.mistral.ai/api-keys",
  ),
  compat("xai", "XAI_API_KEY", "https://api.x.ai/v1", "grok-3-mini", "https://console.x.ai"),
  compat(
    "deepseek",
    "DEEPSEEK_API_KEY",
    "https://api.deepseek.com/v1",
    "deepseek-chat",
    "https://platform.deepseek.com/api_keys",
  ),
  compat(
    "together",
    "TOGETHER_API_KEY",
    "https://api.together.xyz/v1",
    "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    "https://api.together.ai/settings/api-keys",
  ),
  compat(
    "fireworks",
    "FIREWORKS_API_KEY",
    "https://api.fireworks.ai/inference/v1",
    "accounts/fireworks/models/llama-v3p3-70b-instruct",
    "https://fireworks.ai/account/api-keys",
  ),
  compat(
    "perplexity",
    "PERPLEXITY_API_KEY",
    "https://api.perplexity.ai",
    "sonar",
    "https://www.perplexity.ai/settings/api",
  ),
  compat(
    "cohere",
    "COHERE_API_KEY",
    "https://api.cohere.ai/compatibility/v1",
    "command-a-03-2025",
    "https://dashboard.cohere.com/api-keys",
  ),
  compat(
    "moonshot",
    "MOONSHOT_API_KEY",
    "https://api.moonshot.ai/v1",
    "kimi-k2-0905-preview",
    "https://platform.moonshot.ai/console/api-keys",
  ),
  {
    name: "custom",
    family: "openai-compatible",
    keyEnv: ["LLM_API_KEY"],
    keyRequired: false,
    baseUrlEnv: "LLM_BASE_URL",
    defaultBaseUrl: "",
    defaultModel: "",
    docs:
      "Any OpenAI-compatible server: set LLM_BASE_URL (e.g. http://127.0.0.1:8000/v1) and MODEL",
  },
];

/** The entry of a named provider, or undefined. */
export function findProvider(name: string): ProviderInfo | undefined {
  const n = String(name).trim().toLowerCase();
  return PROVIDERS.find((p) => p.name === n);
}

/** One element of a `RELIABLE_PROVIDERS` list. */
export interface ChainSpec {
  provider: string;
  model?: string;
}

/**
 * Parses `RELIABLE_PROVIDERS` (`provider` or `provider:model`, comma separated; the model may
 * itself contain `:` or `/`). Throws `TypeError` naming an unknown provider.
 */
export function parseProviderChain(spec: string): ChainSpec[] {
  const out: ChainSpec[] = [];
  for (const raw of String(spec ?? "").split(",")) {
    const item = raw.trim();
    if (!item) continue;
    const colon = item.indexOf(":");
    const name = (colon < 0 ? item : item.slice(0, colon)).trim().toLowerCase();
    const model = colon < 0 ? "" : item.slice(colon + 1).trim();
    if (!findProvider(name)) {
      throw new TypeError(`Cannot parse RELIABLE_PROVIDERS: unknown provider "${name}"`);
    }
    out.push(model ? { provider: name, model } : { provider: name });
  }
  return out;
}
