/**
 * The LLM layer: one provider contract, four wire families, the named providers, the
 * reliable fallback chain, tolerant tool calls and the doctor probe.
 * @module
 */
export type * from "./types.ts";
export { createOpenAICompatible, type OpenAICompatibleSettings } from "./openai_compatible.ts";
export { ANTHROPIC_BASE_URL, type AnthropicSettings, createAnthropic } from "./anthropic.ts";
export { createGemini, GEMINI_BASE_URL, type GeminiSettings } from "./gemini.ts";
export { createOllama, OLLAMA_BASE_URL, type OllamaSettings } from "./ollama.ts";
export type { FamilySettings } from "./_family.ts";
export { collectChat } from "./collect_chat.ts";
export {
  createFallbackProvider,
  type FallbackEntry,
  type FallbackOptions,
  retryDelayMs,
} from "./fallback.ts";
export {
  type ChainSpec,
  createProvider,
  type CreateProviderSettings,
  findProvider,
  parseProviderChain,
  type ProviderFamily,
  type ProviderInfo,
  PROVIDERS,
} from "./registry.ts";
export {
  classifyHttpError,
  classifyStreamError,
  classifyThrown,
  parseRetryAfter,
} from "./classify_error.ts";
export { parseTextToolCalls } from "./text_tool_calls.ts";
export { probeProvider } from "./probe.ts";
export * from "./mock.ts";
