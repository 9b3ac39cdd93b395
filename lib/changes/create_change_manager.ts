/**
 * `createChangeManager`: change records for every router write the agent attempts, approval by
 * a person (never the model), undo, auto-revert ("commit confirmed") and the lock-out guard.
 * Plug `onWrite` / `onRefused` into `createRouterOSExecutor`; mount `createChangeRoutes` on the
 * gateway; hand `handleButton` / `handleChatCommand` to the channels.
 *
 * This file is the state machine: `pending` -> (claimed) -> `applied` | `failed`; `pending` ->
 * `denied` | `expired`; `applied` -> `confirmed` | `reverted`. Every move is one atomic
 * transition of the record store (`_records.ts`); the steps live beside it: reading the router
 * (`_snapshot.ts`), applying (`_apply.ts`), the auto-revert (`auto_revert.ts`), who may decide
 * (`_authorize.ts`), undo conflicts (`_undo_conflicts.ts`), the sweep (`_sweep.ts`) and the chat
 * replies (`chat_commands.ts`).
 * @module
 */
import { errorMessage, PolicyError } from "../errors.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { RouterOSApply } from "../routeros/executor.ts";
import {
  appliedRecord,
  applyChange,
  type ApplyContext,
  applyRecordedCalls,
  lockoutReasons,
} from "./_apply.ts";
import { approversFor, mayDecide, mayKeepOrUndo } from "./_authorize.ts";
import { callEffect } from "./_calls.ts";
import { amend, createChangeRecords, isExpired, newRev } from "./_records.ts";
import { isNotFound, predictItems, snapshot } from "./_snapshot.ts";
import { createSweepLoop, sweepChanges } from "./_sweep.ts";
import { appliedResult, pendingResult } from "./_tool_results.ts";
import { resolveUndo } from "./_undo_conflicts.ts";
import { createAutoRevert } from "./auto_revert.ts";
import { ChangeError } from "./change_error.ts";
import { replyToButton, replyToChatCommand } from "./chat_commands.ts";
import { renderDiff } from "./diff.ts";
import { createLockoutGuard } from "./lockout.ts";
import type { ChangeManager, ChangeManagerOptions, RevertOptions } from "./manager_types.ts";
import type { ChangeEvent, ChangeRecord } from "./types.ts";

export type { ChangeManager, ChangeManagerOptions, RevertOptions } from "./manager_types.ts";

