/**
 * `/undo` and `/confirm` typed in a chat are answered by the change manager, never by the model:
 * a person's command must not be reinterpreted (or invented) by the LLM.
 * @module
 */
import type { Agent, TurnInput, TurnResult } from "../agent/types.ts";
import type { ChangeManager } from "../changes/create_change_manager.ts";

/** Wraps `agent` so chat commands go to `changes` before any LLM call. */
export function withChatCommands(agent: Agent, changes: ChangeManager): Agent {
  return {
    ...agent,
    async run(input: TurnInput): Promise<TurnResult> {
      const sender = input.requestedBy ?? input.sessionKey;
      const reply = input.input.trimStart().startsWith("/")
        ? await changes.handleChatCommand(input.input, sender)
        : undefined;
      if (!reply) return agent.run(input);
      return { text: reply.text, steps: 0, stopReason: "stop", toolCalls: 0 };
    },
  };
}
