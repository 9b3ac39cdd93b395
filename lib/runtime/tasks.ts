/**
 * Handlers of the gateway's task types that need more than the agent: `investigate` and
 * `analyze` (RouterOS recipes) and `skill_invoke`.
 * @module
 */
import type { Agent } from "../agent/types.ts";
import type { Logger } from "../_internal/logger.ts";
import type { RouterOS } from "../routeros/types.ts";
import type { RouterOSRecipe } from "../routeros/recipes.ts";
import type { Tool } from "../tools/types.ts";
import type { TaskHandler, TaskHandlers, TaskInfo } from "../gateway/types.ts";
import { runTaskTurn } from "../gateway/_agent_tasks.ts";
import { scrubSecrets } from "../secrets/scrub.ts";

type Recipes = typeof import("../routeros/recipes.ts");

/** Options of {@linkcode taskHandlers}. */
export interface TaskHandlersOptions {
  agent: Agent;
  router: RouterOS | undefined;
  /** The agent's tools (built on first need). */
  tools: () => Promise<readonly Tool[]>;
  logger: Logger;
  /**
   * Every configured secret (read at use time): a task's result and error come from the
   * router or a skill, which may echo a credential, and reach the client as they are.
   */
  secrets?: readonly string[];
}

function listParam(task: TaskInfo, name: string): string[] | undefined {
  const raw = task.params?.[name];
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === "string") return raw.split(/[\s,]+/).filter(Boolean);
  return undefined;
}

/** `investigate`, `analyze` and `skill_invoke`; `agent` and `summarize` are the gateway's own. */
export function taskHandlers(options: TaskHandlersOptions): TaskHandlers {
  const { agent, router, tools, logger } = options;
  const secrets = options.secrets ?? [];
  // The prompt quotes router output: a hostile router may echo our credentials.
  const runAgent =
    (task: TaskInfo) => (prompt: string, init: { signal?: AbortSignal | undefined }) =>
      runTaskTurn(agent, task, scrubSecrets(prompt, secrets), init.signal);
  const recipeTask = (
    type: "investigate" | "analyze",
    recipe: (recipes: Recipes, task: TaskInfo, scopes: string[] | undefined) => RouterOSRecipe,
  ): TaskHandler =>
  async (task, { signal }) => {
    if (!router) {
      throw new Error(
        `Cannot run a ${type} task: no router is configured (set ROUTER_URL or ROUTER_HOST)`,
      );
    }
    const recipes = await import("../routeros/recipes.ts");
    const run = recipe(recipes, task, listParam(task, "scopes"));
    return (await recipes.runRouterOSRecipe(run, { router, runAgent: runAgent(task), signal }))
      .result;
  };
  const handlers: TaskHandlers = {
    investigate: recipeTask("investigate", (recipes, task, scopes) =>
      recipes.investigateRecipe({
        targets: listParam(task, "targets") ?? (task.input ?? "").split(/[\s,]+/).filter(Boolean),
        scopes,
      })),
    analyze: recipeTask("analyze", (recipes, task, scopes) =>
      recipes.analyzeRecipe({
        scopes,
        question: task.input,
      })),
    skill_invoke: async (task, { signal }) => {
      const skillInvoke = (await tools()).find((t) => t.name === "skill_invoke");
      if (!skillInvoke) {
        throw new Error("Cannot run a skill_invoke task: skills are not configured");
      }
      const params = task.params === undefined ? undefined : JSON.stringify(task.params);
      const result = await skillInvoke.call(
        { skill: task.skill, ...(params ? { params } : {}) },
        { signal, requestedBy: task.requested_by, sessionKey: `task:${task.task_id}`, logger },
      );
      if (result.isError) throw new Error(result.content);
      return result.content;
    },
  };
  return Object.fromEntries(
    Object.entries(handlers).map(([type, handler]) => [
      type,
      async (...args: Parameters<typeof handler>) => {
        const { scrubTaskOutcome } = await import("./_task_scrub.ts");
        return await scrubTaskOutcome(handler(...args), secrets);
      },
    ]),
  ) as TaskHandlers;
}
