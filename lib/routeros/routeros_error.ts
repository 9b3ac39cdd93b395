/**
 * `RouterOSError`: a failed RouterOS REST call, with the router's own words.
 * @module
 */
import { AgentError, ErrorCode } from "../errors.ts";

/** Options of {@linkcode RouterOSError}. */
export interface RouterOSErrorOptions {
  /** HTTP status, when the router answered. */
  status?: number | undefined;
  /** The router's `detail` (e.g. `failure: already have such entry`). */
  detail?: string | undefined;
  /** The router's `message` (the HTTP reason phrase, e.g. `Bad Request`). */
  routerMessage?: string | undefined;
  /** The console line or REST call that caused the failure. */
  command?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/** A RouterOS REST call failed, or a console line could not be mapped to one. */
export class RouterOSError extends AgentError {
  /** HTTP status, when the router answered. */
  readonly status: number | undefined;
  /** The router's `detail`, when it sent one. */
  readonly detail: string | undefined;
  /** The router's `message` (reason phrase), when it sent one. */
  readonly routerMessage: string | undefined;
  /** The console line or REST call that caused the failure. */
  readonly command: string | undefined;
  /** A RouterOS failure with what the router said. */
  constructor(message: string, options: RouterOSErrorOptions = {}) {
    super(message, { code: ErrorCode.RouterOS, cause: options.cause });
    this.name = "RouterOSError";
    this.status = options.status;
    this.detail = options.detail;
    this.routerMessage = options.routerMessage;
    this.command = options.command;
  }
}

// How RouterOS words a failed script (measured on 7.x routers: `syntax error (line 1 column 10)`,
// `expected end of command (line 1 column 24)`, `bad command name foo (line 1 column 2)`, and the
// runtime errors `failure: …`, `no such item`, `input does not match any value of interface`,
// `invalid value for argument address`, `not enough permissions (9)`).
const SCRIPT_ERROR = new RegExp(
  [
    String.raw`\(line \d+ column \d+\)$`,
    "^failure: ",
    "^no such item",
    "^input does not match any value of ",
    "^invalid value for argument ",
    "^not enough permissions",
  ].join("|"),
);

/**
 * The error text in a script's output, when the script failed. `/execute` with `as-string`
 * answers HTTP 200 either way: a script that fails ends its output (`ret`) with the router's
 * error line, so the last non-empty line decides.
 */
export function scriptErrorOf(output: string): string | undefined {
  const lines = output.split(/\r?\n|\r/).map((l) => l.trim()).filter(Boolean);
  const last = lines[lines.length - 1];
  return last !== undefined && SCRIPT_ERROR.test(last) ? last : undefined;
}
