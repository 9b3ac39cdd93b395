/**
 * The `routeros_execute` tool: what an operator would type at the RouterOS console, run through
 * the RouterOS policy and the REST API.
 * @module
 */
import * as v from "valibot";
import { builtinTool } from "./_tool.ts";
import { AgentError, ErrorCode } from "../errors.ts";
import type { Tool } from "./types.ts";
import type { RouterOSExecutor } from "../routeros/executor.ts";

/** Time limit of one `routeros_execute` run (above the router's own 60 s). */
export const ROUTEROS_TOOL_TIMEOUT_MS = 70_000;

/** Builds the `routeros_execute` tool (schema `{command: string}`, as in the C original); without
 * an executor (no router configured) every call is a clear "not configured" error. */
export function routerosExecuteTool(
  executor: RouterOSExecutor | undefined,
): Tool {
  return builtinTool({
    name: "routeros_execute",
    description: "Execute RouterOS command from args",
    input: v.object({ command: v.string() }),
    effect: executor?.writesAllowed ? "write" : "read",
    timeoutMs: ROUTEROS_TOOL_TIMEOUT_MS,
    run: async (input, context) => {
      if (!executor) {
        throw new AgentError(
          "Cannot run RouterOS commands: no router is configured (set ROUTER_URL or ROUTER_HOST, ROUTER_USER and ROUTER_PASS)",
          { code: ErrorCode.NotConfigured },
        );
      }
      return await executor.execute(input.command, {
        signal: context.signal,
        requestedBy: context.requestedBy,
      });
    },
  });
}
