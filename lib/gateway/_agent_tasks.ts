/**
 * Agent turns run for tasks: one helper every task type that asks the agent goes through (the
 * gateway's `agent` and `summarize`, the runtime's RouterOS recipes), so each turn gets a
 * session of its own that is forgotten when the task ends and never pushes a chat session out
 * of the agent's history.
 * @module
 */
import type { Agent } from "../agent/types.ts";
import type { TaskHandlers, TaskInfo } from "./types.ts";

/** Runs `input` as one agent turn in `task`'s own session, then forgets that session. */
export async function runTaskTurn(
  agent: Agent,
  task: TaskInfo,
  input: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  const sessionKey = `${task.requested_by}:task:${task.task_id}`;
  try {
    return (await agent.run({
      input,
      sessionKey,
      requestedBy: task.requested_by,
      signal,
    })).text;
  } finally {
    agent.reset(sessionKey);
  }
}

/** The gateway's own task types: `agent` (the input is the prompt) and `summarize`. */
export function agentTaskHandlers(agent: Agent): TaskHandlers {
  return {
    agent: (task, { signal }) => runTaskTurn(agent, task, task.input ?? "", signal),
    summarize: (task, { signal }) =>
      runTaskTurn(
        agent,
        task,
        `Summarise the following text concisely. Reply with the summary only.\n\n---\n${task.input}`,
        signal,
      ),
  };
}
