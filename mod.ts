/**
 * MikroClaw: an AI agent runtime for MikroTik routers — a Web-standard library (Node, Deno, Bun)
 * with a thin CLI. Start with {@linkcode createAgent}, {@linkcode createGateway} and
 * {@linkcode createRuntime}; every factory takes plain options with an injectable `fetch`.
 *
 * @example Minimal agent with a custom tool
 * ```ts ignore
 * import * as v from "valibot";
 * import { createAgent, createMockProvider, defineTool } from "mikroclaw";
 * const clock = defineTool({
 *   name: "clock", description: "Current time", input: v.object({}),
 *   run: async () => new Date().toISOString(),
 * });
 * const agent = createAgent({ provider: createMockProvider(["Hello"]), tools: [clock] });
 * console.log((await agent.run({ input: "hi", sessionKey: "cli:me" })).text);
 * ```
 * @module
 */

// Errors: every error carries a stable `code` (see `ErrorCode`).
export { AgentError } from "./lib/errors.ts";
export { ConfigError } from "./lib/errors.ts";
export { ErrorCode } from "./lib/errors.ts";
export { errorMessage } from "./lib/errors.ts";
export { isAgentError } from "./lib/errors.ts";
export { PolicyError } from "./lib/errors.ts";
export { ProviderError } from "./lib/errors.ts";
export { ToolError } from "./lib/errors.ts";
export type { AgentErrorOptions } from "./lib/errors.ts";
export type { ConfigIssue } from "./lib/errors.ts";
export type { ProviderErrorKind } from "./lib/errors.ts";
export type { ProviderErrorOptions } from "./lib/errors.ts";

// The package version, and the environment and logger shapes the factories accept.
export { VERSION } from "./lib/version.ts";
export type { Env } from "./lib/_internal/env.ts";
export type { Logger } from "./lib/_internal/logger.ts";

// Configuration: environment + optional `mikroclaw.json`, validated and frozen.
export { loadConfig } from "./lib/config/mod.ts";
export type { Allowlist } from "./lib/config/mod.ts";
export type { Config } from "./lib/config/mod.ts";
export type { DiscordConfig } from "./lib/config/mod.ts";
export type { GatewayConfig } from "./lib/config/mod.ts";
export type { LlmConfig } from "./lib/config/mod.ts";
export type { LoadConfigOptions } from "./lib/config/mod.ts";
export type { LogConfig } from "./lib/config/mod.ts";
export type { MemoryConfig } from "./lib/config/mod.ts";
export type { ProviderName } from "./lib/config/mod.ts";
export type { ProviderSettings } from "./lib/config/mod.ts";
export type { ReliableProvider } from "./lib/config/mod.ts";
export type { RouterConfig } from "./lib/config/mod.ts";
export type { SecretsConfig } from "./lib/config/mod.ts";
export type { SlackConfig } from "./lib/config/mod.ts";
export type { StorageConfig } from "./lib/config/mod.ts";
export type { TelegramConfig } from "./lib/config/mod.ts";
export type { ToolsConfig } from "./lib/config/mod.ts";
export type { WatchConfig } from "./lib/config/mod.ts";
export type { WebSearchConfig } from "./lib/config/mod.ts";

// Secrets: the redacting value type the config uses for keys and passwords.
export { isSecret } from "./lib/secrets/mod.ts";
export { secret } from "./lib/secrets/mod.ts";
export type { Secret } from "./lib/secrets/mod.ts";

// State stores: memory, fs and Redis.
export { createRedisStateStore } from "./lib/storage/mod.ts";
export { createStateStore } from "./lib/storage/mod.ts";
export { createStateStoreFromUrl } from "./lib/storage/mod.ts";
export type { RedisClientLike } from "./lib/storage/mod.ts";
export type { RedisStateStoreOptions } from "./lib/storage/mod.ts";
export type { SetOptions } from "./lib/storage/mod.ts";
export type { StateStore } from "./lib/storage/mod.ts";
export type { StateStoreFromUrlOptions } from "./lib/storage/mod.ts";
export type { StateStoreOptions } from "./lib/storage/mod.ts";
export type { StorageKind } from "./lib/storage/mod.ts";

