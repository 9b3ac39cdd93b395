/**
 * The sweep of the change manager: expires stale pending changes, reverts overdue changes whose
 * revert MikroClaw keeps, and records the reverts the router's scheduler ran; and the loop that
 * runs it every interval.
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import { amend, type ChangeRecords, isExpired } from "./_records.ts";
import type { AutoRevert } from "./auto_revert.ts";
import type { RevertOptions } from "./manager_types.ts";
import type { ChangeEvent, ChangeRecord } from "./types.ts";

/** What the sweep needs of its manager. */
export interface SweepContext {
  records: ChangeRecords;
  autoRevert: AutoRevert;
  now: () => number;
  /** After a router-side deadline, how long to wait before checking the entry ran. */
  graceMs: number;
  logger: Logger;
  /** The manager's pending -> expired transition. */
  expire(record: ChangeRecord): Promise<void>;
  /** The manager's revert. */
  revert(id: string, options: RevertOptions): Promise<ChangeRecord>;
  notify(record: ChangeRecord, event: ChangeEvent): Promise<void>;
}

/** One sweep over every record; a record that fails is logged and skipped. */
export async function sweepChanges(context: SweepContext): Promise<void> {
  const { records, autoRevert, now, logger } = context;
  for (const record of await records.list()) {
    try {
      if (isExpired(record, now())) {
        await context.expire(record);
        continue;
      }
      const armed = record.revert;
      if (record.state !== "applied" || record.claim || !armed) continue;
      if (armed.mode === "local" && armed.deadline <= now()) {
        logger.warn(`changes: change ${record.change_id} was not confirmed in time; reverting it`);
        await context.revert(record.change_id, { by: "auto-revert", force: true });
      } else if (
        armed.mode === "router" && armed.deadline + context.graceMs <= now() &&
        await autoRevert.ranOnRouter(armed)
      ) {
        const { record: next, won } = await records.transition(
          record.change_id,
          (cur) =>
            cur.state !== "applied" || cur.claim || !cur.revert
              ? undefined
              : amend(cur, { state: "reverted", decided_by: "router scheduler" }, ["revert"]),
        );
        if (won && next) await context.notify(next, "reverted");
      }
    } catch (error) {
      logger.warn(`changes: sweep of ${record.change_id} failed: ${errorMessage(error)}`);
    }
  }
}

/** A started or stopped sweep loop. */
export interface SweepLoop {
  /** Sweeps now, then every interval after the previous sweep ends; a second call does nothing. */
  start(): void;
  /** Stops the loop and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** Builds the loop around `sweep` (which must not throw). */
export function createSweepLoop(sweep: () => Promise<void>, intervalMs: number): SweepLoop {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  function run(): void {
    running = sweep().finally(() => {
      running = undefined;
      schedule();
    });
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(run, intervalMs);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      run();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
