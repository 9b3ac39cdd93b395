/**
 * Classifies LLM provider failures (HTTP status, error body, headers, thrown fetch errors) into
 * {@linkcode ProviderError} kinds that drive retry and fallback decisions.
 * @module
 */
import { errorMessage, ProviderError } from "../errors.ts";
import type { ProviderErrorKind } from "../errors.ts";
import { parseRetryAfter } from "../_internal/retry_after.ts";
export { parseRetryAfter };

/** What the error body said, in a provider-neutral form. */
interface BodyInfo {
  message: string;
  /** `error.type`, `error.status`, `error.code` (as strings), lower-cased, space-joined. */
  tags: string;
  /** OpenRouter moderation metadata present. */
  moderation: boolean;
}

const CONTEXT_RE =
  /context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long|input is too long|exceeds? the (maximum|context|model)|token limit|reduce the length/i;
const BILLING_RE =
  /insufficient[_ ]quota|billing|credit balance|insufficient credits|payment|spend[_ ]limit|exceeded your current quota/i;
const AUTH_RE =
  /api key not valid|invalid[_ ]api[_ ]key|incorrect api key|authentication|unauthorized/i;

function bodyInfo(body: unknown, rawText: string): BodyInfo {
  const tags: string[] = [];
  let message = "";
  let moderation = false;
  if (typeof body === "object" && body !== null) {
    const error = (body as { error?: unknown }).error;
    if (typeof error === "string") message = error;
    else if (typeof error === "object" && error !== null) {
      const e = error as Record<string, unknown>;
      if (typeof e.message === "string") message = e.message;
      for (const key of ["type", "status", "code"]) {
        const v = e[key];
        if (typeof v === "string" || typeof v === "number") tags.push(String(v).toLowerCase());
      }
      const details = e.details as Record<string, unknown> | undefined;
      if (details && typeof details === "object" && typeof details.error_code === "string") {
        tags.push(details.error_code.toLowerCase());
      }
      const meta = e.metadata as Record<string, unknown> | undefined;
      if (meta && typeof meta === "object" && ("reasons" in meta || "flagged_input" in meta)) {
        moderation = true;
      }
    } else if (typeof (body as { message?: unknown }).message === "string") {
      message = (body as { message: string }).message;
    }
  }
  if (!message) message = rawText.trim().slice(0, 300);
  return { message, tags: tags.join(" "), moderation };
}

const RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";

/**
 * Milliseconds a Google error body asks to wait: `error.details[]` holds a
 * `google.rpc.RetryInfo` whose `retryDelay` is a protobuf duration (`"34.4s"`). Read through
 * {@linkcode parseRetryAfter}, as if the server had sent it as a `Retry-After` header.
 */
function retryInfoDelay(body: unknown): number | undefined {
  const details = (body as { error?: { details?: unknown } } | undefined)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const d = detail as Record<string, unknown> | null;
    const delay = d?.["@type"] === RETRY_INFO ? d.retryDelay : undefined;
    const seconds = typeof delay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(delay.trim()) : null;
    if (seconds) return parseRetryAfter(new Headers({ "retry-after": seconds[1]! }));
  }
  return undefined;
}

function kindFromTags(tags: string, message: string): ProviderErrorKind | undefined {
  const all = `${tags} ${message}`;
  if (/enforced_spend_limit_reached|insufficient_quota|billing_error/.test(tags)) return "billing";
  if (/overloaded_error|unavailable/.test(tags)) return "overloaded";
  if (/rate_limit|resource_exhausted/.test(tags)) return "rate-limit";
  if (
    /authentication_error|permission_error|unauthenticated|permission_denied|invalid_api_key/.test(
      tags,
    )
  ) {
    return "auth";
  }
  if (/context_length_exceeded|request_too_large/.test(tags) || CONTEXT_RE.test(message)) {
    return "context-overflow";
  }
  if (/timeout_error|deadline_exceeded/.test(tags)) return "timeout";
  if (/api_error|server_error|internal/.test(tags)) return "server";
  if (BILLING_RE.test(all)) return "billing";
  if (/invalid_request_error|invalid_argument|not_found/.test(tags)) return "bad-request";
  return undefined;
}

