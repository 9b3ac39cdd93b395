/**
 * The agent: `createAgent` runs turns of a conversation against a provider and tools.
 * @module
 */
export * from "./create_agent.ts";
export * from "./system_prompt.ts";
export * from "./untrusted.ts";
export type * from "./types.ts";
