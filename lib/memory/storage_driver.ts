/**
 * `storageMemoryDriver`: long-term memory kept in the {@linkcode StateStore}
 * (`MIKROCLAW_STORAGE`): exact-key recall plus a scored keyword search over stored values.
 * @module
 */
import type { StateStore } from "../storage/mod.ts";
import { MemoryError } from "./memory_error.ts";
import type { MemoryDriver, MemoryItem } from "./types.ts";

/** Options of {@linkcode storageMemoryDriver}. */
export interface StorageMemoryDriverOptions {
  store: StateStore;
  /** Key prefix inside the store. @default {"memory:"} */
  prefix?: string;
  /** Longest stored value. @default {4000} */
  maxValueChars?: number;
  /** Most items kept; keyed stores beyond it fail, turn summaries evict the oldest. @default {500} */
  maxItems?: number;
  /** Clock, for tests. @default {Date.now} */
  now?: () => number;
}

interface Record_ {
  key: string;
  value: string;
  meta?: Record<string, string>;
  updatedAt: number;
}

const TURN = "turn:";

/** Builds a {@linkcode MemoryDriver} over a {@linkcode StateStore}. */
export function storageMemoryDriver(
  options: StorageMemoryDriverOptions,
): MemoryDriver {
  const { store } = options;
  const prefix = options.prefix ?? "memory:";
  const maxValue = options.maxValueChars ?? 4000;
  const maxItems = options.maxItems ?? 500;
  const now = options.now ?? Date.now;

  async function all(): Promise<Record_[]> {
    const out: Record_[] = [];
    for (const key of await store.keys(prefix)) {
      const record = await store.get<Record_>(key);
      if (record && typeof record.value === "string") out.push(record);
    }
    return out;
  }

  async function makeRoom(key: string, evictTurns: boolean): Promise<void> {
    if ((await store.get(prefix + key)) !== null) return;
    const keys = await store.keys(prefix);
    if (keys.length < maxItems) return;
    if (evictTurns) {
      const turns = (await all()).filter((r) => r.key.startsWith(TURN));
      turns.sort((a, b) => a.updatedAt - b.updatedAt);
      const oldest = turns[0];
      if (oldest) {
        await store.remove(prefix + oldest.key);
        return;
      }
    }
    throw new MemoryError(
      `Cannot store memory "${key}": memory is full (${maxItems} items); forget something first`,
      { kind: "limit" },
    );
  }

  async function put(
    key: string,
    value: string,
    meta?: Record<string, string>,
  ): Promise<void> {
    if (value.length > maxValue) {
      throw new MemoryError(
        `Cannot store memory "${key}": ${value.length} characters, the limit is ${maxValue}`,
        { kind: "limit" },
      );
    }
    await makeRoom(key, key.startsWith(TURN));
    const record: Record_ = { key, value, updatedAt: now() };
    if (meta !== undefined) record.meta = meta;
    await store.set(prefix + key, record);
  }

  return {
    name: "storage",
    store: (key, value, meta) => put(key, value, meta),
    async recall(query, { limit }) {
      const records = await all();
      const terms = tokens(query);
      const scored: MemoryItem[] = [];
      const order = new Map<MemoryItem, number>();
      for (const record of records) {
        let score: number;
        if (record.key === query) score = 1;
        else {
          if (terms.size === 0) continue;
          const words = tokens(`${record.key} ${record.value}`);
          let hits = 0;
          for (const term of terms) if (words.has(term)) hits++;
          if (hits === 0) continue;
          // Below an exact key match (1), whatever the overlap.
          score = 0.99 * (hits / terms.size);
        }
        const item: MemoryItem = {
          key: record.key,
          value: record.value,
          score,
        };
        if (record.meta) item.meta = record.meta;
        scored.push(item);
        order.set(item, record.updatedAt);
      }
      scored.sort((a, b) => (b.score! - a.score!) || (order.get(b)! - order.get(a)!));
      return scored.slice(0, limit);
    },
    async forget(key) {
      if ((await store.get(prefix + key)) === null) return false;
      await store.remove(prefix + key);
      return true;
    },
    async probe() {
      const key = `${prefix}_probe:${crypto.randomUUID()}`;
      await store.set(key, 1, { ttlMs: 60_000 });
      const ok = (await store.get(key)) === 1;
      await store.remove(key);
      const where = store.location ?? store.kind;
      return ok ? { ok, detail: `memory in storage ${where}: read/write ok` } : {
        ok,
        detail: `Cannot use memory in storage ${where}: a value written was not read back`,
      };
    },
  };
}

// --- Internal helpers ---

/** Lower-cased word tokens of at least two letters or digits, any script. */
function tokens(text: string): Set<string> {
  const out = new Set<string>();
  for (
    const word of text.normalize("NFKC").toLowerCase().split(/[^\p{L}\p{N}]+/u)
  ) {
    if (word.length >= 2) out.add(word);
  }
  return out;
}
