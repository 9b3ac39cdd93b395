/**
 * Error types shared by every MikroClaw module.
 *
 * Bad arguments use the built-in `TypeError` / `RangeError`; domain failures use
 * {@linkcode AgentError} (or a subclass) with a string `code` and a chained `cause`.
 * @module
 */

/** Stable error codes, usable in JSON error bodies and CLI exit mapping. */
export const ErrorCode = {
  Config: "E_CONFIG",
  Secret: "E_SECRET",
  ProviderHttp: "E_PROVIDER_HTTP",
  ProviderStream: "E_PROVIDER_STREAM",
  MissingApiKey: "E_MISSING_API_KEY",
  ToolInput: "E_TOOL_INPUT",
  ToolExecution: "E_TOOL_EXECUTION",
  ToolTimeout: "E_TOOL_TIMEOUT",
  PolicyBlocked: "E_POLICY_BLOCKED",
  RouterOS: "E_ROUTEROS",
  Memory: "E_MEMORY",
  Storage: "E_STORAGE",
  Channel: "E_CHANNEL",
  Aborted: "E_ABORTED",
  NotConfigured: "E_NOT_CONFIGURED",
} as const;

/** One of the values of {@linkcode ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const MARKER = "mikroclaw.error";

/** Options shared by every {@linkcode AgentError} constructor. */
export interface AgentErrorOptions {
  /** Machine-readable code. */
  code: ErrorCode;
  /** The underlying error, always chained. */
  cause?: unknown;
}

/** Base class of every MikroClaw domain error. */
export class AgentError extends Error {
  /** Machine-readable code. */
  readonly code: ErrorCode;
  /** An error with a message and its code. */
  constructor(message: string, options: AgentErrorOptions) {
    super(message, { cause: options.cause });
    this.name = "AgentError";
    this.code = options.code;
    Object.defineProperty(this, Symbol.for(MARKER), { value: true });
  }
}

/** True for any {@linkcode AgentError}, also across duplicate copies of the package. */
export function isAgentError(error: unknown): error is AgentError {
  return typeof error === "object" && error !== null && Symbol.for(MARKER) in error;
}

/** One problem found while validating configuration. */
export interface ConfigIssue {
  /** The setting's name, e.g. `GATEWAY_PORT`. */
  readonly key: string;
  /** What is wrong, with an example of a right value. */
  readonly message: string;
}

/** Invalid configuration; `issues` names every bad setting. */
export class ConfigError extends AgentError {
  /** Every problem found, one per setting. */
  readonly issues: readonly ConfigIssue[];
  /** One error for every issue found; its message lists them one per line. */
  constructor(issues: readonly ConfigIssue[], options: { cause?: unknown } = {}) {
    super(issues.map((i) => `${i.key}: ${i.message}`).join("\n"), {
      code: ErrorCode.Config,
      cause: options.cause,
    });
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** Classes of provider failure, used for retry and fallback decisions. */
export type ProviderErrorKind =
  | "auth"
  | "billing"
  | "rate-limit"
  | "overloaded"
  | "timeout"
  | "network"
  | "bad-request"
  | "context-overflow"
  | "server"
  | "stream"
  | "aborted";

/** Options of {@linkcode ProviderError}. */
export interface ProviderErrorOptions {
  /** Failure class. */
  kind: ProviderErrorKind;
  /** Provider id, e.g. `openai`. */
  provider: string;
  /** HTTP status, when there was a response. */
  status?: number | undefined;
  /** Milliseconds the server asked us to wait (`retry-after-ms` / `retry-after`). */
  retryAfterMs?: number | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/** A failed LLM request, classified. */
export class ProviderError extends AgentError {
  /** Failure class. */
  readonly kind: ProviderErrorKind;
  /** Provider id, e.g. `openai`. */
  readonly provider: string;
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;
  /** Server-requested delay before a retry. */
  readonly retryAfterMs: number | undefined;
  /** A classified provider failure. */
  constructor(message: string, options: ProviderErrorOptions) {
    super(message, {
      code: options.kind === "stream" ? ErrorCode.ProviderStream : ErrorCode.ProviderHttp,
      cause: options.cause,
    });
    this.name = "ProviderError";
    this.kind = options.kind;
    this.provider = options.provider;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
  /** Whether the same request may succeed if repeated. */
  get isRetryable(): boolean {
    return ["rate-limit", "overloaded", "timeout", "network", "server"].includes(this.kind);
  }
}

/** A tool failed; becomes an error result for the model, never a crash. */
export class ToolError extends AgentError {
  /** The failing tool's name. */
  readonly toolName: string;
  /** The failure of the tool `toolName`. */
  constructor(
    toolName: string,
    message: string,
    options: { code?: ErrorCode; cause?: unknown } = {},
  ) {
    super(message, { code: options.code ?? ErrorCode.ToolExecution, cause: options.cause });
    this.name = "ToolError";
    this.toolName = toolName;
  }
}

/** A guard or policy refused an action; `reason` says why and what would allow it. */
export class PolicyError extends AgentError {
  /** Human-readable reason, including the setting that would allow the action. */
  readonly reason: string;
  /** A refusal; `reason` is also the message. */
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(reason, { code: ErrorCode.PolicyBlocked, cause: options.cause });
    this.name = "PolicyError";
    this.reason = reason;
  }
}

/** Message of any thrown value, without a stack. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
