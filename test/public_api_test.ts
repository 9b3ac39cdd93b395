/**
 * Pins the public API: the runtime exports of `mod.ts` and of every subpath the packages
 * export (jsr.json, package.json), and the type names `mod.ts` lists. Adding or removing a
 * public symbol is a visible diff here.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

/** The runtime exports of `mod.ts`. */
const ROOT_VALUES = [
  "AgentError",
  "collectChat",
  "composioCallTool",
  "ConfigError",
  "createAgent",
  "createAnthropic",
  "createDiscord",
  "createFallbackProvider",
  "createGateway",
  "createGemini",
  "createMemory",
  "createMockProvider",
  "createOllama",
  "createOpenAICompatible",
  "createProvider",
  "createRedisStateStore",
  "createRouterOS",
  "createRouterOSExecutor",
  "createRouterOSPolicy",
  "createRuntime",
  "createSafeFetch",
  "createSlack",
  "createSsrfGuard",
  "createStateStore",
  "createStateStoreFromUrl",
  "createTelegram",
  "createWorkspace",
  "DEFAULT_WRITE_SCOPES",
  "defineTool",
  "ErrorCode",
  "errorMessage",
  "fileReadTool",
  "fileWriteTool",
  "healthCheckTool",
  "isAgentError",
  "isSecret",
  "loadConfig",
  "MemoryError",
  "memoryTools",
  "memuDriver",
  "parseUrlTool",
  "PolicyError",
  "ProviderError",
  "PROVIDERS",
  "routerosExecuteTool",
  "RouterOSError",
  "secret",
  "shellExecTool",
  "skillInvokeTool",
  "skillListTool",
  "storageMemoryDriver",
  "ToolError",
  "VERSION",
  "webScrapeTool",
  "webSearchTool",
];

/** The type-only exports of `mod.ts`. */
const ROOT_TYPES = [
  "Agent",
  "AgentErrorOptions",
  "AgentEvent",
  "Allowlist",
  "AnthropicSettings",
  "AutoRecallOptions",
  "BeforeToolCall",
  "BeforeToolCallContext",
  "BeforeToolCallResult",
  "Button",
  "ButtonHandler",
  "ButtonPress",
  "ButtonReply",
  "Channel",
  "ChannelName",
  "ChannelOptions",
  "ChatOptions",
  "ChatRequest",
  "ChatResult",
  "CheckedUrl",
  "CheckResult",
  "ComposioCallToolOptions",
  "Config",
  "ConfigIssue",
  "CreateAgentOptions",
  "CreateMemoryOptions",
  "CreateProviderSettings",
  "DefineToolOptions",
  "DiscordConfig",
  "DiscordOptions",
  "Env",
  "FallbackEntry",
  "FallbackOptions",
  "FamilySettings",
  "FileReadToolOptions",
  "FileWriteToolOptions",
  "FinishReason",
  "Gateway",
  "GatewayConfig",
  "GatewayOptions",
  "Webhook",
  "GeminiSettings",
  "HealthCheckToolOptions",
  "HealthProbe",
  "HealthSource",
  "HistoryOptions",
  "Identity",
  "LlmConfig",
  "LoadConfigOptions",
  "LogConfig",
  "Logger",
  "Memory",
  "MemoryCallOptions",
  "MemoryConfig",
  "MemoryDriver",
  "MemoryErrorKind",
  "MemoryErrorOptions",
  "MemoryItem",
  "MemoryProbe",
  "MemoryToolsOptions",
  "MemuDriverOptions",
  "Message",
  "MockCall",
  "MockFailure",
  "MockHang",
  "MockParts",
  "MockProvider",
  "MockProviderOptions",
  "MockReply",
  "MockStep",
  "MockStepContext",
  "MockToolCall",
  "OllamaSettings",
  "OpenAICompatibleSettings",
  "ProbeResult",
  "ProtectedPath",
  "Provider",
  "ProviderErrorKind",
  "ProviderErrorOptions",
  "ProviderFamily",
  "ProviderInfo",
  "ProviderName",
  "ProviderSettings",
  "ReadTextResult",
  "RecallOptions",
  "RedisClientLike",
  "RedisStateStoreOptions",
  "ReliableProvider",
  "Resolver",
  "RetryOptions",
  "RouterConfig",
  "RouterOS",
  "RouterOSApply",
  "RouterOSCall",
  "RouterOSDecision",
  "RouterOSErrorOptions",
  "RouterOSExecuteContext",
  "RouterOSExecutor",
  "RouterOSExecutorOptions",
  "RouterOSLookup",
  "RouterOSMatch",
  "RouterOSMethod",
  "RouterOSOptions",
  "RouterOSPlan",
  "RouterOSPlanKind",
  "RouterOSPolicy",
  "RouterOSPolicyOptions",
  "RouterOSRequestOptions",
  "Runtime",
  "RuntimeOptions",
  "SafeFetch",
  "SafeFetchOptions",
  "SafeRequestInit",
  "SafeResponse",
  "Secret",
  "SecretsConfig",
  "SendOptions",
  "SentMessage",
  "SetOptions",
  "ShellExecToolOptions",
  "SkillsToolOptions",
  "SlackConfig",
  "SlackOptions",
  "SsrfGuard",
  "SsrfGuardOptions",
  "StateStore",
  "StateStoreFromUrlOptions",
  "StateStoreOptions",
  "StorageConfig",
  "StorageKind",
  "StorageMemoryDriverOptions",
  "StreamPart",
  "TaskHandler",
  "TaskHandlers",
  "TaskInfo",
  "TaskStatus",
  "TaskType",
  "TelegramConfig",
  "TelegramOptions",
  "Tool",
  "ToolCall",
  "ToolContext",
  "ToolDefinition",
  "ToolEffect",
  "ToolResult",
  "ToolsConfig",
  "TurnInput",
  "TurnResult",
  "Usage",
  "WatchConfig",
  "WebhookHandler",
  "WebScrapeService",
  "WebScrapeToolOptions",
  "WebSearchConfig",
  "WebSearchProvider",
  "WebSearchToolOptions",
  "Workspace",
  "WorkspaceOptions",
  "WorkspaceSource",
];

