/**
 * The one retry policy of every HTTP client (provider calls, channel calls, memU): how many
 * retries, how long each wait (the server's own `Retry-After` when it gives one, else
 * exponential back-off with jitter), and when to give up instead (retries spent, the server asks
 * for longer than is worth waiting, the wait would pass a deadline). Callers keep their own loop,
 * because what counts as a failure and how an attempt runs (a promise, a stream) differ; the
 * waiting goes through `sleep`, so an abort ends it.
 * @module
 */

/** How one request is retried. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** First back-off delay in ms; it doubles per retry. */
  baseDelayMs: number;
  /** Longest back-off delay. @default {Infinity} */
  maxDelayMs?: number;
  /** Share of each back-off taken off at random, from 0 to 1. @default {0} */
  jitter?: number;
  /** A server asking to wait longer than this ends the retries. @default {Infinity} */
  maxRetryAfterMs?: number;
  /** Random source in [0, 1), for the jitter. @default {Math.random} */
  random?: () => number;
}

/** Back-off before retry `retry` (0-based): `min(base * 2^retry, max)` minus up to `jitter`. */
export function backoffMs(retry: number, policy: Omit<RetryPolicy, "retries">): number {
  const raw = Math.min(
    policy.baseDelayMs * 2 ** retry,
    policy.maxDelayMs ?? Infinity,
  );
  return raw * (1 - (policy.random ?? Math.random)() * (policy.jitter ?? 0));
}

/**
 * Counts the retries of one request. Call it after each failed attempt with the wait the server
 * asked for, if any: it answers how many ms to wait before the next attempt, or `undefined` when
 * the failure stands (retries spent, the server's wait is over `maxRetryAfterMs`, or the wait
 * would end at or after `deadline`, epoch ms, read with `now`).
 */
export type RetryCounter = (retryAfterMs?: number) => number | undefined;

/** Creates a {@linkcode RetryCounter} for one request. */
export function createRetryCounter(
  policy: RetryPolicy,
  deadline: number = Infinity,
  now: () => number = Date.now,
): RetryCounter {
  let retry = 0;
  return (retryAfterMs) => {
    if (retry >= policy.retries) return undefined;
    const asked = retryAfterMs !== undefined && retryAfterMs >= 0;
    if (asked && retryAfterMs > (policy.maxRetryAfterMs ?? Infinity)) return undefined;
    const wait = asked ? retryAfterMs : backoffMs(retry, policy);
    if (now() + wait >= deadline) return undefined;
    retry++;
    return wait;
  };
}