// Long-term memory.
export { createMemory } from "./lib/memory/mod.ts";
export { MemoryError } from "./lib/memory/mod.ts";
export { memuDriver } from "./lib/memory/mod.ts";
export { storageMemoryDriver } from "./lib/memory/mod.ts";
export type { CreateMemoryOptions } from "./lib/memory/mod.ts";
export type { Memory } from "./lib/memory/mod.ts";
export type { MemoryCallOptions } from "./lib/memory/mod.ts";
export type { MemoryDriver } from "./lib/memory/mod.ts";
export type { MemoryErrorKind } from "./lib/memory/mod.ts";
export type { MemoryErrorOptions } from "./lib/memory/mod.ts";
export type { MemoryItem } from "./lib/memory/mod.ts";
export type { MemoryProbe } from "./lib/memory/mod.ts";
export type { MemuDriverOptions } from "./lib/memory/mod.ts";
export type { RecallOptions } from "./lib/memory/mod.ts";
export type { StorageMemoryDriverOptions } from "./lib/memory/mod.ts";

// LLM providers: one factory per wire family, the named providers, the fallback chain and a scripted provider.
export { collectChat } from "./lib/providers/mod.ts";
export { createAnthropic } from "./lib/providers/mod.ts";
export { createFallbackProvider } from "./lib/providers/mod.ts";
export { createGemini } from "./lib/providers/mod.ts";
export { createMockProvider } from "./lib/providers/mod.ts";
export { createOllama } from "./lib/providers/mod.ts";
export { createOpenAICompatible } from "./lib/providers/mod.ts";
export { createProvider } from "./lib/providers/mod.ts";
export { PROVIDERS } from "./lib/providers/mod.ts";
export type { AnthropicSettings } from "./lib/providers/mod.ts";
export type { ChatOptions } from "./lib/providers/mod.ts";
export type { ChatRequest } from "./lib/providers/mod.ts";
export type { ChatResult } from "./lib/providers/mod.ts";
export type { CreateProviderSettings } from "./lib/providers/mod.ts";
export type { FallbackEntry } from "./lib/providers/mod.ts";
export type { FallbackOptions } from "./lib/providers/mod.ts";
export type { FamilySettings } from "./lib/providers/mod.ts";
export type { FinishReason } from "./lib/providers/mod.ts";
export type { GeminiSettings } from "./lib/providers/mod.ts";
export type { Message } from "./lib/providers/mod.ts";
export type { MockCall } from "./lib/providers/mod.ts";
export type { MockFailure } from "./lib/providers/mod.ts";
export type { MockHang } from "./lib/providers/mod.ts";
export type { MockParts } from "./lib/providers/mod.ts";
export type { MockProvider } from "./lib/providers/mod.ts";
export type { MockProviderOptions } from "./lib/providers/mod.ts";
export type { MockReply } from "./lib/providers/mod.ts";
export type { MockStep } from "./lib/providers/mod.ts";
export type { MockStepContext } from "./lib/providers/mod.ts";
export type { MockToolCall } from "./lib/providers/mod.ts";
export type { OllamaSettings } from "./lib/providers/mod.ts";
export type { OpenAICompatibleSettings } from "./lib/providers/mod.ts";
export type { ProbeResult } from "./lib/providers/mod.ts";
export type { Provider } from "./lib/providers/mod.ts";
export type { ProviderFamily } from "./lib/providers/mod.ts";
export type { ProviderInfo } from "./lib/providers/mod.ts";
export type { StreamPart } from "./lib/providers/mod.ts";
export type { ToolCall } from "./lib/providers/mod.ts";
export type { ToolDefinition } from "./lib/providers/mod.ts";
export type { Usage } from "./lib/providers/mod.ts";

