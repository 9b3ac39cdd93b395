/**
 * Shared state: the {@linkcode StateStore} contract and its memory, fs and Redis backends.
 * @module
 */
export type { SetOptions } from "./types.ts";
export type { StateStore } from "./types.ts";
export type { StorageKind } from "./types.ts";
export { createStateStore } from "./state_store.ts";
export type { StateStoreOptions } from "./state_store.ts";
export { createRedisStateStore } from "./redis_state_store.ts";
export type { RedisClientLike } from "./redis_state_store.ts";
export type { RedisStateStoreOptions } from "./redis_state_store.ts";
export { createStateStoreFromUrl } from "./from_url.ts";
export type { StateStoreFromUrlOptions } from "./from_url.ts";