/** The runtime exports of each package subpath other than `.`. */
const SUBPATH_VALUES: Record<string, string[]> = {
  "./agent": ["createAgent"],
  "./gateway": ["createGateway"],
  "./providers": [
    "collectChat",
    "createAnthropic",
    "createFallbackProvider",
    "createGemini",
    "createMockProvider",
    "createOllama",
    "createOpenAICompatible",
    "createProvider",
    "PROVIDERS",
  ],
  "./routeros": [
    "createRouterOS",
    "createRouterOSExecutor",
    "createRouterOSPolicy",
    "DEFAULT_WRITE_SCOPES",
    "RouterOSError",
  ],
  "./tools": [
    "composioCallTool",
    "defineTool",
    "fileReadTool",
    "fileWriteTool",
    "healthCheckTool",
    "memoryTools",
    "parseUrlTool",
    "routerosExecuteTool",
    "shellExecTool",
    "skillInvokeTool",
    "skillListTool",
    "webScrapeTool",
    "webSearchTool",
  ],
};

const sorted = (names: Iterable<string>) => [...names].sort();

/** The names a module's source lists in `export { … }` / `export type { … }` statements. */
function listedExports(source: string): { values: string[]; types: string[] } {
  const values: string[] = [];
  const types: string[] = [];
  for (const [, type, list] of source.matchAll(/^export (type )?\{([^}]*)\}/gm)) {
    for (const item of list!.split(",").map((s) => s.trim()).filter(Boolean)) {
      const name = item.replace(/^type\s+/, "").split(/\s+as\s+/).pop()!;
      (type || item.startsWith("type ") ? types : values).push(name);
    }
  }
  return { values, types };
}

describe("public API", () => {
  it("mod.ts exports exactly the pinned values", async () => {
    const mod = await import("../mod.ts");
    assert.deepEqual(sorted(Object.keys(mod)), sorted(ROOT_VALUES));
  });

  it("mod.ts lists exactly the pinned types, one explicit export per name", async () => {
    const source = await readFile(join(root, "mod.ts"), "utf8");
    const { values, types } = listedExports(source);
    assert.deepEqual(sorted(values), sorted(ROOT_VALUES));
    assert.deepEqual(sorted(types), sorted(ROOT_TYPES));
  });

  it("every package subpath exports exactly its pinned values", async () => {
    const jsr = JSON.parse(await readFile(join(root, "jsr.json"), "utf8"));
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    const subpaths = Object.keys(jsr.exports).filter((k) => k !== ".");
    assert.deepEqual(sorted(subpaths), sorted(Object.keys(SUBPATH_VALUES)));
    assert.deepEqual(sorted(Object.keys(pkg.exports)), sorted(Object.keys(jsr.exports)));
    for (const subpath of subpaths) {
      const mod = await import(join(root, jsr.exports[subpath]));
      assert.deepEqual(sorted(Object.keys(mod)), sorted(SUBPATH_VALUES[subpath]!), subpath);
      for (const name of Object.keys(mod)) {
        assert.ok(ROOT_VALUES.includes(name), `${subpath} exports ${name}, which mod.ts does not`);
      }
    }
  });

  it("mod.ts and every lib/*/mod.ts list their exports by name (no `export *`)", async () => {
    const files = ["mod.ts"];
    for (const entry of await readdir(join(root, "lib"), { withFileTypes: true })) {
      if (entry.isDirectory()) files.push(join("lib", entry.name, "mod.ts"));
    }
    for (const file of files) {
      const source = await readFile(join(root, file), "utf8").catch(() => undefined);
      if (source === undefined) continue; // a folder without a module entry
      assert.doesNotMatch(source, /^export (type )?\*/m, `${file} has an export * barrel`);
    }
  });
});
