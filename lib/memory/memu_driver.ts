/**
 * `memuDriver`: long-term memory in memU cloud (API v3: memorize -> async task, retrieve,
 * delete; the base path is a setting because the API changes version).
 *
 * memU deletes only whole scopes (a user, or a user + agent), never one item, so each key
 * lives in its own agent scope (`<agentId>.k.<hash of key>`) under the user id: `forget(key)`
 * deletes exactly that key, and `store()` replaces it. Free text from `remember()` (turn
 * summaries) goes to the agent scope `<agentId>`.
 *
 * memU keeps what it extracts from a conversation — often several items, rephrased — never the
 * text itself, so the stored value and the list of keys also live in a {@linkcode StateStore}
 * (`memu:note:<key>`): a recall by key returns exactly what was stored, and a free-text recall
 * searches the agent scope and every stored key's scope, answering each matching key with its
 * stored value. A key whose local copy is gone (memory storage after a restart) is answered
 * with what memU kept.
 * @module
 */
import { errorMessage } from "../errors.ts";
import { MemoryError } from "./memory_error.ts";
import type { MemoryCallOptions, MemoryDriver, MemoryItem, MemoryProbe } from "./types.ts";
import { createStateStore } from "../storage/state_store.ts";
import type { StateStore } from "../storage/types.ts";
import { sleep } from "../_internal/sleep.ts";
import { asObject, createMemuClient } from "./_memu_client.ts";

/** Options of {@linkcode memuDriver}. */
export interface MemuDriverOptions {
  /** `MEMU_API_KEY`. */
  apiKey: string;
  /** `MEMU_BASE_URL`. @default {"https://api.memu.so"} */
  baseUrl?: string;
  /** `AGENT_ID`: the memU agent scope. @default {"mikroclaw"} */
  agentId?: string;
  /**
   * Where stored values and the key list live (`MIKROCLAW_STORAGE`), so a recall by key
   * returns the value itself. @default {a store in memory}
   */
  store?: StateStore;
  /** Key scopes one free-text recall asks at once. @default {4} */
  recallConcurrency?: number;
  /** memU user id. @default {the agent id} */
  userId?: string;
  /** Path of the memory API under the base URL. @default {"/api/v3/memory"} */
  apiPrefix?: string;
  fetch?: typeof globalThis.fetch | undefined;
  /** Limit of one HTTP request. @default {15000} */
  requestTimeoutMs?: number;
  /** Delay between polls of a memorize task. @default {2000} */
  pollIntervalMs?: number;
  /** Limit of waiting for a memorize task. @default {60000} */
  taskTimeoutMs?: number;
  /** Retries of a 429 / 5xx / network failure. @default {2} */
  maxRetries?: number;
  /** First backoff delay (doubles per retry) when no `Retry-After` is given. @default {500} */
  retryBaseMs?: number;
  /** Longest `Retry-After` worth waiting for; longer ones fail at once. @default {10000} */
  maxRetryAfterMs?: number;
}

type Message = { role: "user" | "assistant"; content: string };

