/**
 * `createRedisStateStore`: the {@linkcode StateStore} for a fleet. Every operation runs on
 * the unstorage redis driver's ioredis connection, so two processes on one Redis never both
 * win a claim: `setIfAbsent` is `SET key value NX PX ttl`, `update` is an optimistic
 * compare-and-set (a Lua script) retried on conflict, and TTLs are Redis expiry.
 * @module
 */
import type { Storage } from "unstorage";
import type { StateStore } from "./types.ts";
import type { Envelope } from "./state_store.ts";
import { ttlOf } from "./state_store.ts";
import { decodeKey, encodeKey, isHashedKey, prefixBase } from "./_keys.ts";
import { AgentError, ErrorCode } from "../errors.ts";
import { sleep } from "../_internal/sleep.ts";
import { createKeyedLocks, withKeyLock } from "../_internal/keyed_locks.ts";

/** The subset of an ioredis client this store uses. */
export interface RedisClientLike {
  get(key: string): Promise<string | null>;
  set(
    key: string,
    value: string,
    ...args: Array<string | number>
  ): Promise<unknown>;
  unlink(...keys: string[]): Promise<number>;
  scan(
    cursor: string,
    ...args: Array<string | number>
  ): Promise<[string, string[]]>;
  eval(
    script: string,
    numKeys: number,
    ...args: Array<string | number>
  ): Promise<unknown>;
}

/** Options of {@linkcode createRedisStateStore}. */
export interface RedisStateStoreOptions {
  /** An unstorage instance on the redis driver (used for `store.storage` and `dispose`). */
  storage: Storage;
  /** The driver's ioredis connection (`driver.getInstance()`). */
  redis: RedisClientLike;
  /** Key prefix shared by every key, without the trailing colon. @default {"mikroclaw"} */
  prefix?: string;
  /** Shown by `doctor`; must not contain secrets. */
  location?: string;
  /** Attempts of one `update` before it gives up under contention. @default {1000} */
  maxUpdateAttempts?: number;
}

// Compare-and-set: ARGV[1] = "1" when the key must be absent, else ARGV[2] is the expected
// value; ARGV[3] the new value; ARGV[4] a new TTL in ms or "" to keep the current expiry.
const CAS = `
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur then return 0 end
elseif cur ~= ARGV[2] then
  return 0
end
if ARGV[4] ~= '' then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
elseif cur then
  redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1
`;

/** Builds a {@linkcode StateStore} whose atomic operations are atomic across processes. */
export function createRedisStateStore(
  options: RedisStateStoreOptions,
): StateStore {
  const { storage, redis } = options;
  const prefix = options.prefix ?? "mikroclaw";
  const maxAttempts = options.maxUpdateAttempts ?? 1000;
  const locks = createKeyedLocks();

  // Serialises same-key updates inside this process, so Redis only arbitrates between processes.
  function withLock<R>(raw: string, fn: () => Promise<R>): Promise<R> {
    return withKeyLock(locks, raw, fn);
  }

  function full(raw: string): string {
    return `${prefix}:${raw}`;
  }

  function pack<T>(key: string, hashed: boolean, value: T): string {
    const envelope: Envelope<T> = hashed ? { v: value, k: key } : { v: value };
    return JSON.stringify(envelope);
  }

  function unpack<T>(json: string | null): Envelope<T> | null {
    if (json === null) return null;
    try {
      const parsed = JSON.parse(json) as Envelope<T>;
      return parsed !== null && typeof parsed === "object" && "v" in parsed ? parsed : null;
    } catch {
      return null;
    }
  }

  async function scanAll(pattern: string): Promise<string[]> {
    const out: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(
        cursor,
        "MATCH",
        pattern,
        "COUNT",
        500,
      );
      cursor = next;
      out.push(...keys);
    } while (cursor !== "0");
    return out;
  }

  return {
    kind: "redis",
    storage,
    ...(options.location === undefined ? {} : { location: options.location }),
    async get<T>(key: string): Promise<T | null> {
      const { raw } = await encodeKey(key);
      return unpack<T>(await redis.get(full(raw)))?.v ?? null;
    },
    async set(key, value, setOptions) {
      const ttl = ttlOf(setOptions);
      const { raw, hashed } = await encodeKey(key);
      const json = pack(key, hashed, value);
      if (ttl === undefined) await redis.set(full(raw), json);
      else await redis.set(full(raw), json, "PX", ttl);
    },
    async remove(key) {
      const { raw } = await encodeKey(key);
      await redis.unlink(full(raw));
    },
    async keys(keyPrefix) {
      const base = await prefixBase(keyPrefix);
      const pattern = escapeGlob(base === "" ? `${prefix}:` : `${prefix}:${base}:`) + "*";
      const out: string[] = [];
      for (const fullKey of await scanAll(pattern)) {
        const raw = fullKey.slice(prefix.length + 1);
        let key = decodeKey(raw);
        if (key === undefined) {
          if (!isHashedKey(raw)) continue;
          key = unpack(await redis.get(fullKey))?.k;
        }
        if (key !== undefined && key.startsWith(keyPrefix)) out.push(key);
      }
      return out;
    },
    async setIfAbsent(key, value, setOptions) {
      const ttl = ttlOf(setOptions);
      const { raw, hashed } = await encodeKey(key);
      const json = pack(key, hashed, value);
      const result = ttl === undefined
        ? await redis.set(full(raw), json, "NX")
        : await redis.set(full(raw), json, "PX", ttl, "NX");
      return result === "OK";
    },
    // Typed by StateStore["update"]: `current` and `next` are its `T`.
    async update(key, update, setOptions) {
      const ttl = ttlOf(setOptions);
      const { raw, hashed } = await encodeKey(key);
      const k = full(raw);
      return withLock(raw, async () => {
        for (let attempt = 0; attempt < maxAttempts; attempt++) {
          const currentJson = await redis.get(k);
          const current = unpack<Parameters<typeof update>[0]>(currentJson)?.v ?? null;
          const next = update(current);
          if (next === undefined) return current;
          const won = await redis.eval(
            CAS,
            1,
            k,
            currentJson === null ? "1" : "0",
            currentJson ?? "",
            pack(key, hashed, next),
            ttl === undefined ? "" : String(ttl),
          );
          if (Number(won) === 1) return next;
          // Lost a race with another process: back off a little, with jitter.
          await sleep(Math.random() * Math.min(2 ** Math.min(attempt, 6), 50));
        }
        throw new AgentError(
          `Cannot update state key: still contended after ${maxAttempts} attempts`,
          { code: ErrorCode.Storage },
        );
      });
    },
    dispose: () => storage.dispose(),
  };
}

// --- Internal helpers ---

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/** Why Redis cannot be reached, in words (not the client library's internals), with a fix. */
export function redisFailureReason(message: string, timeoutMs: number): string {
  if (/ECONNREFUSED/.test(message)) {
    return "connection refused; start Redis there or fix the host and port in MIKROCLAW_STORAGE";
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) {
    return "no such host; fix the host name in MIKROCLAW_STORAGE";
  }
  if (/NOAUTH|WRONGPASS|invalid password|AUTH/i.test(message)) {
    return "authentication failed; put the right password in MIKROCLAW_STORAGE (redis://:PASSWORD@host:6379)";
  }
  if (/ETIMEDOUT|timed? ?out|ECONNRESET|EHOSTUNREACH|ENETUNREACH/i.test(message)) {
    return `no answer within ${timeoutMs} ms; check that Redis is reachable from here`;
  }
  return "Redis did not answer; check that it runs and that MIKROCLAW_STORAGE names it";
}
