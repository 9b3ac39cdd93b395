/**
 * The agent contract used by the gateway, the channels, tasks and MCP.
 * @module
 */
import type { Message, ToolCall, Usage } from "../providers/types.ts";
import type { ToolResult } from "../tools/types.ts";

/**
 * Events of one agent turn, in order; a discriminated union on `type`.
 *
 * A turn emits `turn-start` (once the session's lock is held), then per model step its
 * `text-delta`s (also of steps that go on to call tools) and `fallback`s, then a `tool-start`
 * per call and a `tool-end` as each finishes (completion order; `result` is the tool's
 * secret-scrubbed output, not the fenced text the model reads). It ends with exactly one of
 * `turn-end` (after `step-limit` when the limit was hit; the notice is also a `text-delta`) or
 * `error` (provider failure, `E_ABORTED` on cancellation; nothing follows it).
 */
export type AgentEvent =
  | { type: "turn-start"; sessionKey: string }
  | { type: "text-delta"; text: string }
  | { type: "tool-start"; toolCall: ToolCall }
  | { type: "tool-end"; toolCall: ToolCall; result: ToolResult; durationMs: number }
  | { type: "fallback"; from: string; to: string; reason: string }
  | { type: "step-limit"; maxSteps: number }
  | { type: "error"; message: string; code: string }
  | { type: "turn-end"; text: string; steps: number; usage?: Usage };

/** Input of one turn. */
export interface TurnInput {
  /** The user's message. */
  input: string;
  /** Session key, e.g. `telegram:4242`; history and the lock are per session. */
  sessionKey: string;
  /** Who asked, passed to tools (`telegram:4242`, `gateway:<token id>`). Defaults to sessionKey. */
  requestedBy?: string;
  /** Extra messages placed before `input` (e.g. an OpenAI-compatible client's history). */
  history?: Message[];
  signal?: AbortSignal | undefined;
  /** Receives every event as it happens. Must not throw. */
  onEvent?: (event: AgentEvent) => void;
}

/** Result of one completed turn. */
export interface TurnResult {
  /** The final answer (the last model step's text), or the step-limit notice. */
  text: string;
  steps: number;
  /** `stop`: a final answer; `step-limit`: maxSteps reached; `error`: provider failure. */
  stopReason: "stop" | "step-limit" | "error" | "aborted";
  toolCalls: number;
  usage?: Usage;
}

/** A running agent. */
export interface Agent {
  /** Run one turn; resolves with the reply. Rejects only when aborted or on a provider failure. */
  run(input: TurnInput): Promise<TurnResult>;
  /** Run one turn as an event stream; never throws mid-stream (errors are `error` events). */
  stream(input: Omit<TurnInput, "onEvent">): AsyncIterable<AgentEvent>;
  /** Forget a session's history. */
  reset(sessionKey: string): void;
}
