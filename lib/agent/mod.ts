/**
 * The agent: `createAgent` runs turns of a conversation against a provider and tools.
 * @module
 */
export { createAgent } from "./create_agent.ts";
export type { CreateAgentOptions } from "./create_agent.ts";
export type { BeforeToolCall } from "./create_agent.ts";
export type { BeforeToolCallContext } from "./create_agent.ts";
export type { BeforeToolCallResult } from "./create_agent.ts";
export type { AutoRecallOptions } from "./create_agent.ts";
export type { HistoryOptions } from "./create_agent.ts";
export type { Agent } from "./types.ts";
export type { AgentEvent } from "./types.ts";
export type { TurnInput } from "./types.ts";
export type { TurnResult } from "./types.ts";
