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
  constructor(message: string, options: RouterOSErrorOptions = {}) {
    super(message, { code: ErrorCode.RouterOS, cause: options.cause });
    this.name = "RouterOSError";
    this.status = options.status;
    this.detail = options.detail;
    this.routerMessage = options.routerMessage;
    this.command = options.command;
  }
}
