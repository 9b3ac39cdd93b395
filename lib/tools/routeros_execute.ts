/**
 * The `routeros_execute` tool: what an operator would type at the RouterOS console, run through
 * the RouterOS policy and the REST API.
 * @module
 */
import * as v from "valibot";
import { defineTool } from "./define_tool.ts";
import type { Tool } from "./types.ts";
import type { RouterOSExecutor } from "../routeros/executor.ts";

/** Time limit of one `routeros_execute` run (above the router's own 60 s). */
export const ROUTEROS_TOOL_TIMEOUT_MS = 70_000;

/** Builds the `routeros_execute` tool (schema `{command: string}`, as in the C original). */
export function routerosExecuteTool(executor: RouterOSExecutor): Tool {
  return defineTool({
    name: "routeros_execute",
    description: "Execute RouterOS command from args",
    input: v.object({ command: v.string() }),
    effect: executor.writesAllowed ? "write" : "read",
    timeoutMs: ROUTEROS_TOOL_TIMEOUT_MS,
    run: (input, context) =>
      executor.execute(input.command, {
        signal: context.signal,
        requestedBy: context.requestedBy,
      }),
  });
}
