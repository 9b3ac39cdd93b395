/**
 * Configuration: `loadConfig` (environment + optional `mikroclaw.json`, decrypted, validated,
 * frozen), `describeConfig` for dumps, and the `SETTINGS` list.
 * @module
 */
export type { Allowlist } from "./types.ts";
export type { Config } from "./types.ts";
export type { DiscordConfig } from "./types.ts";
export type { GatewayConfig } from "./types.ts";
export type { LlmConfig } from "./types.ts";
export type { LogConfig } from "./types.ts";
export type { MemoryConfig } from "./types.ts";
export type { ProviderName } from "./types.ts";
export type { ProviderSettings } from "./types.ts";
export type { ReliableProvider } from "./types.ts";
export type { RouterConfig } from "./types.ts";
export type { SecretsConfig } from "./types.ts";
export type { SlackConfig } from "./types.ts";
export type { StorageConfig } from "./types.ts";
export type { TelegramConfig } from "./types.ts";
export type { ToolsConfig } from "./types.ts";
export type { WatchConfig } from "./types.ts";
export type { WebSearchConfig } from "./types.ts";
export { collectSecrets } from "./load_config.ts";
export { describeConfig } from "./load_config.ts";
export { isLoopbackHost } from "./load_config.ts";
export { loadConfig } from "./load_config.ts";
export type { DescribedValue } from "./load_config.ts";
export type { LoadConfigOptions } from "./load_config.ts";
export { SETTINGS } from "./settings.ts";
export { settingsMarkdown } from "./settings.ts";
export type { SettingInfo } from "./settings.ts";
