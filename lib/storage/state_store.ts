/**
 * `createStateStore`: JSON state with TTLs and atomic set-if-absent / update over any
 * unstorage instance. Atomicity here is per process (a promise chain per key); the Redis
 * backend ({@linkcode createRedisStateStore}) uses server-side atomic operations instead.
 * Keys are encoded (see `_keys.ts`) so no key can collide with another or leave an fs base.
 * @module
 */
import { createStorage, type Storage } from "unstorage";
import type { SetOptions, StateStore, StorageKind } from "./types.ts";
import { decodeKey, encodeKey, isHashedKey, prefixBase } from "./_keys.ts";
import { createKeyedLocks } from "../_internal/keyed_locks.ts";

/** What is stored under each key. */
export interface Envelope<T = unknown> {
  v: T;
  /** Expiry, epoch milliseconds. */
  e?: number;
  /** The original key, when the storage key holds a hashed segment. */
  k?: string;
}

/** Options of {@linkcode createStateStore}. */
export interface StateStoreOptions {
  storage: Storage;
  kind: StorageKind;
  /** Shown by `doctor`; must not contain secrets. */
  location?: string;
  /** Clock, for tests. @default {Date.now} */
  now?: (() => number) | undefined;
  /** Called by `dispose()`. */
  onDispose?: () => Promise<void>;
}

// Per-key locks, shared by every store over the same storage (or the same fs directory) in this
// process, so two stores never both win a claim.
const LOCKS = createKeyedLocks();
const STORAGE_IDS = new WeakMap<Storage, string>();

/**
 * Builds a {@linkcode StateStore} over an unstorage instance; without options, one in memory
 * (this process only, nothing on disk). Its atomic operations are atomic within this process
 * only; use Redis for several processes.
 */
export function createStateStore(
  options: StateStoreOptions = {
    storage: createStorage(),
    kind: "memory",
    location: "memory (this process only, nothing written to disk)",
  },
): StateStore {
  const { storage, kind } = options;
  const now = options.now ?? Date.now;
  let scope = STORAGE_IDS.get(storage);
  if (scope === undefined) {
    scope = crypto.randomUUID();
    STORAGE_IDS.set(storage, scope);
  }
  if (kind === "fs" && options.location !== undefined) scope = options.location;

  async function withLock<R>(raw: string, fn: () => Promise<R>): Promise<R> {
    const release = await LOCKS.acquire(`${scope}\0${raw}`);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async function readEnvelope<T>(raw: string): Promise<Envelope<T> | null> {
    const item = await storage.getItem<Envelope<T>>(raw);
    if (item === null || typeof item !== "object" || !("v" in item)) {
      return null;
    }
    if (item.e !== undefined && item.e <= now()) {
      await storage.removeItem(raw);
      return null;
    }
    return item;
  }

  function write<T>(
    key: string,
    raw: string,
    hashed: boolean,
    value: T,
    ttl: number | undefined,
    keep?: number,
  ): Promise<void> {
    const expiry = ttl === undefined ? keep : now() + ttl;
    const envelope: Envelope<T> = { v: value };
    if (expiry !== undefined) envelope.e = expiry;
    if (hashed) envelope.k = key;
    return storage.setItem(raw, envelope as never);
  }

  return {
    kind,
    storage,
    ...(options.location === undefined ? {} : { location: options.location }),
    async get<T>(key: string): Promise<T | null> {
      const { raw } = await encodeKey(key);
      return (await readEnvelope<T>(raw))?.v ?? null;
    },
    async set(key, value, setOptions) {
      const ttl = ttlOf(setOptions);
      const { raw, hashed } = await encodeKey(key);
      return withLock(raw, () => write(key, raw, hashed, value, ttl));
    },
    async remove(key) {
      const { raw } = await encodeKey(key);
      return withLock(raw, () => storage.removeItem(raw));
    },
    async keys(prefix) {
      const base = await prefixBase(prefix);
      const out: string[] = [];
      for (const raw of await storage.getKeys(base)) {
        let key = decodeKey(raw);
        if (key === undefined && !isHashedKey(raw)) continue;
        if (key !== undefined && !key.startsWith(prefix)) continue;
        const envelope = await readEnvelope(raw);
        if (envelope === null) continue;
        key ??= envelope.k;
        if (key !== undefined && key.startsWith(prefix)) out.push(key);
      }
      return out;
    },
    async setIfAbsent(key, value, setOptions) {
      const ttl = ttlOf(setOptions);
      const { raw, hashed } = await encodeKey(key);
      return withLock(raw, async () => {
        if ((await readEnvelope(raw)) !== null) return false;
        await write(key, raw, hashed, value, ttl);
        return true;
      });
    },
    async update<T>(
      key: string,
      update: (current: T | null) => T | undefined,
      setOptions?: SetOptions,
    ): Promise<T | null> {
      const ttl = ttlOf(setOptions);
      const { raw, hashed } = await encodeKey(key);
      return withLock(raw, async () => {
        const current = await readEnvelope<T>(raw);
        const next = update(current?.v ?? null);
        if (next === undefined) return current?.v ?? null;
        await write(key, raw, hashed, next, ttl, current?.e);
        return next;
      });
    },
    dispose: async () => {
      await options.onDispose?.();
      await storage.dispose();
    },
  };
}

/** Validates `ttlMs`: `undefined` or a positive finite number. */
export function ttlOf(options: SetOptions | undefined): number | undefined {
  const ttl = options?.ttlMs;
  if (ttl === undefined) return undefined;
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0) {
    throw new RangeError(
      `Cannot set state: ttlMs must be a positive number, got ${ttl}`,
    );
  }
  return Math.ceil(ttl);
}
