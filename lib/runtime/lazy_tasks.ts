/**
 * The runtime's task handlers (`investigate`, `analyze`, `skill_invoke`), loaded on the first
 * task of those types: a gateway that never runs one never loads them.
 * @module
 */
import type { TaskHandler, TaskHandlers } from "../gateway/types.ts";
import type { TaskHandlersOptions } from "./tasks.ts";

/** Task types `taskHandlers` (`./tasks.ts`) provides. */
const TYPES = ["investigate", "analyze", "skill_invoke"] as const;

/** `taskHandlers(options)`, each handler importing `./tasks.ts` on its first call. */
export function lazyTaskHandlers(options: TaskHandlersOptions): TaskHandlers {
  let loaded: Promise<TaskHandlers> | undefined;
  const handlers = () =>
    loaded ??= import("./tasks.ts").then(({ taskHandlers }) => taskHandlers(options));
  const lazy = (type: (typeof TYPES)[number]): TaskHandler => async (task, context) =>
    await (await handlers())[type]!(task, context);
  return Object.fromEntries(TYPES.map((type) => [type, lazy(type)])) as TaskHandlers;
}
