/**
 * The contract of the change manager (`createChangeManager`): what it does, and its options.
 * @module
 */
import type { PolicyError } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import type { RouterOSApply, RouterOSExecuteContext } from "../routeros/executor.ts";
import type { RouterOSPolicy } from "../routeros/policy.ts";
import type { RouterOS, RouterOSPlan } from "../routeros/types.ts";
import type { StateStore } from "../storage/types.ts";
import type { LockoutGuard } from "./lockout.ts";
import type { ChangeReply } from "./chat_commands.ts";
import type { ChangeEvent, ChangeRecord, ChangeState } from "./types.ts";

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
  notify?:
    | ((record: ChangeRecord, event: ChangeEvent) => void | Promise<void>)
    | undefined;
  /** The lock-out guard; `false` turns it off (tests only). @default {createLockoutGuard({router})} */
  lockout?: LockoutGuard | false | undefined;
  /** Clock (TTL, deadlines, timestamps). @default {Date.now} */
  now?: (() => number) | undefined;
  /** Where failures of `notify` and of the sweep are logged. @default {silentLogger} */
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

/** The change manager. */
export interface ChangeManager {
  /**
   * The executor's `onWrite` hook: records, guards, then either waits for approval (the write
   * is applied later by {@linkcode ChangeManager.approve}) or applies it now through `apply`.
   */
  onWrite(
    plan: RouterOSPlan,
    context: RouterOSExecuteContext,
    apply: RouterOSApply,
  ): Promise<unknown>;
  /** The executor's `onRefused` hook: stores a `refused` record. Never throws. */
  onRefused(plan: RouterOSPlan, error: PolicyError, context: RouterOSExecuteContext): Promise<void>;
  /** Every record, newest first. */
  list(): Promise<ChangeRecord[]>;
  /** The record, or `null` for an unknown id. */
  get(id: string): Promise<ChangeRecord | null>;
  /** Approves and applies a pending change (at most once). Throws {@linkcode ChangeError}. */
  approve(id: string, by: string): Promise<ChangeRecord>;
  /** Denies a pending change: nothing is written. Throws {@linkcode ChangeError}. */
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
  /** Stops sweeping (waits for a sweep in progress). */
  stop(): Promise<void>;
}
