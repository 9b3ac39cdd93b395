/**
 * One HTTP call to a chat service with retries on the shared retry policy
 * (`_internal/sleep.ts`): back-off with jitter on network errors and 5xx, and the service's own
 * wait on 429 (each with its own count).
 * @module
 */
import { AgentError, ErrorCode } from "../errors.ts";
import { createRetryCounter, type RetryPolicy } from "../_internal/sleep.ts";
import { isAbort, type ResolvedRetry, sleep } from "./_util.ts";
import { scrubSecrets } from "../secrets/scrub.ts";

/** A finished HTTP exchange. */
export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

/** Options of {@linkcode httpWithRetry}. */
export interface HttpCall {
  fetch: typeof globalThis.fetch;
  url: string;
  init: RequestInit;
  retry: ResolvedRetry;
  /** What is being done, for messages: `Telegram sendMessage` (never a URL: it may hold a token). */
  label: string;
  signal?: AbortSignal | undefined;
  /** Per-attempt time limit. @default {30000} */
  timeoutMs?: number | undefined;
  /** Milliseconds the service asks to wait in a 429 answer; undefined to use back-off. */
  retryAfterMs(result: HttpResult): number | undefined;
  /** Called before each attempt (Discord waits for its rate-limit bucket here). */
  beforeAttempt?: () => Promise<void>;
  /** Secrets (a token in the URL) scrubbed from the message of a chained network error. */
  redact?: string[];
  /** Called with every answer (Discord records its bucket headers here). */
  afterAttempt?: (result: HttpResult) => void;
}

/** Runs the call; returns the last answer (any status but 429/5xx, or those once retries are spent). */
export async function httpWithRetry(call: HttpCall): Promise<HttpResult> {
  const { retry } = call;
  const backoff: Omit<RetryPolicy, "retries"> = {
    baseDelayMs: retry.baseDelayMs,
    maxDelayMs: retry.maxDelayMs,
    jitter: 0.25,
    maxRetryAfterMs: retry.maxRetryAfterMs,
  };
  const failed = createRetryCounter({ ...backoff, retries: retry.maxRetries });
  const limited = createRetryCounter({ ...backoff, retries: retry.maxRateLimitRetries });
  for (;;) {
    call.signal?.throwIfAborted();
    await call.beforeAttempt?.();
    const attempt = new AbortController();
    const timer = setTimeout(
      () => attempt.abort(new DOMException("timed out", "TimeoutError")),
      call.timeoutMs ?? 30_000,
    );
    const onAbort = (): void => attempt.abort(call.signal?.reason);
    call.signal?.addEventListener("abort", onAbort, { once: true });
    let result: HttpResult;
    try {
      const response = await call.fetch(call.url, { ...call.init, signal: attempt.signal });
      result = { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      if (call.signal?.aborted) {
        throw new AgentError(`Cannot finish ${call.label}: aborted`, {
          code: ErrorCode.Aborted,
          cause: error,
        });
      }
      const wait = failed();
      if (wait === undefined) {
        const what = isAbort(error) ? "timed out" : "network error";
        throw new AgentError(`Cannot call ${call.label}: ${what}`, {
          code: ErrorCode.Channel,
          cause: call.redact ? scrub(error, call.redact) : error,
        });
      }
      await sleep(wait, call.signal);
      continue;
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener("abort", onAbort);
    }
    call.afterAttempt?.(result);
    const wait = result.status === 429
      ? limited(call.retryAfterMs(result))
      : result.status >= 500
      ? failed()
      : undefined;
    if (wait === undefined) return result;
    await sleep(wait, call.signal);
  }
}

/**
 * A copy of `error` whose message no longer contains any of `secrets`, in any encoding the
 * shared scrubber knows (no stack, no props).
 */
function scrub(error: unknown, secrets: string[]): Error {
  const message = scrubSecrets(error instanceof Error ? error.message : String(error), secrets);
  const copy = new Error(message);
  copy.name = error instanceof Error ? error.name : "Error";
  return copy;
}
