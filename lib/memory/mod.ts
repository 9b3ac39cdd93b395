/**
 * Long-term memory: the {@linkcode createMemory} facade, the memU and storage drivers, and
 * the conversation memory helpers.
 * @module
 */
export type {
  Memory,
  MemoryCallOptions,
  MemoryDriver,
  MemoryItem,
  MemoryProbe,
  RecallOptions,
} from "./types.ts";
export { createMemory } from "./create_memory.ts";
export type { CreateMemoryOptions } from "./create_memory.ts";
export { memuDriver } from "./memu_driver.ts";
export type { MemuDriverOptions } from "./memu_driver.ts";
export { storageMemoryDriver } from "./storage_driver.ts";
export type { StorageMemoryDriverOptions } from "./storage_driver.ts";
export { MemoryError } from "./memory_error.ts";
export type { MemoryErrorKind, MemoryErrorOptions } from "./memory_error.ts";
export { recallContext, rememberTurn } from "./context.ts";
export type { RecallContextOptions } from "./context.ts";
