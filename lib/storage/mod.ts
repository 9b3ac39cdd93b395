/**
 * Shared state: the {@linkcode StateStore} contract and its memory, fs and Redis backends.
 * @module
 */
export type { SetOptions, StateStore, StorageKind } from "./types.ts";
export { createStateStore } from "./state_store.ts";
export type { StateStoreOptions } from "./state_store.ts";
export { createRedisStateStore } from "./redis_state_store.ts";
export type { RedisClientLike, RedisStateStoreOptions } from "./redis_state_store.ts";
export { createStateStoreFromUrl, parseStorageSpec } from "./from_url.ts";
export type { StateStoreFromUrlOptions, StorageSpec } from "./from_url.ts";
export { probeStorage } from "./probe_storage.ts";
export type { StorageProbe } from "./probe_storage.ts";
