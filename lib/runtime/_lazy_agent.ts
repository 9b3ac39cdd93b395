/**
 * An {@linkcode Agent} that stands in for one not built yet (see `agent_stack.ts`).
 * @module
 */
import type { Agent, AgentEvent, TurnInput, TurnResult } from "../agent/types.ts";

/**
 * An {@linkcode Agent} whose real agent is built by `load` on the first turn; `reset` before
 * that has no session to forget.
 */
export function lazyAgent(load: () => Promise<Agent>, loaded: () => Agent | undefined): Agent {
  return {
    async run(input: TurnInput): Promise<TurnResult> {
      return await (await load()).run(input);
    },
    async *stream(input: Omit<TurnInput, "onEvent">): AsyncIterable<AgentEvent> {
      yield* (await load()).stream(input);
    },
    reset(sessionKey: string): void {
      loaded()?.reset(sessionKey);
    },
  };
}