/** Builds the change manager. */
export function createChangeManager(options: ChangeManagerOptions): ChangeManager {
  const { store, router } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const approvers = [...(options.approvers ?? [])];
  const confirmSeconds = options.confirmSeconds ?? 0;
  const guard = options.lockout === false
    ? undefined
    : options.lockout ?? createLockoutGuard({ router });
  if (!Number.isFinite(confirmSeconds) || confirmSeconds < 0) {
    throw new RangeError(`Cannot use confirmSeconds ${confirmSeconds}: use 0 or more`);
  }
  const records = createChangeRecords({
    store,
    now,
    ttlMs: options.recordTtlMs ?? 30 * 86_400_000,
  });
  const { transition } = records;
  const autoRevert = createAutoRevert({ router, policy: options.policy, confirmSeconds, now });
  const applying: ApplyContext = { router, guard, autoRevert };
  const iso = (): string => new Date(now()).toISOString();
  const expired = (record: ChangeRecord): boolean => isExpired(record, now());
  const conflict = (message: string, cause?: unknown): ChangeError =>
    new ChangeError("conflict", message, cause === undefined ? {} : { cause });

  async function notify(record: ChangeRecord, event: ChangeEvent): Promise<void> {
    if (!options.notify) return;
    try {
      await options.notify(record, event);
    } catch (error) {
      logger.warn(`changes: notify ${event} of ${record.change_id} failed: ${errorMessage(error)}`);
    }
  }

  /** claimed -> applied | failed; the write goes through `apply`. */
  async function applyClaimed(record: ChangeRecord, apply: RouterOSApply): Promise<ChangeRecord> {
    const id = record.change_id;
    const outcome = await applyChange(applying, record, apply, async (revert) => {
      // Persist the armed revert before writing, so a crash still leaves it findable.
      await transition(id, (cur) => ({ ...cur, revert }));
    });
    if (!outcome.ok) {
      const error = errorMessage(outcome.error) + outcome.detail;
      const { record: failed } = await transition(
        id,
        (cur) => amend(cur, { state: "failed", error }, ["claim", "revert"]),
      );
      await notify(failed!, "failed");
      throw outcome.error;
    }
    const { record: applied } = await transition(id, (cur) => appliedRecord(cur, outcome));
    await notify(applied!, "applied");
    return applied!;
  }

  /** pending -> expired (once past `expires_at`). */
  async function expire(record: ChangeRecord): Promise<void> {
    const { record: next, won } = await transition(
      record.change_id,
      (cur) => expired(cur) ? { ...cur, state: "expired" } : undefined,
    );
    if (won && next) await notify(next, "expired");
  }

  /** applied | confirmed | failed with an undo -> (claimed) -> reverted. */
  async function revert(id: string, { by, force }: RevertOptions): Promise<ChangeRecord> {
    const record = await records.load(id);
    mayKeepOrUndo(record, by, "revert");
    const revertible = record.state === "applied" || record.state === "confirmed" ||
      (record.state === "failed" && record.undo !== undefined && (record.items?.length ?? 0) > 0);
    if (!revertible || record.claim) {
      const state = record.claim ? "busy" : record.state;
      throw conflict(`Cannot revert change ${id}: it is ${state}; nothing to revert`);
    }
    if (!record.undo) {
      throw conflict(`Cannot revert change ${id}: ${record.undo_missing ?? "it has no inverse"}`);
    }
    const calls = await resolveUndo(router, record, force === true);
    const claim = { op: "revert" as const, by, at: iso() };
    const { record: claimed, won } = await transition(
      id,
      (cur) => cur.state === record.state && !cur.claim ? { ...cur, claim } : undefined,
    );
    if (!won || !claimed) {
      throw conflict(`Cannot revert change ${id}: someone else is deciding it right now`);
    }
    let decidedBy = by;
    try {
      if ((await autoRevert.disarm(claimed.revert)) === "gone") {
        // The router's own scheduler entry already ran the inverse: do not run it twice.
        decidedBy = "router scheduler";
      } else {
        for (const call of calls) {
          try {
            await router.call(call, { command: `revert ${id}` });
          } catch (error) {
            if (force && call.method === "DELETE" && isNotFound(error)) continue;
            throw error;
          }
        }
      }
    } catch (error) {
      const note = `revert failed: ${errorMessage(error)}`;
      await transition(id, (cur) => amend(cur, { error: note }, ["claim"]));
      throw conflict(
        `Cannot revert change ${id}: the router refused: ${errorMessage(error)}`,
        error,
      );
    }
    const { record: reverted } = await transition(
      id,
      (cur) => amend(cur, { state: "reverted", decided_by: decidedBy }, ["claim", "revert"]),
    );
    await notify(reverted!, "reverted");
    return reverted!;
  }

  const graceMs = options.routerGraceMs ?? 5_000;
  const sweep = (): Promise<void> =>
    sweepChanges({ records, autoRevert, now, graceMs, logger, expire, revert, notify });
  const loop = createSweepLoop(sweep, options.sweepIntervalMs ?? 1_000);

  const manager: ChangeManager = {
    autoRevert: autoRevert.mode,
    async onWrite(plan, context, apply) {
      const requestedBy = context.requestedBy ?? "unknown";
      const record = records.create(plan, requestedBy, "pending");
      const effects = record.calls.map(callEffect);
      const snap = await snapshot(router, effects);
      const reasons = await lockoutReasons(guard, record.calls, snap);
      if (reasons.length) {
        record.state = "refused";
        record.error = `lock-out guard: ${reasons.join("; ")}`;
        await records.save(record);
        await notify(record, "refused");
        throw new PolicyError(`Cannot run "${plan.line}": ${reasons.join("; ")}`);
      }
      if (autoRevert.mode !== "off") record.auto_revert = autoRevert.mode;
      if (options.approval === "writes") {
        // -> pending: applied later by approve(), in another turn (so `apply` is not kept).
        record.approvers = approversFor(approvers, requestedBy);
        record.expires_at = new Date(now() + (options.approvalTtlMs ?? 600_000)).toISOString();
        const preview = predictItems(snap.items, effects);
        record.items = preview;
        record.diff = renderDiff(preview);
        if (snap.missing) record.undo_missing = snap.missing;
        record.rev = newRev();
        await records.save(record);
        await notify(record, "pending");
        return pendingResult(record);
      }
      // -> claimed now, and applied through the executor's apply (under this turn's signal).
      record.claim = { op: "apply", by: requestedBy, at: record.created_at };
      await records.save(record);
      return appliedResult(await applyClaimed(record, apply), confirmSeconds);
    },
    async onRefused(plan, error, context) {
      try {
        const record = records.create(plan, context.requestedBy ?? "unknown", "refused");
        record.error = error.message;
        await records.save(record);
        await notify(record, "refused");
      } catch (failure) {
        logger.warn(`changes: cannot record a refused change: ${errorMessage(failure)}`);
      }
    },
    list: records.list,
    get: records.get,
    async approve(id, by) {
      const record = await records.load(id);
      await mayDecide({ store, approvers }, record, by, "approve");
      if (expired(record)) {
        await expire(record);
        throw conflict(`Cannot approve change ${id}: it expired`);
      }
      const notPending = (r: ChangeRecord | null): ChangeError =>
        conflict(
          `Cannot approve change ${id}: it is ${
            r?.claim ? "already approved" : r?.state ?? "gone"
          }, not pending`,
        );
      if (record.state !== "pending" || record.claim) throw notPending(record);
      const claim = { op: "apply" as const, by, at: iso() };
      const { record: claimed, won } = await transition(
        id,
        (cur) =>
          cur.state === "pending" && !cur.claim && !expired(cur)
            ? { ...cur, approved_by: by, claim }
            : undefined,
      );
      if (!won || !claimed) throw notPending(claimed);
      await notify(claimed, "approved");
      try {
        // The asking turn is over: the recorded calls go straight to the router.
        return await applyClaimed(claimed, applyRecordedCalls(router, claimed));
      } catch {
        return (await records.get(id))!;
      }
    },
    async deny(id, by) {
      const record = await records.load(id);
      await mayDecide({ store, approvers }, record, by, "deny");
      const { record: denied, won } = await transition(
        id,
        (cur) =>
          cur.state === "pending" && !cur.claim
            ? { ...cur, state: "denied", decided_by: by }
            : undefined,
      );
      if (!won || !denied) {
        const state = record.claim ? "already approved" : denied?.state ?? record.state;
        throw conflict(`Cannot deny change ${id}: it is ${state}, not pending`);
      }
      await notify(denied, "denied");
      return denied;
    },
    async confirm(id, by) {
      const record = await records.load(id);
      mayKeepOrUndo(record, by, "confirm");
      const awaiting = (r: ChangeRecord): boolean =>
        r.state === "applied" && !!r.revert && !r.claim;
      if (!awaiting(record)) {
        throw conflict(
          `Cannot confirm change ${id}: it is ${record.state} and not awaiting confirmation`,
        );
      }
      const armed = record.revert!;
      const { record: confirmed, won } = await transition(
        id,
        (cur) =>
          awaiting(cur)
            ? amend(cur, { state: "confirmed", decided_by: by }, ["revert"])
            : undefined,
      );
      if (!won || !confirmed) {
        throw conflict(`Cannot confirm change ${id}: it is no longer awaiting confirmation`);
      }
      let outcome: "removed" | "gone" | "none";
      try {
        outcome = await autoRevert.disarm(armed);
      } catch (error) {
        const note = `confirm failed: ${errorMessage(error)}`;
        await transition(id, (cur) => ({ ...cur, state: "applied", revert: armed, error: note }));
        throw conflict(
          `Cannot confirm change ${id}: the revert entry could not be removed: ${
            errorMessage(error)
          }`,
          error,
        );
      }
      if (outcome === "gone") {
        const { record: reverted } = await transition(
          id,
          (cur) => ({ ...cur, state: "reverted", decided_by: "router scheduler" }),
        );
        await notify(reverted!, "reverted");
        throw conflict(`Cannot confirm change ${id}: too late, the router already reverted it`);
      }
      await notify(confirmed, "confirmed");
      return confirmed;
    },
    revert,
    async lastChangeOf(requestedBy, states) {
      return (await records.list()).find((r) =>
        r.requested_by === requestedBy && (!states || states.includes(r.state))
      ) ?? null;
    },
    sweep,
    handleChatCommand: (text, sender) => replyToChatCommand(manager, text, sender),
    handleButton: (data, sender) => replyToButton(manager, data, sender),
    start: loop.start,
    stop: loop.stop,
  };
  return manager;
}