// Tools: `defineTool` and the built-in tool factories.
export { composioCallTool } from "./lib/tools/mod.ts";
export { defineTool } from "./lib/tools/mod.ts";
export { fileReadTool } from "./lib/tools/mod.ts";
export { fileWriteTool } from "./lib/tools/mod.ts";
export { healthCheckTool } from "./lib/tools/mod.ts";
export { memoryTools } from "./lib/tools/mod.ts";
export { parseUrlTool } from "./lib/tools/mod.ts";
export { routerosExecuteTool } from "./lib/tools/mod.ts";
export { shellExecTool } from "./lib/tools/mod.ts";
export { skillInvokeTool } from "./lib/tools/mod.ts";
export { skillListTool } from "./lib/tools/mod.ts";
export { webScrapeTool } from "./lib/tools/mod.ts";
export { webSearchTool } from "./lib/tools/mod.ts";
export type { ComposioCallToolOptions } from "./lib/tools/mod.ts";
export type { DefineToolOptions } from "./lib/tools/mod.ts";
export type { FileReadToolOptions } from "./lib/tools/mod.ts";
export type { FileWriteToolOptions } from "./lib/tools/mod.ts";
export type { HealthCheckToolOptions } from "./lib/tools/mod.ts";
export type { MemoryToolsOptions } from "./lib/tools/mod.ts";
export type { ShellExecToolOptions } from "./lib/tools/mod.ts";
export type { SkillsToolOptions } from "./lib/tools/mod.ts";
export type { Tool } from "./lib/tools/mod.ts";
export type { ToolContext } from "./lib/tools/mod.ts";
export type { ToolEffect } from "./lib/tools/mod.ts";
export type { ToolResult } from "./lib/tools/mod.ts";
export type { WebScrapeService } from "./lib/tools/mod.ts";
export type { WebScrapeToolOptions } from "./lib/tools/mod.ts";
export type { WebSearchProvider } from "./lib/tools/mod.ts";
export type { WebSearchToolOptions } from "./lib/tools/mod.ts";
export type { WorkspaceSource } from "./lib/tools/mod.ts";

// Guards the file, shell and web tools take: the workspace and the SSRF-safe fetch.
export { createSafeFetch } from "./lib/security/mod.ts";
export { createSsrfGuard } from "./lib/security/mod.ts";
export { createWorkspace } from "./lib/security/mod.ts";
export type { CheckedUrl } from "./lib/security/mod.ts";
export type { ProtectedPath } from "./lib/security/mod.ts";
export type { ReadTextResult } from "./lib/security/mod.ts";
export type { Resolver } from "./lib/security/mod.ts";
export type { SafeFetch } from "./lib/security/mod.ts";
export type { SafeFetchOptions } from "./lib/security/mod.ts";
export type { SafeRequestInit } from "./lib/security/mod.ts";
export type { SafeResponse } from "./lib/security/mod.ts";
export type { SsrfGuard } from "./lib/security/mod.ts";
export type { SsrfGuardOptions } from "./lib/security/mod.ts";
export type { Workspace } from "./lib/security/mod.ts";
export type { WorkspaceOptions } from "./lib/security/mod.ts";

