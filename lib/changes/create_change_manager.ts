/**
 * `createChangeManager`: change records for every router write the agent attempts, approval by
 * a person (never the model), undo, auto-revert ("commit confirmed") and the lock-out guard.
 * Plug `onWrite` / `onRefused` into `createRouterOSExecutor`; mount `createChangeRoutes` on the
 * gateway; hand `handleButton` / `handleChatCommand` to the channels.
 * @module
 */
import { AgentError, ErrorCode, errorMessage, PolicyError } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import { silentLogger } from "../_internal/logger.ts";
import { readTokenAncestors } from "../_internal/token_lineage.ts";
import type { RouterOS, RouterOSCall, RouterOSPlan } from "../routeros/types.ts";
import type { RouterOSPolicy } from "../routeros/policy.ts";
import {
  commandResult,
  compactResult,
  type RouterOSApply,
  type RouterOSExecuteContext,
} from "../routeros/executor.ts";
import { RouterOSError } from "../routeros/routeros_error.ts";
import type { StateStore } from "../storage/types.ts";
import { type CallEffect, callEffect } from "./_calls.ts";
import { ChangeError } from "./change_error.ts";
import { changedKeys, renderDiff } from "./diff.ts";
import { createLockoutGuard, type LockoutGuard } from "./lockout.ts";
import type { ChangeEvent, ChangeItem, ChangeRecord, ChangeRevert, ChangeState } from "./types.ts";
import {
  addableProps,
  callToScript,
  inverseCalls,
  quoteRouterOSValue,
  revertScript,
} from "./undo.ts";

/** Options of {@linkcode createChangeManager}. */
export interface ChangeManagerOptions {
  /** Where records live (`changes:<id>`); Redis shares them across a fleet. */
  store: StateStore;
  /** The REST client writes go through (the executor's). */
  router: RouterOS;
  /** The RouterOS policy: decides whether the auto-revert can be armed on the router. */
  policy?: RouterOSPolicy | undefined;
  /** `ROUTEROS_APPROVAL`. @default {"off"} */
  approval?: "off" | "writes" | undefined;
  /** `ROUTEROS_APPROVERS` (`telegram:<id>`, …); empty: the chat sender who asked. */
  approvers?: readonly string[] | undefined;
  /** `ROUTEROS_APPROVAL_TTL` in milliseconds. @default {600000} */
  approvalTtlMs?: number | undefined;
  /** `ROUTEROS_CONFIRM_SECONDS`; 0 turns auto-revert off. @default {0} */
  confirmSeconds?: number | undefined;
  /**
   * Told about every record change (send the approval prompt with its buttons on `pending`, the
   * confirm prompt on `applied`). Failures are logged, never thrown.
   */
  notify?: ((record: ChangeRecord, event: ChangeEvent) => void | Promise<void>) | undefined;
  /** The lock-out guard; `false` turns it off (tests only). @default {createLockoutGuard({router})} */
  lockout?: LockoutGuard | false | undefined;
  /** Clock (TTL, deadlines, timestamps). @default {Date.now} */
  now?: (() => number) | undefined;
  logger?: Logger | undefined;
  /** How often `start()` sweeps. @default {1000} */
  sweepIntervalMs?: number | undefined;
  /** How long records are kept. @default {30 days} */
  recordTtlMs?: number | undefined;
  /** After a router-side deadline, how long to wait before checking the entry ran. @default {5000} */
  routerGraceMs?: number | undefined;
}

/** Options of {@linkcode ChangeManager.revert}. */
export interface RevertOptions {
  /** Who asks (`gateway:<token id>`, `telegram:<id>`, …). */
  by: string;
  /** Revert even when the item changed on the router since the change. */
  force?: boolean | undefined;
}

/** What a chat or button handler shows the person. */
export interface ChangeReply {
  text: string;
  /**
   * A short notice for the presser only (the button press was refused or came too late): the
   * channel answers the press with it and leaves the message and its buttons as they are.
   */
  notice?: boolean;
}

/** The change manager. */
export interface ChangeManager {
  /** The executor's `onWrite` hook: records, guards, waits for approval or applies. */
  onWrite(
    plan: RouterOSPlan,
    context: RouterOSExecuteContext,
    apply: RouterOSApply,
  ): Promise<unknown>;
  /** The executor's `onRefused` hook: stores a `refused` record. Never throws. */
  onRefused(plan: RouterOSPlan, error: PolicyError, context: RouterOSExecuteContext): Promise<void>;
  /** Every record, newest first. */
  list(): Promise<ChangeRecord[]>;
  get(id: string): Promise<ChangeRecord | null>;
  /** Approves and applies a pending change (at most once). Throws {@linkcode ChangeError}. */
  approve(id: string, by: string): Promise<ChangeRecord>;
  deny(id: string, by: string): Promise<ChangeRecord>;
  /** Keeps an applied change: disarms its auto-revert. */
  confirm(id: string, by: string): Promise<ChangeRecord>;
  /** Undoes an applied change; 409-style {@linkcode ChangeError} when changed since (unless `force`). */
  revert(id: string, options: RevertOptions): Promise<ChangeRecord>;
  /** The newest record requested by `requestedBy` (optionally only in these states). */
  lastChangeOf(requestedBy: string, states?: readonly ChangeState[]): Promise<ChangeRecord | null>;
  /** Expires stale pending changes and runs overdue MikroClaw-kept reverts. */
  sweep(): Promise<void>;
  /** `/undo [id]` and `/confirm [id]` typed in chat; `undefined` for any other text. */
  handleChatCommand(text: string, sender: string): Promise<ChangeReply | undefined>;
  /** A pressed button (`approve:<id>`, `deny:<id>`, `confirm:<id>`, `undo:<id>`). */
  handleButton(data: string, sender: string): Promise<ChangeReply>;
  /** Whether the auto-revert is armed on the router (`router`) or kept by MikroClaw (`local`). */
  readonly autoRevert: "router" | "local" | "off";
  /** Sweeps every `sweepIntervalMs` (and once now). */
  start(): void;
  stop(): Promise<void>;
}

