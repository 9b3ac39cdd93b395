/**
 * Long-term memory: the {@linkcode createMemory} facade with its memU and storage drivers.
 * @module
 */
export type { Memory } from "./types.ts";
export type { MemoryCallOptions } from "./types.ts";
export type { MemoryDriver } from "./types.ts";
export type { MemoryItem } from "./types.ts";
export type { MemoryProbe } from "./types.ts";
export type { RecallOptions } from "./types.ts";
export { createMemory } from "./create_memory.ts";
export type { CreateMemoryOptions } from "./create_memory.ts";
export { memuDriver } from "./memu_driver.ts";
export type { MemuDriverOptions } from "./memu_driver.ts";
export { storageMemoryDriver } from "./storage_driver.ts";
export type { StorageMemoryDriverOptions } from "./storage_driver.ts";
export { MemoryError } from "./memory_error.ts";
export type { MemoryErrorKind } from "./memory_error.ts";
export type { MemoryErrorOptions } from "./memory_error.ts";