/** Options of {@linkcode classifyHttpError}. */
export interface ClassifyHttpOptions {
  /** Provider id for the error. */
  provider: string;
  status: number;
  headers?: Headers;
  /** The response body text (may be empty or not JSON). */
  bodyText?: string;
}

/** Turns a non-2xx response into a classified {@linkcode ProviderError}. */
export function classifyHttpError(options: ClassifyHttpOptions): ProviderError {
  const { provider, status } = options;
  const text = options.bodyText ?? "";
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const info = bodyInfo(body, text);
  const fromTags = kindFromTags(info.tags, info.message);
  let kind: ProviderErrorKind;
  if (status === 401) kind = "auth";
  else if (status === 403) kind = info.moderation ? "bad-request" : "auth";
  else if (status === 402) kind = "billing";
  else if (status === 429) kind = fromTags === "billing" ? "billing" : "rate-limit";
  else if (status === 408 || status === 504) kind = "timeout";
  else if (status === 413) kind = "context-overflow";
  else if (status === 529 || status === 503) kind = "overloaded";
  else if (status === 409 || status >= 500) {
    kind = fromTags === "overloaded" ? "overloaded" : "server";
  } else if (AUTH_RE.test(info.message) && status === 400) kind = "auth";
  else if (fromTags === "context-overflow" || CONTEXT_RE.test(info.message)) {
    kind = "context-overflow";
  } else if (fromTags === "billing") kind = "billing";
  else kind = "bad-request";
  const retryAfterMs = (options.headers ? parseRetryAfter(options.headers) : undefined) ??
    retryInfoDelay(body);
  const detail = info.message ? `: ${info.message}` : "";
  return new ProviderError(`Cannot call provider "${provider}": HTTP ${status}${detail}`, {
    kind,
    provider,
    status,
    retryAfterMs,
  });
}

/**
 * Classifies an error object that arrived inside a started (HTTP 200) stream, e.g. OpenAI's
 * `data: {"error":{...}}` or Anthropic's `event: error`. Unknown shapes become kind `stream`.
 */
export function classifyStreamError(provider: string, body: unknown): ProviderError {
  const info = bodyInfo(body, typeof body === "string" ? body : "");
  let kind = kindFromTags(info.tags, info.message);
  if (kind === undefined) {
    const code = Number(
      (body as { error?: { code?: unknown } } | undefined)?.error?.code ?? Number.NaN,
    );
    if (Number.isFinite(code) && code >= 400) {
      kind = classifyHttpError({ provider, status: code, bodyText: JSON.stringify(body) }).kind;
    } else kind = "stream";
  }
  return new ProviderError(
    `Cannot complete stream of provider "${provider}": ${info.message || "error event"}`,
    { kind, provider },
  );
}

/**
 * Classifies a thrown fetch/stream failure: an aborted `signal` is `timeout` when its reason is a
 * `TimeoutError`, otherwise `aborted`; anything else is `network`.
 */
export function classifyThrown(
  provider: string,
  error: unknown,
  signal?: AbortSignal,
): ProviderError {
  if (error instanceof ProviderError) return error;
  if (signal?.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    const timeout = reason?.name === "TimeoutError";
    return new ProviderError(
      timeout
        ? `Cannot call provider "${provider}": timed out`
        : `Cannot call provider "${provider}": aborted`,
      { kind: timeout ? "timeout" : "aborted", provider, cause: error },
    );
  }
  return new ProviderError(
    `Cannot call provider "${provider}": network error: ${errorMessage(error)}`,
    { kind: "network", provider, cause: error },
  );
}