const KEY_PREFIX = "changes:";
const ID_PATTERN = /^[a-z0-9]{6,32}$/;
const CHAT_IDENTITY = /^(telegram|discord|slack):[A-Za-z0-9_-]{1,64}$/;
const GATEWAY_IDENTITY = /^gateway:[A-Za-z0-9_.-]{1,128}$/;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
let counter = 0;

function newChangeId(): string {
  const time = Date.now().toString(36).padStart(9, "0");
  const seq = (counter++ % 1296).toString(36).padStart(2, "0");
  const random = crypto.getRandomValues(new Uint8Array(4));
  return time + seq + [...random].map((b) => (b % 36).toString(36)).join("");
}

function newRev(): string {
  return crypto.randomUUID();
}

function asRecord(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === "string") out[k] = v;
    else if (typeof v === "number" || typeof v === "boolean") out[k] = String(v);
  }
  return out;
}

function normalise(value: unknown): string | undefined {
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") return undefined;
  if (value === "yes") return "true";
  if (value === "no") return "false";
  return value;
}

function isNotFound(error: unknown): boolean {
  return error instanceof RouterOSError && error.status === 404;
}

/** Parses the router clock (`2026-09-28` or `sep/28/2026`, `HH:MM:SS`) and adds seconds. */
export function addRouterSeconds(
  clock: { date?: string; time?: string },
  seconds: number,
): { date: string; time: string } {
  const date = clock.date ?? "";
  const time = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(clock.time ?? "");
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const old = /^([a-z]{3})\/(\d{2})\/(\d{4})$/i.exec(date);
  if (!time || (!iso && !old)) {
    throw new AgentError(
      `Cannot arm the auto-revert: unreadable router clock ${JSON.stringify(clock)}`,
      { code: ErrorCode.RouterOS },
    );
  }
  const [y, m, d] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : [Number(old![3]), MONTHS.indexOf(old![1]!.toLowerCase()) + 1, Number(old![2])];
  const at = new Date(
    Date.UTC(y, m - 1, d, Number(time[1]), Number(time[2]), Number(time[3])) + seconds * 1000,
  );
  const p = (n: number): string => String(n).padStart(2, "0");
  const outDate = iso
    ? `${at.getUTCFullYear()}-${p(at.getUTCMonth() + 1)}-${p(at.getUTCDate())}`
    : `${MONTHS[at.getUTCMonth()]}/${p(at.getUTCDate())}/${at.getUTCFullYear()}`;
  return {
    date: outDate,
    time: `${p(at.getUTCHours())}:${p(at.getUTCMinutes())}:${p(at.getUTCSeconds())}`,
  };
}

