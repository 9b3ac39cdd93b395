/**
 * Per-key mutual exclusion, the one lock primitive: turns of one session, same-key store
 * updates, and requests of one RouterOS user each run one after another in arrival order, while
 * different keys run concurrently.
 * @module
 */

/** A set of per-key locks. */
export interface KeyedLocks {
  /**
   * Waits until every earlier holder of `key` has released, then resolves with the release
   * function. Rejects with the signal's reason if `signal` aborts while waiting.
   */
  acquire(key: string, signal?: AbortSignal): Promise<() => void>;
  /** Keys currently held or waited for. */
  readonly size: number;
}

/** Creates an empty set of per-key locks. */
export function createKeyedLocks(): KeyedLocks {
  const tails = new Map<string, Promise<void>>();

  return {
    async acquire(key: string, signal?: AbortSignal): Promise<() => void> {
      signal?.throwIfAborted();
      const previous = tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = previous.then(() => mine);
      tails.set(key, tail);
      const forget = (): void => {
        if (tails.get(key) === tail) tails.delete(key);
      };
      try {
        await untilAborted(previous, signal);
      } catch (error) {
        // Give up our place; later waiters still wait for `previous` through `tail`.
        release();
        void tail.then(forget);
        throw error;
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
        forget();
      };
    },
    get size(): number {
      return tails.size;
    },
  };
}

function untilAborted(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}

/** Runs `fn` holding `key` of `locks` (waiting for earlier holders first); releases after. */
export async function withKeyLock<R>(
  locks: KeyedLocks,
  key: string,
  fn: () => Promise<R>,
  signal?: AbortSignal,
): Promise<R> {
  const release = await locks.acquire(key, signal);
  try {
    return await fn();
  } finally {
    release();
  }
}
