/**
 * Configuration: `loadConfig` (environment + optional `mikroclaw.json`, decrypted, validated,
 * frozen), `describeConfig` for dumps, and the `SETTINGS` list.
 * @module
 */
export type * from "./types.ts";
export {
  collectSecrets,
  describeConfig,
  type DescribedValue,
  isLoopbackHost,
  loadConfig,
  type LoadConfigOptions,
} from "./load_config.ts";
export { type SettingInfo, SETTINGS, settingsMarkdown } from "./settings.ts";