/** Builds the change manager. */
export function createChangeManager(options: ChangeManagerOptions): ChangeManager {
  const { store, router } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const approval = options.approval ?? "off";
  const approvers = [...(options.approvers ?? [])];
  const approvalTtlMs = options.approvalTtlMs ?? 600_000;
  const confirmSeconds = options.confirmSeconds ?? 0;
  const recordTtlMs = options.recordTtlMs ?? 30 * 86_400_000;
  const graceMs = options.routerGraceMs ?? 5_000;
  const guard: LockoutGuard | undefined = options.lockout === false
    ? undefined
    : options.lockout ?? createLockoutGuard({ router });
  if (!Number.isFinite(confirmSeconds) || confirmSeconds < 0) {
    throw new RangeError(`Cannot use confirmSeconds ${confirmSeconds}: use 0 or more`);
  }
  const canSchedule = options.policy?.decide({
    kind: "write",
    menu: "/system/scheduler",
    verb: "add",
    args: {},
    line: "/system/scheduler add",
  }).allowed === true;
  const autoRevert: "router" | "local" | "off" = confirmSeconds <= 0
    ? "off"
    : canSchedule
    ? "router"
    : "local";

  const iso = (): string => new Date(now()).toISOString();
  const key = (id: string): string => KEY_PREFIX + id;

  async function notify(record: ChangeRecord, event: ChangeEvent): Promise<void> {
    if (!options.notify) return;
    try {
      await options.notify(record, event);
    } catch (error) {
      logger.warn(`changes: notify ${event} of ${record.change_id} failed: ${errorMessage(error)}`);
    }
  }

  async function save(record: ChangeRecord): Promise<void> {
    await store.set(key(record.change_id), record, { ttlMs: recordTtlMs });
  }

  /**
   * Atomic transition: `fn` gets the current record and returns the next one (or `undefined`
   * to leave it). Resolves the stored record and whether this call's write won.
   */
  async function transition(
    id: string,
    fn: (current: ChangeRecord) => ChangeRecord | undefined,
  ): Promise<{ record: ChangeRecord | null; won: boolean }> {
    const rev = newRev();
    const stored = await store.update<ChangeRecord>(key(id), (current) => {
      if (current === null) return undefined;
      const next = fn(current);
      if (next === undefined) return undefined;
      return { ...next, rev, updated_at: iso() };
    });
    return { record: stored, won: stored?.rev === rev };
  }

  async function load(id: string): Promise<ChangeRecord> {
    if (typeof id !== "string" || !ID_PATTERN.test(id)) {
      throw new ChangeError(
        "not_found",
        `Cannot find change ${JSON.stringify(String(id)).slice(0, 40)}`,
      );
    }
    const record = await store.get<ChangeRecord>(key(id));
    if (!record) throw new ChangeError("not_found", `Cannot find change ${id}`);
    return record;
  }

  function newRecord(plan: RouterOSPlan, requestedBy: string, state: ChangeState): ChangeRecord {
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
  }

  // --- Reading the router ---

  async function readItem(menu: string, id: string): Promise<Record<string, string> | undefined> {
    try {
      return asRecord(await router.get(`${menu}/${id}`));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function readList(menu: string): Promise<Record<string, string>[]> {
    const reply = await router.get<unknown>(menu);
    return Array.isArray(reply) ? reply.map((r) => asRecord(r) ?? {}) : [];
  }

  interface Snapshot {
    items: ChangeItem[];
    /** Current item state by `menu|id`, for the lock-out guard. */
    byKey: Map<string, Record<string, string>>;
    /** Why the change cannot be undone, if so. */
    missing?: string;
  }

  /** Reads every item the calls touch, just before writing. */
  async function snapshot(effects: readonly CallEffect[]): Promise<Snapshot> {
    const items: ChangeItem[] = [];
    const byKey = new Map<string, Record<string, string>>();
    let missing: string | undefined;
    const lists = new Map<string, Record<string, string>[]>();
    const listOf = async (menu: string): Promise<Record<string, string>[]> => {
      let rows = lists.get(menu);
      if (!rows) {
        rows = await readList(menu);
        lists.set(menu, rows);
      }
      return rows;
    };
    for (const effect of effects) {
      switch (effect.kind) {
        case "other":
          missing ??= `${effect.path} is a command with no inverse`;
          break;
        case "add":
          items.push({ op: "add", menu: effect.menu });
          break;
        case "singleton": {
          const before = asRecord(await router.get(effect.menu));
          if (before) byKey.set(`${effect.menu}|`, before);
          items.push({ op: "singleton", menu: effect.menu, ...(before ? { before } : {}) });
          break;
        }
        case "set":
        case "unset":
          for (const ref of effect.ids) {
            const before = await readItem(effect.menu, ref);
            if (!before) {
              throw new RouterOSError(`Cannot change ${effect.menu} ${ref}: no such item`, {
                status: 404,
              });
            }
            const id = before[".id"] ?? ref;
            byKey.set(`${effect.menu}|${ref}`, before);
            byKey.set(`${effect.menu}|${id}`, before);
            items.push({ op: "set", menu: effect.menu, id, before });
          }
          break;
        case "remove":
        case "move": {
          const rows = await listOf(effect.menu);
          const targets = effect.ids.map((ref) =>
            rows.find((r) => r[".id"] === ref) ?? rows.find((r) => r.name === ref)
          );
          // Every item this change removes (or moves) in the menu, across all its calls.
          const ids = new Set<string | undefined>();
          for (const other of effects) {
            if (other.kind !== effect.kind || other.menu !== effect.menu) continue;
            for (const ref of other.ids) {
              ids.add(
                (rows.find((r) => r[".id"] === ref) ?? rows.find((r) => r.name === ref))?.[".id"],
              );
            }
          }
          for (let k = 0; k < effect.ids.length; k++) {
            const ref = effect.ids[k]!;
            const before = targets[k];
            if (!before) {
              throw new RouterOSError(`Cannot change ${effect.menu} ${ref}: no such item`, {
                status: 404,
              });
            }
            byKey.set(`${effect.menu}|${ref}`, before);
            byKey.set(`${effect.menu}|${before[".id"]}`, before);
            const index = rows.indexOf(before);
            const follower = rows.slice(index + 1).find((r) => !ids.has(r[".id"]));
            const item: ChangeItem = {
              op: effect.kind,
              menu: effect.menu,
              id: before[".id"] ?? ref,
              before,
            };
            if (follower?.[".id"]) {
              item.next = { id: follower[".id"], props: addableProps(follower) };
            }
            items.push(item);
          }
          break;
        }
      }
    }
    return missing === undefined ? { items, byKey } : { items, byKey, missing };
  }

  /** The items as they would be after the calls (for the approval diff). */
  function predict(items: readonly ChangeItem[], effects: readonly CallEffect[]): ChangeItem[] {
    const out = items.map((i) => ({ ...i }));
    let k = 0;
    for (const effect of effects) {
      if (effect.kind === "other") continue;
      if (effect.kind === "add") {
        const after: Record<string, string> = {};
        for (const [key, value] of Object.entries(effect.body)) {
          const text = normalise(value);
          if (text !== undefined && key !== "place-before") after[key] = text;
        }
        out[k++]!.after = after;
        continue;
      }
      const count = effect.kind === "singleton" ? 1 : effect.ids.length;
      for (let n = 0; n < count; n++, k++) {
        const item = out[k]!;
        if (effect.kind === "remove") continue;
        const after = { ...item.before };
        if (effect.kind === "set" || effect.kind === "singleton") {
          for (const [key, value] of Object.entries(effect.body)) {
            const text = normalise(value);
            if (text !== undefined) after[key] = text;
          }
        } else if (effect.kind === "unset") delete after[effect.key];
        item.after = after;
      }
    }
    return out;
  }

  /** Reads the items again after the write; fills in the ids of added items. */
  async function readAfter(
    items: ChangeItem[],
    replies: unknown[],
    effects: CallEffect[],
  ): Promise<void> {
    let k = 0;
    for (let c = 0; c < effects.length; c++) {
      const effect = effects[c]!;
      if (effect.kind === "other") continue;
      if (effect.kind === "add") {
        const item = items[k++]!;
        const reply = replies[c];
        const r = asRecord(reply);
        const id = r?.[".id"] ?? r?.ret;
        if (id) {
          item.id = id;
          const after = await readItem(effect.menu, id);
          if (after) item.after = after;
        }
        continue;
      }
      if (effect.kind === "singleton") {
        const item = items[k++]!;
        const after = asRecord(await router.get(effect.menu));
        if (after) item.after = after;
        continue;
      }
      for (let n = 0; n < effect.ids.length; n++) {
        const item = items[k++]!;
        if (effect.kind === "remove") continue;
        const after = await readItem(effect.menu, item.id!);
        if (after) item.after = after;
      }
    }
  }

  async function lockoutReasons(calls: RouterOSCall[], snap: Snapshot): Promise<string[]> {
    if (!guard) return [];
    return await guard.check(calls, snap.byKey);
  }

  // --- Auto-revert on the router ---

  /** Script lines that undo the change before it is applied (adds found again by their values). */
  function provisionalLines(
    items: readonly ChangeItem[],
    effects: readonly CallEffect[],
  ): string[] {
    const predicted = predict(items, effects);
    const lines: string[] = [];
    const removesAndOthers = inverseCalls(predicted.filter((i) => i.op !== "add"));
    if (removesAndOthers.missing) throw new Error(removesAndOthers.missing);
    const adds = predicted.filter((i) => i.op === "add").reverse();
    for (const item of adds) {
      const where = Object.entries(item.after ?? {})
        .filter(([k]) => /^[a-z0-9][a-z0-9.\-_]*$/i.test(k))
        .map(([k, v]) => `${k}=${quoteRouterOSValue(v)}`).join(" ");
      if (!where) throw new Error(`an added ${item.menu} item has no properties to find it by`);
      if (!/^(\/[a-z0-9][a-z0-9-]*)+$/.test(item.menu)) throw new Error(`bad menu ${item.menu}`);
      lines.push(`${item.menu}/remove [find where ${where}]`);
    }
    return [...lines, ...removesAndOthers.calls.map(callToScript)];
  }

  async function armOnRouter(id: string, lines: string[]): Promise<ChangeRevert> {
    const name = `mikroclaw-revert-${id}`;
    const clock = asRecord(await router.get("/system/clock")) ?? {};
    const at = addRouterSeconds(clock, confirmSeconds);
    const created = asRecord(
      await router.call({
        method: "PUT",
        path: "/system/scheduler",
        body: {
          name,
          "start-date": at.date,
          "start-time": at.time,
          interval: "0s",
          policy: "read,write,test",
          comment: `MikroClaw auto-revert of change ${id}`,
          "on-event": revertScript(lines, name),
        },
      }),
    );
    const revert: ChangeRevert = {
      mode: "router",
      deadline: now() + confirmSeconds * 1000,
      scheduler_name: name,
      router_time: `${at.date} ${at.time}`,
    };
    if (created?.[".id"]) revert.scheduler_id = created[".id"];
    return revert;
  }

  async function disarm(revert: ChangeRevert | undefined): Promise<"removed" | "gone" | "none"> {
    if (!revert || revert.mode !== "router") return "none";
    let id = revert.scheduler_id;
    if (!id && revert.scheduler_name) {
      const rows = await router.get<unknown>("/system/scheduler", { name: revert.scheduler_name });
      id = Array.isArray(rows) ? asRecord(rows[0])?.[".id"] : undefined;
      if (!id) return "gone";
    }
    try {
      await router.remove(`/system/scheduler/${id}`);
      return "removed";
    } catch (error) {
      if (isNotFound(error)) return "gone";
      throw error;
    }
  }

  // --- Applying ---

  /** Applies a claimed record: reads before, arms the revert, writes, reads after. */
  async function applyClaimed(record: ChangeRecord): Promise<ChangeRecord> {
    const id = record.change_id;
    const effects = record.calls.map(callEffect);
    let armed: ChangeRevert | undefined;
    let done = 0;
    let snap: Snapshot | undefined;
    try {
      snap = await snapshot(effects);
      const reasons = await lockoutReasons(record.calls, snap);
      if (reasons.length) {
        throw new PolicyError(`Cannot run "${record.command}": ${reasons.join("; ")}`);
      }
      if (autoRevert !== "off" && !snap.missing) {
        if (autoRevert === "router") {
          armed = await armOnRouter(id, provisionalLines(snap.items, effects));
        } else armed = { mode: "local", deadline: now() + confirmSeconds * 1000 };
        const revert = armed;
        // Persist the armed revert before writing, so a crash still leaves it findable.
        await transition(id, (cur) => ({ ...cur, revert }));
      }
      const replies: unknown[] = [];
      for (const call of record.calls) {
        replies.push(await router.call(call, { command: record.command }));
        done++;
      }
      const items = snap.items;
      await readAfter(items, replies, effects);
      const inverse = snap.missing ? { calls: [], missing: snap.missing } : inverseCalls(items);
      if (armed?.mode === "router" && armed.scheduler_id && items.some((i) => i.op === "add")) {
        // Now that the router named the new items, revert exactly those.
        await router.patch(`/system/scheduler/${armed.scheduler_id}`, {
          "on-event": revertScript(inverse.calls.map(callToScript), armed.scheduler_name!),
        });
      }
      const revert = armed;
      const { record: applied } = await transition(id, (cur) => {
        const next: ChangeRecord = {
          ...cur,
          state: "applied",
          items,
          diff: renderDiff(items),
          replies: replies.map((r) => r === undefined ? null : compactResult(r)),
        };
        delete next.claim;
        delete next.error;
        if (inverse.missing) {
          next.undo_missing = inverse.missing;
          delete next.undo;
        } else next.undo = inverse.calls;
        if (revert) next.revert = revert;
        return next;
      });
      await notify(applied!, "applied");
      return applied!;
    } catch (error) {
      let note = "";
      if (armed) {
        try {
          await disarm(armed);
        } catch (disarmError) {
          note = `; the revert entry ${armed.scheduler_name} could not be removed: ${
            errorMessage(disarmError)
          }`;
        }
      }
      const partial = done > 0 && snap
        ? ` (${done} of ${record.calls.length} calls were applied)`
        : "";
      const { record: failed } = await transition(id, (cur) => {
        const next: ChangeRecord = {
          ...cur,
          state: "failed",
          error: errorMessage(error) + partial + note,
        };
        delete next.claim;
        delete next.revert;
        return next;
      });
      await notify(failed!, "failed");
      throw error;
    }
  }

  function describe(record: ChangeRecord): Record<string, unknown> {
    const { ok, ...applied } = commandResult(record.calls, record.replies ?? []);
    const result: Record<string, unknown> = { ok, change_id: record.change_id, ...applied };
    if (record.diff) result.diff = record.diff;
    if (record.revert) {
      result.auto_revert =
        `reverted automatically in ${confirmSeconds} s unless a person confirms it (/confirm or the Confirm button)` +
        (record.revert.mode === "local"
          ? "; MikroClaw keeps this timer itself"
          : "; armed on the router");
    }
    return result;
  }

  function pendingResult(record: ChangeRecord): Record<string, unknown> {
    return {
      ok: false,
      status: "pending_approval",
      change_id: record.change_id,
      message: `Change ${record.change_id} was NOT applied: it awaits a person's approval ` +
        `(an approver presses Approve, or approves it from another paired device). ` +
        `A "yes" typed to you does nothing and you cannot approve it; tell the user it is waiting.`,
      ...(record.diff ? { diff: record.diff } : {}),
    };
  }

  function approversFor(requestedBy: string): string[] {
    if (approvers.length) return [...approvers];
    return CHAT_IDENTITY.test(requestedBy) ? [requestedBy] : [];
  }

  /**
   * Who may approve or deny: never the requester nor a token minted through it (its family);
   * with `ROUTEROS_APPROVERS` set only the identities listed there (`gateway:<token id>` too);
   * otherwise any other paired token, or the chat sender who asked.
   */
  async function mayDecide(record: ChangeRecord, by: string, action: string): Promise<void> {
    const id = record.change_id;
    if (GATEWAY_IDENTITY.test(by)) {
      if (by === record.requested_by) {
        throw new ChangeError(
          "forbidden",
          `Cannot ${action} change ${id}: the token that requested it cannot ${action} it; use another paired device`,
        );
      }
      if (GATEWAY_IDENTITY.test(record.requested_by)) {
        const ancestors = await readTokenAncestors(store, by.slice("gateway:".length));
        if (ancestors.includes(record.requested_by.slice("gateway:".length))) {
          throw new ChangeError(
            "forbidden",
            `Cannot ${action} change ${id}: ${by} was paired with a code the requesting token minted, so it is the same client; approve from a device paired with the operator's code or from chat`,
          );
        }
      }
      if (approvers.length > 0 && !approvers.includes(by)) {
        throw new ChangeError(
          "forbidden",
          `Cannot ${action} change ${id}: ${by} is not listed in ROUTEROS_APPROVERS`,
        );
      }
      return;
    }
    if (!CHAT_IDENTITY.test(by)) {
      throw new ChangeError(
        "forbidden",
        `Cannot ${action} change ${id}: ${
          JSON.stringify(by).slice(0, 80)
        } is not a person's identity`,
      );
    }
    if (!(record.approvers ?? []).includes(by)) {
      throw new ChangeError(
        "forbidden",
        `Cannot ${action} change ${id}: ${by} is not a listed approver`,
      );
    }
  }

  function mayKeepOrUndo(record: ChangeRecord, by: string, action: string): void {
    if (GATEWAY_IDENTITY.test(by) || by === "auto-revert") return;
    if (
      CHAT_IDENTITY.test(by) &&
      (by === record.requested_by || (record.approvers ?? []).includes(by))
    ) return;
    throw new ChangeError(
      "forbidden",
      `Cannot ${action} change ${record.change_id}: ${by} neither requested nor may approve it`,
    );
  }

  function expired(record: ChangeRecord): boolean {
    return record.state === "pending" && !record.claim && record.expires_at !== undefined &&
      Date.parse(record.expires_at) <= now();
  }

  async function expire(record: ChangeRecord): Promise<ChangeRecord | null> {
    const { record: next, won } = await transition(
      record.change_id,
      (cur) => expired(cur) ? { ...cur, state: "expired" } : undefined,
    );
    if (won && next) await notify(next, "expired");
    return next;
  }

  // --- Reverting ---

  async function resolveUndo(record: ChangeRecord, force: boolean): Promise<RouterOSCall[]> {
    const items = record.items ?? [];
    const conflicts: string[] = [];
    for (const item of items) {
      if (item.op === "remove" || !item.after) continue;
      if (item.op === "singleton") {
        const current = asRecord(await router.get(item.menu)) ?? {};
        const keys = changedKeys(item.after, current);
        if (keys.length) conflicts.push(`${item.menu} changed since (${keys.join(", ")})`);
        continue;
      }
      const current = await readItem(item.menu, item.id!);
      if (!current) {
        conflicts.push(`${item.menu} ${item.id} is gone from the router`);
        continue;
      }
      const keys = changedKeys(item.after, current);
      if (keys.length) conflicts.push(`${item.menu} ${item.id} changed since (${keys.join(", ")})`);
    }
    const calls: RouterOSCall[] = [];
    const lists = new Map<string, Record<string, string>[]>();
    for (const call of record.undo ?? []) {
      const anchor = call.method === "PUT"
        ? call.body?.["place-before"]
        : call.method === "POST" && call.path.endsWith("/move")
        ? call.body?.destination
        : undefined;
      if (typeof anchor !== "string") {
        calls.push(call);
        continue;
      }
      const menu = call.method === "PUT" ? call.path : call.path.slice(0, -"/move".length);
      let rows = lists.get(menu);
      if (!rows) {
        rows = await readList(menu);
        lists.set(menu, rows);
      }
      const field = call.method === "PUT" ? "place-before" : "destination";
      if (rows.some((r) => r[".id"] === anchor)) {
        calls.push(call);
        continue;
      }
      // The follower's id changed (e.g. removed and re-added): find it by its properties.
      const props = items.find((i) => i.next?.id === anchor)?.next?.props ?? {};
      const keys = Object.keys(props);
      const found = keys.length
        ? rows.find((r) => keys.every((k) => r[k] === props[k]))
        : undefined;
      if (found?.[".id"]) {
        calls.push({ ...call, body: { ...call.body, [field]: found[".id"] } });
        continue;
      }
      if (!force) {
        conflicts.push(
          `the item that followed it in ${menu} (${anchor}) is gone, so its old position is unknown`,
        );
        continue;
      }
      const body = { ...call.body };
      delete body[field];
      calls.push({ ...call, body });
    }
    if (conflicts.length && !force) {
      throw new ChangeError(
        "conflict",
        `Cannot revert change ${record.change_id}: ${
          conflicts.join("; ")
        }; revert with force to override`,
      );
    }
    return calls;
  }

  async function revert(id: string, revertOptions: RevertOptions): Promise<ChangeRecord> {
    const by = revertOptions.by;
    const force = revertOptions.force === true;
    const record = await load(id);
    mayKeepOrUndo(record, by, "revert");
    const revertible = record.state === "applied" || record.state === "confirmed" ||
      (record.state === "failed" && record.undo !== undefined && (record.items?.length ?? 0) > 0);
    if (!revertible || record.claim) {
      throw new ChangeError(
        "conflict",
        `Cannot revert change ${id}: it is ${
          record.claim ? "busy" : record.state
        }; nothing to revert`,
      );
    }
    if (!record.undo) {
      throw new ChangeError(
        "conflict",
        `Cannot revert change ${id}: ${record.undo_missing ?? "it has no inverse"}`,
      );
    }
    const calls = await resolveUndo(record, force);
    const claim = { op: "revert" as const, by, at: iso() };
    const { record: claimed, won } = await transition(
      id,
      (cur) => cur.state === record.state && !cur.claim ? { ...cur, claim } : undefined,
    );
    if (!won || !claimed) {
      throw new ChangeError(
        "conflict",
        `Cannot revert change ${id}: someone else is deciding it right now`,
      );
    }
    try {
      if ((await disarm(claimed.revert)) === "gone") {
        // The router's own scheduler entry already ran the inverse: do not run it twice.
        const { record: done } = await transition(id, (cur) => {
          const next: ChangeRecord = { ...cur, state: "reverted", decided_by: "router scheduler" };
          delete next.claim;
          delete next.revert;
          return next;
        });
        await notify(done!, "reverted");
        return done!;
      }
      for (const call of calls) {
        try {
          await router.call(call, { command: `revert ${id}` });
        } catch (error) {
          if (force && call.method === "DELETE" && isNotFound(error)) continue;
          throw error;
        }
      }
    } catch (error) {
      await transition(id, (cur) => {
        const next: ChangeRecord = { ...cur, error: `revert failed: ${errorMessage(error)}` };
        delete next.claim;
        return next;
      });
      throw new ChangeError(
        "conflict",
        `Cannot revert change ${id}: the router refused: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    const { record: reverted } = await transition(id, (cur) => {
      const next: ChangeRecord = { ...cur, state: "reverted", decided_by: by };
      delete next.claim;
      delete next.revert;
      return next;
    });
    await notify(reverted!, "reverted");
    return reverted!;
  }

  // --- Sweeping ---

  async function list(): Promise<ChangeRecord[]> {
    const keys = await store.keys(KEY_PREFIX);
    const records: ChangeRecord[] = [];
    for (const k of keys) {
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
  }

  async function sweep(): Promise<void> {
    for (const record of await list()) {
      try {
        if (expired(record)) {
          await expire(record);
          continue;
        }
        const revertInfo = record.revert;
        if (record.state !== "applied" || record.claim || !revertInfo) continue;
        if (revertInfo.mode === "local" && revertInfo.deadline <= now()) {
          logger.warn(
            `changes: change ${record.change_id} was not confirmed in time; reverting it`,
          );
          await revert(record.change_id, { by: "auto-revert", force: true });
        } else if (revertInfo.mode === "router" && revertInfo.deadline + graceMs <= now()) {
          const rows = await router.get<unknown>("/system/scheduler", {
            name: revertInfo.scheduler_name!,
          });
          if (Array.isArray(rows) && rows.length === 0) {
            const { record: next, won } = await transition(record.change_id, (cur) => {
              if (cur.state !== "applied" || cur.claim || !cur.revert) return undefined;
              const out: ChangeRecord = {
                ...cur,
                state: "reverted",
                decided_by: "router scheduler",
              };
              delete out.revert;
              return out;
            });
            if (won && next) await notify(next, "reverted");
          }
        }
      } catch (error) {
        logger.warn(`changes: sweep of ${record.change_id} failed: ${errorMessage(error)}`);
      }
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  const interval = options.sweepIntervalMs ?? 1_000;

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().finally(() => {
        running = undefined;
        schedule();
      });
    }, interval);
  }

  const manager: ChangeManager = {
    autoRevert,
    async onWrite(plan, context) {
      const requestedBy = context.requestedBy ?? "unknown";
      const record = newRecord(plan, requestedBy, "pending");
      const effects = record.calls.map(callEffect);
      const snap = await snapshot(effects);
      const reasons = await lockoutReasons(record.calls, snap);
      if (reasons.length) {
        record.state = "refused";
        record.error = `lock-out guard: ${reasons.join("; ")}`;
        await save(record);
        await notify(record, "refused");
        throw new PolicyError(`Cannot run "${plan.line}": ${reasons.join("; ")}`);
      }
      if (autoRevert !== "off") record.auto_revert = autoRevert;
      if (approval === "writes") {
        record.approvers = approversFor(requestedBy);
        record.expires_at = new Date(now() + approvalTtlMs).toISOString();
        const preview = predict(snap.items, effects);
        record.items = preview;
        record.diff = renderDiff(preview);
        if (snap.missing) record.undo_missing = snap.missing;
        record.rev = newRev();
        await save(record);
        await notify(record, "pending");
        return pendingResult(record);
      }
      record.claim = { op: "apply", by: requestedBy, at: record.created_at };
      await save(record);
      const applied = await applyClaimed(record);
      return describe(applied);
    },
    async onRefused(plan, error, context) {
      try {
        const record = newRecord(plan, context.requestedBy ?? "unknown", "refused");
        record.error = error.message;
        await save(record);
        await notify(record, "refused");
      } catch (failure) {
        logger.warn(`changes: cannot record a refused change: ${errorMessage(failure)}`);
      }
    },
    list,
    async get(id) {
      if (typeof id !== "string" || !ID_PATTERN.test(id)) return null;
      return await store.get<ChangeRecord>(key(id));
    },
    async approve(id, by) {
      const record = await load(id);
      await mayDecide(record, by, "approve");
      if (expired(record)) {
        await expire(record);
        throw new ChangeError("conflict", `Cannot approve change ${id}: it expired`);
      }
      if (record.state !== "pending" || record.claim) {
        throw new ChangeError(
          "conflict",
          `Cannot approve change ${id}: it is ${
            record.claim ? "already approved" : record.state
          }, not pending`,
        );
      }
      const claim = { op: "apply" as const, by, at: iso() };
      const { record: claimed, won } = await transition(
        id,
        (cur) =>
          cur.state === "pending" && !cur.claim && !expired(cur)
            ? { ...cur, approved_by: by, claim }
            : undefined,
      );
      if (!won || !claimed) {
        throw new ChangeError(
          "conflict",
          `Cannot approve change ${id}: it is ${
            claimed?.claim ? "already approved" : claimed?.state ?? "gone"
          }, not pending`,
        );
      }
      await notify(claimed, "approved");
      try {
        return await applyClaimed(claimed);
      } catch {
        return (await store.get<ChangeRecord>(key(id)))!;
      }
    },
    async deny(id, by) {
      const record = await load(id);
      await mayDecide(record, by, "deny");
      const { record: denied, won } = await transition(
        id,
        (cur) =>
          cur.state === "pending" && !cur.claim
            ? { ...cur, state: "denied", decided_by: by }
            : undefined,
      );
      if (!won || !denied) {
        throw new ChangeError(
          "conflict",
          `Cannot deny change ${id}: it is ${
            record.claim ? "already approved" : denied?.state ?? record.state
          }, not pending`,
        );
      }
      await notify(denied, "denied");
      return denied;
    },
    async confirm(id, by) {
      const record = await load(id);
      mayKeepOrUndo(record, by, "confirm");
      if (record.state !== "applied" || !record.revert || record.claim) {
        throw new ChangeError(
          "conflict",
          `Cannot confirm change ${id}: it is ${record.state} and not awaiting confirmation`,
        );
      }
      const armed = record.revert;
      const { record: confirmed, won } = await transition(id, (cur) => {
        if (cur.state !== "applied" || !cur.revert || cur.claim) return undefined;
        const next: ChangeRecord = { ...cur, state: "confirmed", decided_by: by };
        delete next.revert;
        return next;
      });
      if (!won || !confirmed) {
        throw new ChangeError(
          "conflict",
          `Cannot confirm change ${id}: it is no longer awaiting confirmation`,
        );
      }
      let outcome: "removed" | "gone" | "none";
      try {
        outcome = await disarm(armed);
      } catch (error) {
        await transition(
          id,
          (cur) => ({
            ...cur,
            state: "applied",
            revert: armed,
            error: `confirm failed: ${errorMessage(error)}`,
          }),
        );
        throw new ChangeError(
          "conflict",
          `Cannot confirm change ${id}: the revert entry could not be removed: ${
            errorMessage(error)
          }`,
          { cause: error },
        );
      }
      if (outcome === "gone") {
        const { record: reverted } = await transition(
          id,
          (cur) => ({ ...cur, state: "reverted", decided_by: "router scheduler" }),
        );
        await notify(reverted!, "reverted");
        throw new ChangeError(
          "conflict",
          `Cannot confirm change ${id}: too late, the router already reverted it`,
        );
      }
      await notify(confirmed, "confirmed");
      return confirmed;
    },
    revert,
    async lastChangeOf(requestedBy, states) {
      for (const record of await list()) {
        if (record.requested_by !== requestedBy) continue;
        if (states && !states.includes(record.state)) continue;
        return record;
      }
      return null;
    },
    sweep,
    async handleChatCommand(text, sender) {
      const m = /^\/(undo|confirm)(?:@\S+)?(?:\s+([a-z0-9]+))?\s*$/i.exec(text.trim());
      if (!m) return undefined;
      const command = m[1]!.toLowerCase();
      let id = m[2];
      if (!id) {
        const last = command === "undo"
          ? await manager.lastChangeOf(sender, ["applied", "confirmed"])
          : (await list()).find((r) =>
            r.requested_by === sender && r.state === "applied" && r.revert
          ) ?? null;
        if (!last) {
          return { text: command === "undo" ? "Nothing to undo" : "Nothing awaits confirmation" };
        }
        id = last.change_id;
      }
      try {
        if (command === "undo") {
          await revert(id, { by: sender });
          return { text: `Change ${id} reverted` };
        }
        await manager.confirm(id, sender);
        return { text: `Change ${id} confirmed; it stays` };
      } catch (error) {
        return { text: errorMessage(error) };
      }
    },
    async handleButton(data, sender) {
      const m = /^(approve|deny|confirm|undo):([a-z0-9]{6,32})$/.exec(data);
      if (!m) return { text: "Unknown button" };
      const [, action, id] = m;
      try {
        if (action === "approve") {
          const record = await manager.approve(id!, sender);
          return {
            text: record.state === "applied"
              ? `Change ${id} applied (approved by ${sender})${
                record.diff ? `\n${record.diff}` : ""
              }`
              : `Change ${id} ${record.state}: ${record.error ?? ""}`.trim(),
          };
        }
        if (action === "deny") {
          await manager.deny(id!, sender);
          return { text: `Change ${id} denied by ${sender}; nothing was written` };
        }
        if (action === "confirm") {
          await manager.confirm(id!, sender);
          return { text: `Change ${id} confirmed; it stays` };
        }
        await revert(id!, { by: sender });
        return { text: `Change ${id} reverted` };
      } catch (error) {
        // A second press, or one from someone who may not decide: the owner's message stays.
        return { text: errorMessage(error), notice: true };
      }
    },
    start() {
      if (!stopped) return;
      stopped = false;
      running = sweep().finally(() => {
        running = undefined;
        schedule();
      });
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
  return manager;
}
