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
  /** Expire the key after this many milliseconds. */
  ttlMs?: number;
}

/** JSON-valued key/value state with the two atomic operations a fleet needs. */
export interface StateStore {
  readonly kind: StorageKind;
  /** The underlying unstorage instance. */
  readonly storage: Storage;
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
   */
  update<T>(key: string, update: (current: T | null) => T | undefined): Promise<T | null>;
  /** Closes connections (Redis). */
  dispose(): Promise<void>;
}
