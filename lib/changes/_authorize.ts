/**
 * Who may decide a change: approve or deny it (`mayDecide`), keep or undo it (`mayKeepOrUndo`),
 * and who is asked to approve it (`approversFor`).
 * @module
 */
import type { StateStore } from "../storage/types.ts";
import { readTokenAncestors } from "../_internal/token_lineage.ts";
import { ChangeError } from "./change_error.ts";
import type { ChangeRecord } from "./types.ts";

const CHAT_IDENTITY = /^(telegram|discord|slack):[A-Za-z0-9_-]{1,64}$/;
const GATEWAY_IDENTITY = /^gateway:[A-Za-z0-9_.-]{1,128}$/;

/** The approvers of a change: `ROUTEROS_APPROVERS`, else the chat sender who asked (if one). */
export function approversFor(approvers: readonly string[], requestedBy: string): string[] {
  if (approvers.length) return [...approvers];
  return CHAT_IDENTITY.test(requestedBy) ? [requestedBy] : [];
}

/**
 * Who may approve or deny: never the requester nor a token minted through it (its family);
 * with `ROUTEROS_APPROVERS` set only the identities listed there (`gateway:<token id>` too);
 * otherwise any other paired token, or the chat sender who asked. Throws a `forbidden`
 * {@linkcode ChangeError}.
 */
export async function mayDecide(
  context: { store: StateStore; approvers: readonly string[] },
  record: ChangeRecord,
  by: string,
  action: string,
): Promise<void> {
  const id = record.change_id;
  const { approvers } = context;
  if (GATEWAY_IDENTITY.test(by)) {
    if (by === record.requested_by) {
      throw new ChangeError(
        "forbidden",
        `Cannot ${action} change ${id}: the token that requested it cannot ${action} it; use another paired device`,
      );
    }
    if (GATEWAY_IDENTITY.test(record.requested_by)) {
      const ancestors = await readTokenAncestors(context.store, by.slice("gateway:".length));
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

/**
 * Who may confirm or revert: any paired token, the auto-revert, and in chat the requester or
 * a listed approver. Throws a `forbidden` {@linkcode ChangeError}.
 */
export function mayKeepOrUndo(record: ChangeRecord, by: string, action: string): void {
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
