/**
 * The record store of the change manager: change records under `changes:<id>` in a
 * `StateStore`, new ids, and the atomic transition every state change goes through.
 * @module
 */
import type { RouterOSPlan } from "../routeros/types.ts";
import type { StateStore } from "../storage/types.ts";
import { ChangeError } from "./change_error.ts";
import type { ChangeRecord, ChangeState } from "./types.ts";

const KEY_PREFIX = "changes:";
const ID_PATTERN = /^[a-z0-9]{6,32}$/;
let counter = 0;

/** A new change id: time, a sequence and randomness in base 36 (sorts by creation). */
function newChangeId(): string {
  const time = Date.now().toString(36).padStart(9, "0");
  const seq = (counter++ % 1296).toString(36).padStart(2, "0");
  const random = crypto.getRandomValues(new Uint8Array(4));
  return time + seq + [...random].map((b) => (b % 36).toString(36)).join("");
}

/** A new record revision: tells a manager whether its atomic write won. */
export function newRev(): string {
  return crypto.randomUUID();
}

/** `record` with `patch` applied and the `drop` fields removed (a new object). */
export function amend(
  record: ChangeRecord,
  patch: Partial<ChangeRecord>,
  drop: readonly ("claim" | "revert" | "error" | "undo")[] = [],
): ChangeRecord {
  const next: ChangeRecord = { ...record, ...patch };
  for (const field of drop) delete next[field];
  return next;
}

/** Whether a pending, unclaimed change is past its `expires_at`. */
export function isExpired(record: ChangeRecord, now: number): boolean {
  return record.state === "pending" && !record.claim && record.expires_at !== undefined &&
    Date.parse(record.expires_at) <= now;
}

/** The outcome of {@linkcode ChangeRecords.transition}. */
export interface ChangeTransition {
  /** The stored record after the call (`null` when there is none). */
  record: ChangeRecord | null;
  /** Whether this call's write is the stored one. */
  won: boolean;
}

/** Change records in a `StateStore`. */
export interface ChangeRecords {
  /** A fresh record of a plan (not stored yet). */
  create(plan: RouterOSPlan, requestedBy: string, state: ChangeState): ChangeRecord;
  /** Stores a record as it is. */
  save(record: ChangeRecord): Promise<void>;
  /**
   * Atomic transition: `fn` gets the current record and returns the next one (or `undefined`
   * to leave it); the next one gets a new `rev` and `updated_at`.
   */
  transition(
    id: string,
    fn: (current: ChangeRecord) => ChangeRecord | undefined,
  ): Promise<ChangeTransition>;
  /** The record; throws a `not_found` {@linkcode ChangeError} for a bad or unknown id. */
  load(id: string): Promise<ChangeRecord>;
  /** The record, or `null` for a bad or unknown id. */
  get(id: string): Promise<ChangeRecord | null>;
  /** Every record, newest first. */
  list(): Promise<ChangeRecord[]>;
}

/** Options of {@linkcode createChangeRecords}. */
export interface ChangeRecordsOptions {
  store: StateStore;
  /** Clock of the timestamps. */
  now: () => number;
  /** How long records are kept. */
  ttlMs: number;
}

/** Builds the record store over a `StateStore`. */
export function createChangeRecords(options: ChangeRecordsOptions): ChangeRecords {
  const { store, now, ttlMs } = options;
  const iso = (): string => new Date(now()).toISOString();
  const key = (id: string): string => KEY_PREFIX + id;

  return {
    create(plan, requestedBy, state) {
      const at = iso();
      return {
        change_id: newChangeId(),
        state,
        command: plan.line,
        calls: plan.calls.map((c) => (c.body ? { ...c, body: { ...c.body } } : { ...c })),
        requested_by: requestedBy,
        created_at: at,
        updated_at: at,
      };
    },
    async save(record) {
      await store.set(key(record.change_id), record, { ttlMs });
    },
    async transition(id, fn) {
      const rev = newRev();
      const stored = await store.update<ChangeRecord>(key(id), (current) => {
        if (current === null) return undefined;
        const next = fn(current);
        if (next === undefined) return undefined;
        return { ...next, rev, updated_at: iso() };
      });
      return { record: stored, won: stored?.rev === rev };
    },
    async load(id) {
      if (typeof id !== "string" || !ID_PATTERN.test(id)) {
        throw new ChangeError(
          "not_found",
          `Cannot find change ${JSON.stringify(String(id)).slice(0, 40)}`,
        );
      }
      const record = await store.get<ChangeRecord>(key(id));
      if (!record) throw new ChangeError("not_found", `Cannot find change ${id}`);
      return record;
    },
    async get(id) {
      if (typeof id !== "string" || !ID_PATTERN.test(id)) return null;
      return await store.get<ChangeRecord>(key(id));
    },
    async list() {
      const records: ChangeRecord[] = [];
      for (const k of await store.keys(KEY_PREFIX)) {
        const record = await store.get<ChangeRecord>(k);
        if (record && typeof record === "object" && typeof record.change_id === "string") {
          records.push(record);
        }
      }
      return records.sort((a, b) =>
        a.created_at === b.created_at
          ? (a.change_id < b.change_id ? 1 : -1)
          : (a.created_at < b.created_at ? 1 : -1)
      );
    },
  };
}
