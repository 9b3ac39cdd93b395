/**
 * `createStateStore`: JSON state with TTLs and atomic set-if-absent / update over any
 * unstorage instance. Atomicity here is per process (a promise chain per key); the Redis
 * backend replaces it with server-side atomic operations.
 * @module
 */
import type { Storage } from "unstorage";
import type { SetOptions, StateStore, StorageKind } from "./types.ts";

interface Envelope<T> {
  v: T;
  /** Expiry, epoch milliseconds. */
  e?: number;
}

/** Options of {@linkcode createStateStore}. */
export interface StateStoreOptions {
  storage: Storage;
  kind: StorageKind;
  /** Clock, for tests. @default {Date.now} */
  now?: () => number;
  /** Called by `dispose()`. */
  onDispose?: () => Promise<void>;
}

/** Builds a {@linkcode StateStore} over an unstorage instance. */
export function createStateStore(options: StateStoreOptions): StateStore {
  const { storage, kind } = options;
  const now = options.now ?? Date.now;
  const locks = new Map<string, Promise<unknown>>();

  function withLock<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const previous = locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.then(() => {}, () => {});
    locks.set(key, settled);
    settled.then(() => {
      if (locks.get(key) === settled) locks.delete(key);
    });
    return run;
  }

  async function read<T>(key: string): Promise<T | null> {
    const raw = await storage.getItem<Envelope<T>>(key);
    if (raw === null || typeof raw !== "object" || !("v" in raw)) return null;
    if (raw.e !== undefined && raw.e <= now()) {
      await storage.removeItem(key);
      return null;
    }
    return raw.v;
  }

  function write<T>(key: string, value: T, options?: SetOptions): Promise<void> {
    const envelope: Envelope<T> = options?.ttlMs === undefined
      ? { v: value }
      : { v: value, e: now() + options.ttlMs };
    return storage.setItem(key, envelope as never);
  }

  return {
    kind,
    storage,
    get: read,
    set: (key, value, options) => withLock(key, () => write(key, value, options)),
    remove: (key) => withLock(key, () => storage.removeItem(key)),
    async keys(prefix) {
      const all = await storage.getKeys(prefix);
      return all.filter((k) => k.startsWith(prefix));
    },
    setIfAbsent: (key, value, options) =>
      withLock(key, async () => {
        if ((await read(key)) !== null) return false;
        await write(key, value, options);
        return true;
      }),
    update: <T>(key: string, update: (current: T | null) => T | undefined) =>
      withLock(key, async () => {
        const current = await read<T>(key);
        const next = update(current);
        if (next === undefined) return current;
        await write(key, next);
        return next;
      }),
    dispose: async () => {
      await options.onDispose?.();
      await storage.dispose();
    },
  };
}
