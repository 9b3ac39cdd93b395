/**
 * The shared-state contract: everything the gateway keeps (token hashes, lockouts, tasks,
 * identity, change records) goes through it, so a fleet on Redis shares it.
 * @module
 */
import type { Storage } from "unstorage";

/** Which backend `MIKROCLAW_STORAGE` chose. */
export type StorageKind = "memory" | "fs" | "redis";

/** Options of a write. */
export interface SetOptions {
  /** Expire the key after this many milliseconds (a positive finite number). */
  ttlMs?: number;
}

/** JSON-valued key/value state with the two atomic operations a fleet needs. */
export interface StateStore {
  readonly kind: StorageKind;
  /**
   * The underlying unstorage instance. Keys in it are encoded (see `lib/storage/_keys.ts`) and
   * values are envelopes `{v, e?, k?}`: go through the StateStore methods instead.
   */
  readonly storage: Storage;
  /** Where the state lives, for `doctor` (never contains a password), e.g. `fs /var/lib/x`. */
  readonly location?: string;
  get<T>(key: string): Promise<T | null>;
  set<T>(key: string, value: T, options?: SetOptions): Promise<void>;
  remove(key: string): Promise<void>;
  /** Keys under `prefix` (e.g. `tasks:`), without any driver mount prefix. */
  keys(prefix: string): Promise<string[]>;
  /** Sets `key` only if absent, atomically across every process sharing the store. */
  setIfAbsent<T>(key: string, value: T, options?: SetOptions): Promise<boolean>;
  /**
   * Atomically replaces the value of `key` with `update(current)`; `update` returning
   * `undefined` leaves it unchanged. Resolves the value now stored (or `null`).
   * `update` must be pure: on a shared backend it may run more than once (optimistic retry).
   * The key keeps its expiry unless `options.ttlMs` sets a new one.
   */
  update<T>(
    key: string,
    update: (current: T | null) => T | undefined,
    options?: SetOptions,
  ): Promise<T | null>;
  /** Closes connections (Redis). */
  dispose(): Promise<void>;
}
