/**
 * The LLM layer: one provider contract, four wire families, the named providers, the
 * reliable fallback chain and a scripted provider for tests and offline runs.
 * @module
 */
export type { ChatOptions } from "./types.ts";
export type { ChatRequest } from "./types.ts";
export type { ChatResult } from "./types.ts";
export type { FinishReason } from "./types.ts";
export type { Message } from "./types.ts";
export type { ProbeResult } from "./types.ts";
export type { Provider } from "./types.ts";
export type { StreamPart } from "./types.ts";
export type { ToolCall } from "./types.ts";
export type { ToolDefinition } from "./types.ts";
export type { Usage } from "./types.ts";
export type { FamilySettings } from "./_family.ts";
export { createOpenAICompatible } from "./openai_compatible.ts";
export type { OpenAICompatibleSettings } from "./openai_compatible.ts";
export { createAnthropic } from "./anthropic.ts";
export type { AnthropicSettings } from "./anthropic.ts";
export { createGemini } from "./gemini.ts";
export type { GeminiSettings } from "./gemini.ts";
export { createOllama } from "./ollama.ts";
export type { OllamaSettings } from "./ollama.ts";
export { createProvider } from "./registry.ts";
export { PROVIDERS } from "./registry.ts";
export type { CreateProviderSettings } from "./registry.ts";
export type { ProviderFamily } from "./registry.ts";
export type { ProviderInfo } from "./registry.ts";
export { createFallbackProvider } from "./fallback.ts";
export type { FallbackEntry } from "./fallback.ts";
export type { FallbackOptions } from "./fallback.ts";
export { collectChat } from "./collect_chat.ts";
export { createMockProvider } from "./mock.ts";
export type { MockCall } from "./mock.ts";
export type { MockFailure } from "./mock.ts";
export type { MockHang } from "./mock.ts";
export type { MockParts } from "./mock.ts";
export type { MockProvider } from "./mock.ts";
export type { MockProviderOptions } from "./mock.ts";
export type { MockReply } from "./mock.ts";
export type { MockStep } from "./mock.ts";
export type { MockStepContext } from "./mock.ts";
export type { MockToolCall } from "./mock.ts";
