/**
 * The memory contract behind `memory_store` / `memory_recall` / `memory_forget`.
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

/** Long-term memory: memU cloud or the local storage driver. */
export interface Memory {
  /** Driver name, e.g. `memu` or `storage`. */
  readonly driver: string;
  store(key: string, value: string, meta?: Record<string, string>): Promise<void>;
  /** Exact key first, then the best matches of a keyword/semantic search. */
  recall(query: string, options?: { limit?: number; signal?: AbortSignal }): Promise<MemoryItem[]>;
  /** Removes the item; resolves `false` when there was none. */
  forget(key: string): Promise<boolean>;
  /** Reachability and auth check for `doctor` and `/health`. */
  probe(options?: { signal?: AbortSignal }): Promise<{ ok: boolean; detail: string }>;
}
