/**
 * The memory contract behind `memory_store` / `memory_recall` / `memory_forget` and the
 * conversation memory helpers.
 * @module
 */

/** One remembered item. */
export interface MemoryItem {
  key: string;
  value: string;
  /** Relevance of this item to the query, higher is better (0..1 where known). */
  score?: number;
  meta?: Record<string, string>;
}

/** Options every memory call takes. */
export interface MemoryCallOptions {
  signal?: AbortSignal;
}

/** Options of a recall. */
export interface RecallOptions extends MemoryCallOptions {
  /** Most items to return. @default {5} */
  limit?: number;
}

/** Result of a reachability / auth check. */
export interface MemoryProbe {
  ok: boolean;
  /** What was checked, or what failed and how to fix it. */
  detail: string;
}

/** Long-term memory: memU cloud or the local storage driver. */
export interface Memory {
  /** Driver name, e.g. `memu` or `storage`. */
  readonly driver: string;
  /** Stores `value` under `key`, replacing any earlier value of that key. */
  store(
    key: string,
    value: string,
    meta?: Record<string, string>,
    options?: MemoryCallOptions,
  ): Promise<void>;
  /** Exact key first, then the best matches of a keyword/semantic search. */
  recall(query: string, options?: RecallOptions): Promise<MemoryItem[]>;
  /** Removes the item; resolves `false` when there was none. */
  forget(key: string, options?: MemoryCallOptions): Promise<boolean>;
  /** Remembers free text without a key (e.g. a conversation turn summary). */
  remember?(text: string, options?: MemoryCallOptions): Promise<void>;
  /** Reachability and auth check for `doctor` and `/health`. Never throws. */
  probe(options?: MemoryCallOptions): Promise<MemoryProbe>;
}

/** A memory backend plugged into `createMemory` (unstorage-style driver object). */
export interface MemoryDriver {
  readonly name: string;
  store(
    key: string,
    value: string,
    meta: Record<string, string> | undefined,
    options: MemoryCallOptions,
  ): Promise<void>;
  recall(
    query: string,
    options: { limit: number; signal?: AbortSignal },
  ): Promise<MemoryItem[]>;
  forget(key: string, options: MemoryCallOptions): Promise<boolean>;
  remember?(text: string, options: MemoryCallOptions): Promise<void>;
  probe(options: MemoryCallOptions): Promise<MemoryProbe>;
}
