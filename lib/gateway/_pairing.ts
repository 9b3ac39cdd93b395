/**
 * Pairing and bearer tokens, all state in the shared StateStore: one-time codes (hashed,
 * consumed atomically), SHA-256-hashed tokens with expiry, per-client lockouts (at most
 * {@linkcode MAX_LOCKOUTS} records, so a flood of client ids cannot grow the store) and a
 * per-code attempt cap.
 * @module
 */
import type { Logger } from "../_internal/logger.ts";
import type { StateStore } from "../storage/types.ts";
import {
  MAX_TOKEN_LINEAGE,
  readTokenAncestors,
  recordTokenLineage,
} from "../_internal/token_lineage.ts";
import { randomDigits, randomHex, randomToken, sha256Hex } from "./_crypto.ts";
import { constantTimeEqual } from "../secrets/secret.ts";

/** What is stored under `tokens:<sha256 of token>`. */
export interface TokenRecord {
  id: string;
  createdAt: number;
  expiresAt: number;
}

interface CodeRecord {
  hash: string;
  expiresAt: number;
  failures: number;
  consumedBy?: string;
  /** Id of the token that minted this code (`POST /pair/codes`); absent for operator codes. */
  mintedBy?: string;
}

interface LockoutRecord {
  failures: number;
  lockouts: number;
  lockedUntil: number;
  lastFailure: number;
}

/** Result of a pairing attempt. */
export type PairResult =
  | { ok: true; token: string; id: string }
  | { ok: false; status: 403 | 429; retryAfterS?: number };

/** Options of {@linkcode createPairing}. */
export interface PairingOptions {
  store: StateStore;
  now: () => number;
  logger: Logger;
  tokenTtlMs: number;
  /** @default {600000} */
  codeTtlMs?: number;
  /** Failed guesses (from anyone) after which a live code is burnt. @default {20} */
  maxCodeAttempts?: number;
  /** Failures from one client before it is locked out. @default {5} */
  lockoutThreshold?: number;
}

/** Pairing and token operations. */
export interface Pairing {
  readonly codeTtlMs: number;
  /**
   * Issues a one-time code. `mintedBy` (a token id) makes the token paired with it a member of
   * that token's family; resolves `undefined` when the minter's chain is already too deep.
   */
  issueCode(mintedBy?: string): Promise<string | undefined>;
  pair(code: string, client: string): Promise<PairResult>;
  verify(token: string): Promise<TokenRecord | null>;
  revoke(token: string): Promise<void>;
  revokeAll(): Promise<number>;
  /** Drops expired codes and stale lockouts (memory/fs stores do not expire keys by themselves). */
  sweep(): Promise<void>;
}

const CODE_PREFIX = "pairing:codes:";
const LOCK_PREFIX = "pairing:lockouts:";
const TOKEN_PREFIX = "tokens:";
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const LOCKOUT_FORGET_MS = 60 * 60_000;
/** Lock-out records one process keeps; past it the least recently failing client's goes. */
export const MAX_LOCKOUTS = 1000;

/** Lockout back-off: 60 s, 120 s, 240 s, then 300 s. */
function backoffMs(lockouts: number): number {
  return Math.min(300_000, 60_000 * 2 ** Math.max(0, lockouts - 1));
}

