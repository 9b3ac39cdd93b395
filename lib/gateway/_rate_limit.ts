/**
 * Per-client token buckets in a bounded LRU map with a lazy sweep, so a flood of distinct
 * clients can never fill the table and lock everyone out (the C original's defect P6).
 * @module
 */

/** Options of {@linkcode createRateLimiter}. */
export interface RateLimiterOptions {
  /** Tokens added per second. */
  rps: number;
  /** Bucket size: requests allowed in a burst. */
  burst: number;
  /** Most clients tracked; the least recently seen is evicted beyond it. @default {10000} */
  maxClients?: number;
  /** How often idle (full) buckets are dropped. @default {60000} */
  sweepIntervalMs?: number;
  now: () => number;
}

/** Outcome of one {@linkcode RateLimiter.take}. */
export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

/** A token-bucket rate limiter keyed by client. */
export interface RateLimiter {
  take(key: string): RateDecision;
  /** Number of clients currently tracked. */
  size(): number;
}

interface Bucket {
  tokens: number;
  last: number;
}

/** Builds an in-process {@linkcode RateLimiter}. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { rps, burst, now } = options;
  if (!(rps > 0) || !(burst >= 1)) {
    throw new RangeError("Cannot create rate limiter: rps must be > 0 and burst >= 1");
  }
  const maxClients = options.maxClients ?? 10_000;
  const sweepEvery = options.sweepIntervalMs ?? 60_000;
  const fullAfterMs = (burst / rps) * 1000;
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  function sweep(t: number): void {
    lastSweep = t;
    for (const [key, b] of buckets) {
      if (t - b.last >= fullAfterMs) buckets.delete(key);
    }
  }

  return {
    take(key) {
      const t = now();
      if (t - lastSweep >= sweepEvery) sweep(t);
      let b = buckets.get(key);
      if (b) {
        buckets.delete(key); // re-insert: Map order is our LRU order
        b.tokens = Math.min(burst, b.tokens + (Math.max(0, t - b.last) / 1000) * rps);
        b.last = t;
      } else {
        if (buckets.size >= maxClients) {
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
        b = { tokens: burst, last: t };
      }
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / rps)) };
    },
    size: () => buckets.size,
  };
}
