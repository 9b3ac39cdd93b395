/**
 * Contracts of safe router changes: change records (CONTRACT §6), the items a change touched,
 * the inverse calls that undo it and the armed auto-revert.
 * @module
 */
import type { RouterOSCall } from "../routeros/types.ts";

/**
 * States of a change record (CONTRACT §6). `pending` may carry a `claim` while it is being
 * applied; `applied` may carry an armed `revert` until it is confirmed or reverted.
 */
export type ChangeState =
  | "refused"
  | "pending"
  | "denied"
  | "expired"
  | "applied"
  | "failed"
  | "confirmed"
  | "reverted";

/** What a call did to one router item. */
export type ChangeOp = "add" | "set" | "remove" | "move" | "singleton";

/** One router item a change touched, with its state before and after. */
export interface ChangeItem {
  op: ChangeOp;
  /** Menu path, e.g. `/ip/firewall/filter`. */
  menu: string;
  /** `*ID` of the item (for `add`, the id the router returned; absent for singletons). */
  id?: string;
  /** The item as read just before the write (absent for `add`). */
  before?: Record<string, string>;
  /** The item as read just after the write (absent for `remove`). */
  after?: Record<string, string>;
  /** For `remove` and `move`: the item that followed it, to put it back in place. */
  next?: { id: string; props: Record<string, string> };
}

/** An armed automatic revert (`ROUTEROS_CONFIRM_SECONDS`). */
export interface ChangeRevert {
  /** `router`: a one-shot `/system/scheduler` entry; `local`: MikroClaw's own timer. */
  mode: "router" | "local";
  /** When it fires, epoch milliseconds of MikroClaw's clock. */
  deadline: number;
  /** Name of the scheduler entry (`mikroclaw-revert-<id>`), router mode. */
  scheduler_name?: string;
  /** `.id` of the scheduler entry, router mode. */
  scheduler_id?: string;
  /** The router time it runs at (`YYYY-MM-DD HH:MM:SS` in the router's own zone). */
  router_time?: string;
}

/** A change record, stored under `changes:<change_id>`. */
export interface ChangeRecord {
  change_id: string;
  state: ChangeState;
  /** The console line the agent ran. */
  command: string;
  /** The REST calls (method, path, body), resolved to `*ID`s. */
  calls: RouterOSCall[];
  /** Who asked, e.g. `telegram:4242` or `gateway:<token id>`. */
  requested_by: string;
  /** Who approved (`ROUTEROS_APPROVAL=writes`). */
  approved_by?: string;
  /** Who denied, confirmed or reverted, with the reason where there is one. */
  decided_by?: string;
  /** Chat identities allowed to approve this change. */
  approvers?: string[];
  created_at: string;
  updated_at: string;
  /** Pending changes expire at this time (ISO). */
  expires_at?: string;
  /**
   * The router's reply to each call once applied (compacted; `null` for an empty reply): created
   * records, a command's rows, a script's `ret`.
   */
  replies?: unknown[];
  /** Readable before -> after lines (`- key=old` / `+ key=new`). */
  diff?: string;
  error?: string;
  /** Items touched, with their before and after state. */
  items?: ChangeItem[];
  /** The inverse calls, in order; absent when the change cannot be undone (e.g. a command). */
  undo?: RouterOSCall[];
  /** Why there is no `undo`. */
  undo_missing?: string;
  /** The armed auto-revert, until confirmed or reverted. */
  revert?: ChangeRevert;
  /** How an applied change will be auto-reverted (`ROUTEROS_CONFIRM_SECONDS` > 0). */
  auto_revert?: "router" | "local";
  /** A manager is applying or reverting it right now (at most one wins the claim). */
  claim?: { op: "apply" | "revert"; by: string; at: string };
  /** Random per write: tells a manager whether its atomic transition won. */
  rev?: string;
}

/** `GET /changes` rows. */
export interface ChangeSummary {
  change_id: string;
  state: ChangeState;
  command: string;
  requested_by: string;
  created_at: string;
}

/** Events passed to `notify`: a new state, or `approved` (claimed for applying). */
export type ChangeEvent = ChangeState | "approved";