/** Builds the {@linkcode Pairing} operations over a StateStore. */
export function createPairing(options: PairingOptions): Pairing {
  const { store, now, logger, tokenTtlMs } = options;
  const codeTtlMs = options.codeTtlMs ?? 600_000;
  const maxCodeAttempts = options.maxCodeAttempts ?? 20;
  const threshold = options.lockoutThreshold ?? 5;
  // Lock-out keys this process wrote, least recently failing first.
  const lockKeys = new Set<string>();

  async function lockKey(client: string): Promise<string> {
    // Addresses contain ':' (unstorage's separator), so key by a hash.
    return LOCK_PREFIX + (await sha256Hex(client)).slice(0, 32);
  }

  async function liveCodes(): Promise<Array<[string, CodeRecord]>> {
    const out: Array<[string, CodeRecord]> = [];
    for (const key of await store.keys(CODE_PREFIX)) {
      const rec = await store.get<CodeRecord>(key);
      if (!rec) continue;
      if (rec.expiresAt <= now() || rec.consumedBy !== undefined) {
        await store.remove(key);
        continue;
      }
      out.push([key, rec]);
    }
    return out;
  }

  async function issueToken(
    mintedBy: string | undefined,
  ): Promise<{ token: string; id: string }> {
    const token = randomToken(32);
    const id = randomHex(12);
    const t = now();
    const rec: TokenRecord = { id, createdAt: t, expiresAt: t + tokenTtlMs };
    // Lineage first: a token must never exist without the record of who minted it.
    await recordTokenLineage(store, id, mintedBy, tokenTtlMs);
    await store.set(TOKEN_PREFIX + (await sha256Hex(token)), rec, {
      ttlMs: tokenTtlMs,
    });
    return { token, id };
  }

  async function recordFailure(
    client: string,
    codes: Array<[string, CodeRecord]>,
  ): Promise<void> {
    for (const [key] of codes) {
      const next = await store.update<CodeRecord>(
        key,
        (
          cur,
        ) => (cur && cur.consumedBy === undefined
          ? { ...cur, failures: cur.failures + 1 }
          : undefined),
      );
      if (next && next.failures >= maxCodeAttempts) {
        await store.remove(key);
        logger.warn(
          `gateway: a pairing code was burnt after ${maxCodeAttempts} failed attempts; issue a new one`,
        );
      }
    }
    const t = now();
    const lk = await lockKey(client);
    lockKeys.delete(lk);
    lockKeys.add(lk);
    if (lockKeys.size > MAX_LOCKOUTS) {
      const oldest = lockKeys.values().next().value!;
      lockKeys.delete(oldest);
      await store.remove(oldest);
    }
    await store.update<LockoutRecord>(lk, (cur) => {
      const base = cur && t - cur.lastFailure < LOCKOUT_FORGET_MS
        ? cur
        : { failures: 0, lockouts: 0, lockedUntil: 0, lastFailure: t };
      const failures = base.failures + 1;
      if (failures < threshold) return { ...base, failures, lastFailure: t };
      const lockouts = base.lockouts + 1;
      return {
        failures: 0,
        lockouts,
        lockedUntil: t + backoffMs(lockouts),
        lastFailure: t,
      };
    }, { ttlMs: LOCKOUT_FORGET_MS });
  }

  async function attempt(code: string, client: string): Promise<PairResult> {
    const lk = await lockKey(client);
    const lock = await store.get<LockoutRecord>(lk);
    const t = now();
    if (lock && lock.lockedUntil > t) {
      return {
        ok: false,
        status: 429,
        retryAfterS: Math.ceil((lock.lockedUntil - t) / 1000),
      };
    }
    const codes = await liveCodes();
    const hash = await sha256Hex(code);
    let match: string | undefined;
    // Compare against every live code, constant-time, without stopping at the first match.
    for (const [key, rec] of codes) {
      if (constantTimeEqual(rec.hash, hash) && /^\d{6}$/.test(code)) match = key;
    }
    if (match !== undefined) {
      const nonce = randomHex(16);
      const won = await store.update<CodeRecord>(
        match,
        (
          cur,
        ) => (cur && cur.consumedBy === undefined && cur.expiresAt > now()
          ? { ...cur, consumedBy: nonce }
          : undefined),
      );
      if (won?.consumedBy === nonce) {
        await store.remove(match);
        if (lock) await store.remove(lk);
        lockKeys.delete(lk);
        return { ok: true, ...(await issueToken(won.mintedBy)) };
      }
    }
    await recordFailure(client, codes);
    return { ok: false, status: 403 };
  }

  let attempts: Promise<void> = Promise.resolve();

  return {
    codeTtlMs,
    async issueCode(mintedBy) {
      if (
        mintedBy !== undefined &&
        (await readTokenAncestors(store, mintedBy)).length >=
          MAX_TOKEN_LINEAGE - 1
      ) return undefined;
      const code = randomDigits(6);
      const rec: CodeRecord = {
        hash: await sha256Hex(code),
        expiresAt: now() + codeTtlMs,
        failures: 0,
        ...(mintedBy !== undefined ? { mintedBy } : {}),
      };
      await store.set(CODE_PREFIX + randomHex(12), rec, { ttlMs: codeTtlMs });
      return code;
    },

    pair(code, client) {
      // One attempt at a time per process, so concurrent guesses cannot all race past the
      // lockout and the per-code cap before the first failure is recorded.
      const run = attempts.then(() => attempt(code, client));
      attempts = run.then(() => {}, () => {});
      return run;
    },

    async verify(token) {
      if (!TOKEN_SHAPE.test(token)) return null;
      const rec = await store.get<TokenRecord>(
        TOKEN_PREFIX + (await sha256Hex(token)),
      );
      if (!rec || typeof rec.expiresAt !== "number" || rec.expiresAt <= now()) {
        return null;
      }
      return rec;
    },

    async revoke(token) {
      await store.remove(TOKEN_PREFIX + (await sha256Hex(token)));
    },

    async revokeAll() {
      const keys = await store.keys(TOKEN_PREFIX);
      for (const key of keys) await store.remove(key);
      return keys.length;
    },

    async sweep() {
      await liveCodes();
      const t = now();
      for (const key of await store.keys(LOCK_PREFIX)) {
        const rec = await store.get<LockoutRecord>(key);
        if (
          rec && rec.lockedUntil <= t &&
          t - rec.lastFailure >= LOCKOUT_FORGET_MS
        ) {
          await store.remove(key);
          lockKeys.delete(key);
        }
      }
      for (const key of await store.keys(TOKEN_PREFIX)) {
        const rec = await store.get<TokenRecord>(key);
        if (rec && rec.expiresAt <= t) await store.remove(key);
      }
    },
  };
}
