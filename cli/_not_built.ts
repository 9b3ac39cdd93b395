/** The honest failure of a command whose part is not wired yet (exit 1). */
import { AgentError, ErrorCode } from "../lib/errors.ts";

/** Throws `Cannot run <command>: <part> is not built yet`. */
export function notBuilt(command: string, part: string): never {
  throw new AgentError(`Cannot run ${command}: ${part} is not built yet`, {
    code: ErrorCode.NotConfigured,
  });
}
