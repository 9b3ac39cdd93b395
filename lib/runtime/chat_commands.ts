/**
 * `/undo` and `/confirm` typed in a chat are answered by the change manager, `/jobs` by the jobs
 * part, never by the model: a person's command must not be reinterpreted (or invented) by the LLM.
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

/** Wraps `agent` so `/jobs …` goes to `jobs` (list, confirm) before any LLM call. */
export function withJobCommands(
  agent: Agent,
  jobs: (text: string, sender: string) => Promise<string | undefined>,
): Agent {
  return {
    ...agent,
    async run(input: TurnInput): Promise<TurnResult> {
      const reply = await jobs(input.input, input.requestedBy ?? input.sessionKey);
      if (reply === undefined) return agent.run(input);
      return { text: reply, steps: 0, stopReason: "stop", toolCalls: 0 };
    },
  };
}
