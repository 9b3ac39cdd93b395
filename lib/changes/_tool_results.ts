/**
 * What the model gets back from a router write that went through the change manager: the
 * applied calls with the diff and the auto-revert deadline, or a plain "awaits approval".
 * @module
 */
import { commandResult } from "../routeros/executor.ts";
import type { ChangeRecord } from "./types.ts";

/** The tool result of an applied change. */
export function appliedResult(
  record: ChangeRecord,
  confirmSeconds: number,
): Record<string, unknown> {
  const { ok, ...applied } = commandResult(record.calls, record.replies ?? []);
  const result: Record<string, unknown> = {
    ok,
    change_id: record.change_id,
    ...applied,
  };
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

/** The tool result of a change that awaits a person's approval: not applied, and why. */
export function pendingResult(record: ChangeRecord): Record<string, unknown> {
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