/** Builds a {@linkcode MemoryDriver} for memU cloud. */
export function memuDriver(options: MemuDriverOptions): MemoryDriver {
  if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
    throw new TypeError("Cannot use memU: MEMU_API_KEY is empty");
  }
  const base = (options.baseUrl ?? "https://api.memu.so").replace(/\/+$/, "");
  const apiPrefix = "/" +
    (options.apiPrefix ?? "/api/v3/memory").replace(/^\/+|\/+$/g, "");
  const agentId = options.agentId ?? "mikroclaw";
  const userId = options.userId ?? agentId;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const taskTimeoutMs = options.taskTimeoutMs ?? 60_000;
  const call = createMemuClient({ ...options, url: `${base}${apiPrefix}`, base });
  const notes = options.store ?? createStateStore();
  const recallConcurrency = Math.max(1, options.recallConcurrency ?? 4);

  async function memorize(
    scope: string,
    conversation: Message[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const submitted = asObject(
      await call("POST", "/memorize", {
        conversation,
        user_id: userId,
        agent_id: scope,
        agent_name: "MikroClaw",
        session_date: new Date().toISOString(),
      }, signal),
    );
    const taskId = typeof submitted.task_id === "string" ? submitted.task_id : undefined;
    let status = String(submitted.status ?? "").toUpperCase();
    if (taskId === undefined) {
      if (isDone(status)) return;
      throw new MemoryError(
        "Cannot store memory in memU: the answer had no task_id",
        {
          kind: "server",
        },
      );
    }
    const deadline = Date.now() + taskTimeoutMs;
    while (!isDone(status)) {
      if (status === "FAILED") {
        throw new MemoryError(
          `Cannot store memory in memU: task ${taskId} failed`,
          {
            kind: "task-failed",
          },
        );
      }
      if (Date.now() >= deadline) {
        throw new MemoryError(
          `Cannot store memory in memU: task ${taskId} did not finish within ${taskTimeoutMs} ms (it may still complete)`,
          { kind: "timeout" },
        );
      }
      await sleep(pollIntervalMs, signal);
      const answer = asObject(
        await call(
          "GET",
          `/memorize/status/${encodeURIComponent(taskId)}`,
          undefined,
          signal,
        ),
      );
      status = String(answer.status ?? "").toUpperCase();
    }
  }

  async function retrieve(
    scope: string,
    query: string,
    signal: AbortSignal | undefined,
  ): Promise<Array<{ content: string; id?: string; score?: number }>> {
    const answer = asObject(
      await call("POST", "/retrieve", {
        user_id: userId,
        agent_id: scope,
        query,
      }, signal),
    );
    const out: Array<{ content: string; id?: string; score?: number }> = [];
    for (const raw of Array.isArray(answer.items) ? answer.items : []) {
      const item = asObject(raw);
      const content = firstString(
        item.content,
        item.summary,
        item.memory_content,
      );
      if (content === undefined) continue;
      const entry: { content: string; id?: string; score?: number } = {
        content,
      };
      if (typeof item.id === "string") entry.id = item.id;
      if (typeof item.score === "number" && Number.isFinite(item.score)) {
        entry.score = item.score;
      }
      out.push(entry);
    }
    if (out.length === 0) {
      for (
        const raw of Array.isArray(answer.categories) ? answer.categories : []
      ) {
        const category = asObject(raw);
        const summary = firstString(category.summary);
        if (summary !== undefined) {
          out.push({
            content: summary,
            id: `category:${String(category.name ?? "")}`,
          });
        }
      }
    }
    return out;
  }

  async function keyScope(key: string): Promise<string> {
    const digest = await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(key),
    );
    const hex = Array.from(
      new Uint8Array(digest).slice(0, 12),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    return `${agentId}.k.${hex}`;
  }

  async function deleteScope(
    scope: string,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const answer = await call("POST", "/delete", {
      user_id: userId,
      agent_id: scope,
    }, signal);
    const count = asObject(answer).deleted_count;
    return typeof count === "number" ? count > 0 : true;
  }

  const NOTE = "memu:note:";

  /** Retrieves `query` in each stored key's scope, `recallConcurrency` at a time. */
  async function searchKeys(
    keys: string[],
    query: string,
    signal: AbortSignal | undefined,
  ): Promise<MemoryItem[]> {
    const found: MemoryItem[] = [];
    let next = 0;
    async function worker(): Promise<void> {
      while (next < keys.length) {
        const key = keys[next++]!;
        const hits = await retrieve(await keyScope(key), query, signal);
        if (hits.length === 0) continue;
        const stored = await notes.get<string>(NOTE + key);
        const score = Math.min(0.99, Math.max(...hits.map((h) => h.score ?? 0.5)));
        found.push({ key, value: stored ?? joined(hits), score });
      }
    }
    await Promise.all(Array.from({ length: Math.min(recallConcurrency, keys.length) }, worker));
    return found;
  }

  return {
    name: "memu",
    async store(key, value, _meta, { signal }: MemoryCallOptions) {
      const scope = await keyScope(key);
      await deleteScope(scope, signal);
      await notes.remove(NOTE + key);
      // One line, no framing sentence memU could keep as an item of its own; the key in it
      // lets a free-text recall find the note by its name too.
      await memorize(scope, [{ role: "user", content: `${key}: ${value}` }], signal);
      await notes.set(NOTE + key, value);
    },
    async recall(query, { limit, signal }) {
      const keys = (await notes.keys(NOTE)).map((k) => k.slice(NOTE.length));
      const [exact, ownScope, byKey, general] = await Promise.all([
        notes.get<string>(NOTE + query),
        // A key stored before a restart of memory storage: only memU knows it.
        keys.includes(query)
          ? Promise.resolve([])
          : keyScope(query).then((scope) => retrieve(scope, query, signal)),
        searchKeys(keys.filter((k) => k !== query), query, signal),
        retrieve(agentId, query, signal),
      ]);
      const items: MemoryItem[] = [];
      if (exact !== null) items.push({ key: query, value: exact, score: 1 });
      else if (ownScope.length > 0) items.push({ key: query, value: joined(ownScope), score: 1 });
      const ranked: MemoryItem[] = [...byKey];
      for (const [i, hit] of general.entries()) {
        const item: MemoryItem = { key: `memu:${hit.id ?? i}`, value: hit.content };
        if (hit.score !== undefined) item.score = Math.min(hit.score, 0.99);
        ranked.push(item);
      }
      ranked.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
      return [...items, ...ranked].slice(0, limit);
    },
    async forget(key, { signal }) {
      const had = await notes.get<string>(NOTE + key) !== null;
      const deleted = await deleteScope(await keyScope(key), signal);
      await notes.remove(NOTE + key);
      return had || deleted;
    },
    async remember(text, { signal }) {
      await memorize(agentId, [{ role: "user", content: text }], signal);
    },
    async probe({ signal }): Promise<MemoryProbe> {
      try {
        await call(
          "POST",
          "/categories",
          { user_id: userId, agent_id: agentId },
          signal,
          0,
        );
        return {
          ok: true,
          detail: `memU at ${base}: reachable, API key accepted`,
        };
      } catch (error) {
        return { ok: false, detail: errorMessage(error) };
      }
    },
  };
}

// --- Internal helpers ---

function isDone(status: string): boolean {
  return status === "SUCCESS" || status === "COMPLETED";
}

/** What memU kept of one note, its items in the order memU gave them. */
function joined(hits: ReadonlyArray<{ content: string }>): string {
  return hits.map((h) => h.content).join("\n");
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}
