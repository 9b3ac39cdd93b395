/**
 * The steps of applying a claimed change: read the items before, check the lock-out guard, arm
 * the auto-revert, write, read the items after, and re-target the revert at what the router
 * created. The manager moves the record between states around it.
 * @module
 */
import { errorMessage, PolicyError } from "../errors.ts";
import { compactResult, type RouterOSApply } from "../routeros/executor.ts";
import type { RouterOS, RouterOSCall } from "../routeros/types.ts";
import { callEffect } from "./_calls.ts";
import { amend } from "./_records.ts";
import { readItemsAfter, type Snapshot, snapshot } from "./_snapshot.ts";
import type { AutoRevert } from "./auto_revert.ts";
import type { LockoutGuard } from "./lockout.ts";
import { renderDiff } from "./diff.ts";
import type { ChangeItem, ChangeRecord, ChangeRevert } from "./types.ts";
import { type InverseCalls, inverseCalls } from "./undo.ts";

/** What applying needs. */
export interface ApplyContext {
  router: RouterOS;
  guard: LockoutGuard | undefined;
  autoRevert: AutoRevert;
}

/** A change the router took. */
export interface AppliedChange {
  ok: true;
  items: ChangeItem[];
  /** The router's raw reply to each call. */
  replies: unknown[];
  /** The inverse calls, or why there are none. */
  inverse: InverseCalls;
  /** The armed auto-revert, if any. */
  revert: ChangeRevert | undefined;
}

/** A change that failed (nothing armed is left behind); `detail` says how far it got. */
export interface FailedChange {
  ok: false;
  error: unknown;
  /** ` (N of M calls were applied)` and a disarm failure, or empty. */
  detail: string;
}

/** Why the calls would lock MikroClaw out (empty when safe or when there is no guard). */
export async function lockoutReasons(
  guard: LockoutGuard | undefined,
  calls: RouterOSCall[],
  snap: Snapshot,
): Promise<string[]> {
  return guard ? await guard.check(calls, snap.byKey) : [];
}

/**
 * The deferred apply path: a record's calls straight through the router (the turn that asked
 * is gone, so there is no executor apply nor turn signal to use).
 */
export function applyRecordedCalls(router: RouterOS, record: ChangeRecord): RouterOSApply {
  return async (onApplied) => {
    const replies: unknown[] = [];
    for (const [index, call] of record.calls.entries()) {
      replies.push(await router.call(call, { command: record.command }));
      onApplied?.(index);
    }
    return replies;
  };
}

/**
 * Applies a claimed record's calls through `apply`. `onArmed` persists an armed revert before
 * the write, so a crash still leaves it findable. Never throws: a failure is returned.
 */
export async function applyChange(
  context: ApplyContext,
  record: ChangeRecord,
  apply: RouterOSApply,
  onArmed: (revert: ChangeRevert) => Promise<void>,
): Promise<AppliedChange | FailedChange> {
  const { router, guard, autoRevert } = context;
  const effects = record.calls.map(callEffect);
  let armed: ChangeRevert | undefined;
  let done = 0;
  let snap: Snapshot | undefined;
  try {
    snap = await snapshot(router, effects);
    const reasons = await lockoutReasons(guard, record.calls, snap);
    if (reasons.length) {
      throw new PolicyError(`Cannot run "${record.command}": ${reasons.join("; ")}`);
    }
    armed = await autoRevert.arm(record.change_id, snap, effects);
    if (armed) await onArmed(armed);
    const replies = await apply(() => done++);
    const items = snap.items;
    await readItemsAfter(router, items, replies, effects);
    const inverse = snap.missing ? { calls: [], missing: snap.missing } : inverseCalls(items);
    // Now that the router named the new items, revert exactly those.
    await autoRevert.retarget(armed, items, inverse.calls);
    return { ok: true, items, replies, inverse, revert: armed };
  } catch (error) {
    let note = "";
    if (armed) {
      try {
        await autoRevert.disarm(armed);
      } catch (disarmError) {
        note = `; the revert entry ${armed.scheduler_name} could not be removed: ${
          errorMessage(disarmError)
        }`;
      }
    }
    const partial = done > 0 && snap
      ? ` (${done} of ${record.calls.length} calls were applied)`
      : "";
    return { ok: false, error, detail: partial + note };
  }
}

/** The `applied` record of a claimed one: items, diff, replies, the undo and the armed revert. */
export function appliedRecord(current: ChangeRecord, change: AppliedChange): ChangeRecord {
  const { items, replies, inverse, revert } = change;
  const next = amend(current, {
    state: "applied",
    items,
    diff: renderDiff(items),
    replies: replies.map((r) => r === undefined ? null : compactResult(r)),
  }, ["claim", "error"]);
  if (inverse.missing) {
    next.undo_missing = inverse.missing;
    delete next.undo;
  } else next.undo = inverse.calls;
  if (revert) next.revert = revert;
  return next;
}