// RouterOS: the REST client, the change policy and the executor behind `routeros_execute`.
export { createRouterOS } from "./lib/routeros/mod.ts";
export { createRouterOSExecutor } from "./lib/routeros/mod.ts";
export { createRouterOSPolicy } from "./lib/routeros/mod.ts";
export { DEFAULT_WRITE_SCOPES } from "./lib/routeros/mod.ts";
export { RouterOSError } from "./lib/routeros/mod.ts";
export type { RouterOS } from "./lib/routeros/mod.ts";
export type { RouterOSApply } from "./lib/routeros/mod.ts";
export type { RouterOSCall } from "./lib/routeros/mod.ts";
export type { RouterOSDecision } from "./lib/routeros/mod.ts";
export type { RouterOSErrorOptions } from "./lib/routeros/mod.ts";
export type { RouterOSExecuteContext } from "./lib/routeros/mod.ts";
export type { RouterOSExecutor } from "./lib/routeros/mod.ts";
export type { RouterOSExecutorOptions } from "./lib/routeros/mod.ts";
export type { RouterOSLookup } from "./lib/routeros/mod.ts";
export type { RouterOSMatch } from "./lib/routeros/mod.ts";
export type { RouterOSMethod } from "./lib/routeros/mod.ts";
export type { RouterOSOptions } from "./lib/routeros/mod.ts";
export type { RouterOSPlan } from "./lib/routeros/mod.ts";
export type { RouterOSPlanKind } from "./lib/routeros/mod.ts";
export type { RouterOSPolicy } from "./lib/routeros/mod.ts";
export type { RouterOSPolicyOptions } from "./lib/routeros/mod.ts";
export type { RouterOSRequestOptions } from "./lib/routeros/mod.ts";

// The agent.
export { createAgent } from "./lib/agent/mod.ts";
export type { Agent } from "./lib/agent/mod.ts";
export type { AgentEvent } from "./lib/agent/mod.ts";
export type { AutoRecallOptions } from "./lib/agent/mod.ts";
export type { BeforeToolCall } from "./lib/agent/mod.ts";
export type { BeforeToolCallContext } from "./lib/agent/mod.ts";
export type { BeforeToolCallResult } from "./lib/agent/mod.ts";
export type { CreateAgentOptions } from "./lib/agent/mod.ts";
export type { HistoryOptions } from "./lib/agent/mod.ts";
export type { TurnInput } from "./lib/agent/mod.ts";
export type { TurnResult } from "./lib/agent/mod.ts";

// The HTTP gateway: `createGateway(...).fetch` is a standard `(Request) => Promise<Response>`.
export { createGateway } from "./lib/gateway/mod.ts";
export type { Gateway } from "./lib/gateway/mod.ts";
export type { GatewayOptions } from "./lib/gateway/mod.ts";
export type { Webhook } from "./lib/gateway/mod.ts";
export type { HealthProbe } from "./lib/gateway/mod.ts";
export type { HealthSource } from "./lib/gateway/mod.ts";
export type { TaskHandler } from "./lib/gateway/mod.ts";
export type { TaskHandlers } from "./lib/gateway/mod.ts";
export type { TaskInfo } from "./lib/gateway/mod.ts";
export type { TaskStatus } from "./lib/gateway/mod.ts";
export type { TaskType } from "./lib/gateway/mod.ts";
export type { WebhookHandler } from "./lib/gateway/mod.ts";

// Chat channels.
export { createDiscord } from "./lib/channels/mod.ts";
export { createSlack } from "./lib/channels/mod.ts";
export { createTelegram } from "./lib/channels/mod.ts";
export type { Button } from "./lib/channels/mod.ts";
export type { ButtonHandler } from "./lib/channels/mod.ts";
export type { ButtonPress } from "./lib/channels/mod.ts";
export type { ButtonReply } from "./lib/channels/mod.ts";
export type { Channel } from "./lib/channels/mod.ts";
export type { ChannelName } from "./lib/channels/mod.ts";
export type { ChannelOptions } from "./lib/channels/mod.ts";
export type { CheckResult } from "./lib/channels/mod.ts";
export type { DiscordOptions } from "./lib/channels/mod.ts";
export type { RetryOptions } from "./lib/channels/mod.ts";
export type { SendOptions } from "./lib/channels/mod.ts";
export type { SentMessage } from "./lib/channels/mod.ts";
export type { SlackOptions } from "./lib/channels/mod.ts";
export type { TelegramOptions } from "./lib/channels/mod.ts";

// Everything wired from a loaded config, as the CLI does.
export { createRuntime } from "./lib/runtime/mod.ts";
export type { Runtime } from "./lib/runtime/mod.ts";
export type { RuntimeOptions } from "./lib/runtime/mod.ts";
export type { Identity } from "./lib/identity/mod.ts";
