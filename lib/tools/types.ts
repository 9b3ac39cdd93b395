/**
 * The tool contract: what the agent offers the model and runs on its behalf.
 * @module
 */
import type { Logger } from "../_internal/logger.ts";

/** Context given to every tool run. */
export interface ToolContext {
  /** Aborted on cancellation or timeout; a tool must stop promptly. */
  signal: AbortSignal;
  /** Who asked, e.g. `telegram:4242`, `gateway:<token id>`, `mcp:stdio`. */
  requestedBy: string;
  /** The session (channel + sender) the call belongs to. */
  sessionKey: string;
  logger: Logger;
}

/** What a tool does to the world; the policy and MCP annotations read it. */
export type ToolEffect = "read" | "write";

/** A tool ready to offer to the model. Built with `defineTool`. */
export interface Tool {
  /** `^[a-z][a-z0-9_]*$` (MCP client tools may carry `<server>__<tool>`). */
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments (an object schema). */
  readonly parameters: Record<string, unknown>;
  /** Read-only or side-effecting, under the current configuration. */
  readonly effect: ToolEffect;
  /** Hard time limit for one run. */
  readonly timeoutMs: number;
  /** Longest result text handed back to the model. */
  readonly maxOutputChars: number;
  /**
   * Validate `args` and run. Never throws: validation errors, thrown errors and timeouts
   * come back as `{ isError: true }` results the model can read.
   */
  call(args: unknown, context: ToolContext): Promise<ToolResult>;
}

/** The outcome of one tool run, as text for the model. */
export interface ToolResult {
  /** Text for the model (JSON for structured results). Capped at `maxOutputChars`. */
  content: string;
  isError: boolean;
}
