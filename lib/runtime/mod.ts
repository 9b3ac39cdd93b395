/**
 * Wiring: from a loaded configuration to a running agent, gateway and channels.
 * @module
 */
export { createRuntime, type Runtime, type RuntimeOptions } from "./create_runtime.ts";
export { providerFromConfig } from "./provider.ts";
export { builtinTools, type BuiltinToolsOptions } from "./builtin_tools.ts";
export { configuredChannels, type ConfiguredChannelsOptions } from "./channels.ts";
