/**
 * Wiring: from a loaded configuration to a running agent, gateway and channels.
 * @module
 */
export { createRuntime } from "./create_runtime.ts";
export type { Runtime } from "./create_runtime.ts";
export type { RuntimeOptions } from "./create_runtime.ts";
export { providerFromConfig } from "./provider.ts";
export { builtinTools } from "./builtin_tools.ts";
export type { BuiltinToolsOptions } from "./builtin_tools.ts";
export { configuredChannels } from "./channels.ts";
export type { ConfiguredChannelsOptions } from "./channels.ts";
