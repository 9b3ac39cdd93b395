/**
 * RouterOS: the REST client, console-line translation, the policy, the executor behind the
 * `routeros_execute` tool, setup helpers, task recipes and the doctor probe.
 * @module
 */
export * from "./types.ts";
export * from "./routeros_error.ts";
export * from "./create_routeros.ts";
export * from "./pinned_fetch.ts";
export * from "./tokenize.ts";
export * from "./console.ts";
export * from "./policy.ts";
export * from "./executor.ts";
export * from "./setup.ts";
export * from "./recipes.ts";
export * from "./probe.ts";
