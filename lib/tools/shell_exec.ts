/**
 * `shell_exec`: runs one allowed program with an argv (never a shell), in the workspace, with a
 * scrubbed environment, a time limit, an output cap and a process-group kill.
 * @module
 */
import * as v from "valibot";
import { builtinTool } from "./_tool.ts";
import type { Tool } from "./types.ts";
import { workspaceOf, type WorkspaceSource } from "./_workspace_source.ts";
import { AgentError, ErrorCode } from "../errors.ts";

/** Options of {@linkcode shellExecTool}. */
export interface ShellExecToolOptions {
  /** `ALLOWED_SHELL_CMDS`: program names; empty (the default) denies everything. */
  allowed?: readonly string[];
  /** The workspace: the working directory, and where path operands must resolve. */
  workspace: WorkspaceSource;
  /** Time limit of the program. @default {10000} */
  timeoutMs?: number;
  /** Cap of stdout + stderr in bytes. @default {65536} */
  maxOutputBytes?: number;
  /** Directories programs are taken from. @default {"/usr/bin:/bin:/usr/sbin:/sbin"} */
  trustedPath?: string;
}

const Input = v.object({ command: v.string() });

/** Builds the `shell_exec` tool. */
export function shellExecTool(options: ShellExecToolOptions): Tool {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxOutputBytes = options.maxOutputBytes ?? 65_536;
  return builtinTool({
    name: "shell_exec",
    description: "Execute allowed shell command",
    input: Input,
    effect: "write",
    timeoutMs: timeoutMs + 5_000,
    async run({ command }, context) {
      // The guard and the process runner load on first use (they are not needed at start-up).
      const [{ checkCommand, resolveProgram, TRUSTED_PATH }, { formatProcessResult, runProcess }] =
        await Promise.all([import("../security/shell.ts"), import("../security/_process.ts")]);
      const trustedPath = options.trustedPath ?? TRUSTED_PATH;
      const workspace = await workspaceOf(options.workspace);
      const checked = await checkCommand(command, {
        allowed: options.allowed ?? [],
        workspace,
      });
      const file = await resolveProgram(checked.program, trustedPath);
      const result = await runProcess({
        file,
        args: checked.args,
        cwd: await workspace.realRoot(),
        env: { PATH: trustedPath, LANG: "C.UTF-8" },
        timeoutMs,
        maxOutputBytes,
        signal: context.signal,
      });
      if (result.timedOut) {
        throw new AgentError(
          `Cannot run "${checked.program}": timed out after ${timeoutMs} ms (process group killed)\n${
            formatProcessResult(result)
          }`,
          { code: ErrorCode.ToolTimeout },
        );
      }
      if (result.aborted) throw new AgentError("Tool call cancelled", { code: ErrorCode.Aborted });
      return formatProcessResult(result);
    },
  });
}
