/**
 * `/undo` and `/confirm` typed in a chat are answered by the change manager, `/jobs` by the jobs
 * part, never by the model: a person's command must not be reinterpreted (or invented) by the LLM.
 * @module
 */
import type { CommandHandler } from "../channels/types.ts";
import type { ChangeManager } from "../changes/create_change_manager.ts";

/**
 * The channels' command hook: `/jobs …` goes to `jobs`, other `/…` text to `changes` (when a
 * router is configured); anything they do not answer goes to the agent.
 */
export function chatCommands(
  changes: ChangeManager | undefined,
  jobs: CommandHandler,
): CommandHandler {
  return async (text, sender) => {
    const reply = await jobs(text, sender);
    if (reply !== undefined || !changes || !text.trimStart().startsWith("/")) return reply;
    return (await changes.handleChatCommand(text, sender))?.text;
  };
}
