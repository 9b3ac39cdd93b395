/**
 * Waiting, in one place: the one abortable delay (retries, backoffs, polling gaps and scripted
 * fakes wait through it) and the one retry policy of every HTTP client (provider calls, channel
 * calls, memU), which says how long each wait is: how many retries, the server's own
 * `Retry-After` when it gives one, else exponential back-off with jitter, and when to give up
 * instead (retries spent, the server asks for longer than is worth waiting, the wait would pass
 * a deadline). Callers keep their own loop, because what counts as a failure and how an attempt
 * runs (a promise, a stream) differ.
 *
 * One module rather than two: the policy is used by the gateway's core (the fallback chain) and
 * by lazily loaded clients alike, and a module of its own would be split into a bundle chunk of
 * its own (about 200 bytes of import overhead in the core's size budget).
 * @module
 */

/** Resolves after `ms` (negative counts as 0), or rejects with `signal.reason` when aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

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
  // No wait asked for (undefined) counts as a negative one: back off.
  return (retryAfterMs = -1) => {
    if (retry >= policy.retries || retryAfterMs > (policy.maxRetryAfterMs ?? Infinity)) return;
    const wait = retryAfterMs >= 0 ? retryAfterMs : backoffMs(retry, policy);
    if (now() + wait >= deadline) return;
    retry++;
    return wait;
  };
}
