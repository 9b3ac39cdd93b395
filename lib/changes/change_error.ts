/**
 * `ChangeError`: an action on a change record that cannot be done now, with the HTTP status the
 * gateway answers (403 not yours to decide, 404 unknown, 409 wrong state or changed since).
 * @module
 */
import { AgentError, ErrorCode } from "../errors.ts";

/** Why a change action was refused. */
export type ChangeErrorKind = "not_found" | "forbidden" | "conflict";

const STATUS: Record<ChangeErrorKind, 403 | 404 | 409> = {
  not_found: 404,
  forbidden: 403,
  conflict: 409,
};

/** A change action refused; `status` is the gateway's answer. */
export class ChangeError extends AgentError {
  /** Why. */
  readonly kind: ChangeErrorKind;
  /** HTTP status for the gateway. */
  readonly status: 403 | 404 | 409;
  constructor(kind: ChangeErrorKind, message: string, options: { cause?: unknown } = {}) {
    super(message, {
      code: kind === "forbidden" ? ErrorCode.PolicyBlocked : ErrorCode.RouterOS,
      cause: options.cause,
    });
    this.name = "ChangeError";
    this.kind = kind;
    this.status = STATUS[kind];
  }
}
