/**
 * `MemoryError`: a classified memory failure (code `E_MEMORY`).
 * @module
 */
import { AgentError, ErrorCode } from "../errors.ts";

/** Classes of memory failure. */
export type MemoryErrorKind =
  | "auth"
  | "rate-limit"
  | "server"
  | "network"
  | "timeout"
  | "bad-request"
  | "not-found"
  | "task-failed"
  | "limit";

/** Options of {@linkcode MemoryError}. */
export interface MemoryErrorOptions {
  kind: MemoryErrorKind;
  status?: number;
  /** Milliseconds the server asked us to wait (`Retry-After`). */
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

/** A memory operation failed; tools turn it into a readable error result. */
export class MemoryError extends AgentError {
  /** Failure class. */
  readonly kind: MemoryErrorKind;
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** Server-requested delay before a retry. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: MemoryErrorOptions) {
    super(message, { code: ErrorCode.Memory, cause: options.cause });
    this.name = "MemoryError";
    this.kind = options.kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}
