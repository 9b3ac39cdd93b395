/**
 * The task queue: records in the shared StateStore, a per-process worker pool that claims
 * queued tasks atomically (so a fleet on one store runs each task once), timeouts, cancel
 * through `AbortSignal` (also when another gateway wrote the cancel) and retention.
 * @module
 */
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import type { StateStore } from "../storage/types.ts";
import { randomHex } from "./_crypto.ts";
import type { TaskHandlers, TaskInfo, TaskStatus, TaskType } from "./types.ts";

/** A stored task. */
export interface TaskRecord {
  task_id: string;
  type: TaskType;
  status: TaskStatus;
  created_at: string;
  /** Epoch ms of creation (ordering). */
  created_ms: number;
  finished_ms?: number;
  requested_by: string;
  input?: string;
  skill?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: string;
  /** Nonce of the worker that claimed it. */
  claim?: string;
  /** Nonce of the cancel that won. */
  cancelled_by?: string;
}

/** What a caller submits. */
export interface TaskSubmission {
  type: TaskType;
  input?: string;
  skill?: string;
  params?: Record<string, unknown>;
}

/** Options of {@linkcode createTaskQueue}. */
export interface TaskQueueOptions {
  store: StateStore;
  handlers: TaskHandlers;
  concurrency: number;
  queueLimit: number;
  retentionMs: number;
  timeoutMs: number;
  /** How often an idle worker pool looks for tasks queued by another gateway. */
  pollMs: number;
  /** How often running tasks' records are re-read to notice a remote cancel. */
  cancelPollMs: number;
  /** How long `stop()` waits for running tasks before aborting them. */
  drainMs: number;
  now: () => number;
  logger: Logger;
}

/** Outcome of a cancel request. */
export type CancelOutcome = "cancelled" | "finished" | "unknown";

/** The task queue and its worker pool. */
export interface TaskQueue {
  /** Stores a queued task; `undefined` when the queue is full. */
  submit(task: TaskSubmission, requestedBy: string): Promise<TaskRecord | undefined>;
  list(): Promise<TaskRecord[]>;
  get(id: string): Promise<TaskRecord | null>;
  cancel(id: string): Promise<CancelOutcome>;
  start(): void;
  stop(): Promise<void>;
}

const PREFIX = "tasks:";
const ID_SHAPE = /^[0-9a-f]{32}$/;

function isTerminal(status: TaskStatus): boolean {
  return status === "complete" || status === "failed" || status === "cancelled";
}

class TaskTimeout extends Error {}
class GatewayStopping extends Error {}

/** Builds the {@linkcode TaskQueue}. */
export function createTaskQueue(options: TaskQueueOptions): TaskQueue {
  const { store, handlers, now, logger } = options;
  const active = new Map<
    string,
    { controller: AbortController; claim: string; done: Promise<void> }
  >();
  let running = false;
  let pumping = false;
  let pumpAgain = false;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let cancelTimer: ReturnType<typeof setInterval> | undefined;
  let admissions: Promise<unknown> = Promise.resolve();

  function expired(rec: TaskRecord): boolean {
    return isTerminal(rec.status) && rec.finished_ms !== undefined &&
      rec.finished_ms + options.retentionMs <= now();
  }

  async function read(key: string): Promise<TaskRecord | null> {
    const rec = await store.get<TaskRecord>(key);
    if (!rec || typeof rec !== "object" || typeof rec.task_id !== "string") return null;
    if (expired(rec)) {
      await store.remove(key);
      return null;
    }
    return rec;
  }

  async function all(): Promise<TaskRecord[]> {
    const out: TaskRecord[] = [];
    for (const key of await store.keys(PREFIX)) {
      const rec = await read(key);
      if (rec) out.push(rec);
    }
    return out.sort((a, b) => a.created_ms - b.created_ms || a.task_id.localeCompare(b.task_id));
  }

  /** Writes a terminal record again with a TTL so the store drops it after retention. */
  async function retain(rec: TaskRecord): Promise<void> {
    await store.set(PREFIX + rec.task_id, rec, { ttlMs: options.retentionMs });
  }

  async function claimNext(): Promise<TaskRecord | undefined> {
    for (const rec of await all()) {
      if (rec.status !== "queued") continue;
      const claim = randomHex(16);
      const next = await store.update<TaskRecord>(
        PREFIX + rec.task_id,
        (cur) => (cur?.status === "queued" ? { ...cur, status: "running", claim } : undefined),
      );
      if (next?.status === "running" && next.claim === claim) return next;
    }
    return undefined;
  }

  async function finish(rec: TaskRecord, patch: Partial<TaskRecord>): Promise<void> {
    const next = await store.update<TaskRecord>(
      PREFIX + rec.task_id,
      (cur) =>
        cur?.status === "running" && cur.claim === rec.claim
          ? { ...cur, ...patch, finished_ms: now() }
          : undefined,
    );
    if (next && next.claim === rec.claim && isTerminal(next.status) && next.finished_ms) {
      await retain(next);
    }
  }

  function execute(rec: TaskRecord): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new TaskTimeout(`Task timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const info: TaskInfo = {
      task_id: rec.task_id,
      type: rec.type,
      requested_by: rec.requested_by,
      created_at: rec.created_at,
      ...(rec.input === undefined ? {} : { input: rec.input }),
      ...(rec.skill === undefined ? {} : { skill: rec.skill }),
      ...(rec.params === undefined ? {} : { params: rec.params }),
    };
    const work = async () => {
      try {
        const handler = handlers[rec.type];
        if (!handler) {
          throw new AgentError(`Cannot run task type "${rec.type}": not configured`, {
            code: ErrorCode.NotConfigured,
          });
        }
        // Stop waiting when aborted even if the handler ignores its signal.
        const aborted = new Promise<never>((_, reject) => {
          if (controller.signal.aborted) reject(controller.signal.reason);
          controller.signal.addEventListener("abort", () => reject(controller.signal.reason), {
            once: true,
          });
        });
        aborted.catch(() => {});
        const result = await Promise.race([handler(info, { signal: controller.signal }), aborted]);
        await finish(rec, { status: "complete", result });
      } catch (error) {
        const reason = controller.signal.aborted ? controller.signal.reason : error;
        if (reason instanceof TaskTimeout || reason instanceof GatewayStopping) {
          await finish(rec, { status: "failed", error: reason.message });
        } else if (controller.signal.aborted) {
          // Cancelled: the cancel already wrote the record.
        } else {
          await finish(rec, { status: "failed", error: errorMessage(error) });
        }
      }
    };
    const done = work().catch((error) => {
      logger.error(`gateway: task ${rec.task_id} could not be recorded: ${errorMessage(error)}`);
    }).finally(() => {
      clearTimeout(timer);
      active.delete(rec.task_id);
      if (active.size === 0 && cancelTimer !== undefined) {
        clearInterval(cancelTimer);
        cancelTimer = undefined;
      }
      void pump();
    });
    active.set(rec.task_id, { controller, claim: rec.claim!, done });
    if (cancelTimer === undefined) cancelTimer = setInterval(watchCancels, options.cancelPollMs);
    return done;
  }

  async function watchCancels(): Promise<void> {
    for (const [id, entry] of active) {
      try {
        const rec = await store.get<TaskRecord>(PREFIX + id);
        if (!rec || rec.status !== "running" || rec.claim !== entry.claim) {
          entry.controller.abort(new Error("Task cancelled"));
        }
      } catch (error) {
        logger.warn(`gateway: cannot read task ${id}: ${errorMessage(error)}`);
      }
    }
  }

  async function pump(): Promise<void> {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        while (running && active.size < options.concurrency) {
          const rec = await claimNext();
          if (!rec) break;
          if (!running) {
            // Stopped while claiming: hand the task back to the queue.
            await store.update<TaskRecord>(
              PREFIX + rec.task_id,
              (cur) =>
                cur?.status === "running" && cur.claim === rec.claim
                  ? { ...cur, status: "queued" as const }
                  : undefined,
            );
            break;
          }
          void execute(rec);
        }
      } while (pumpAgain && running);
    } catch (error) {
      logger.warn(`gateway: cannot claim tasks: ${errorMessage(error)}`);
    } finally {
      pumping = false;
    }
  }

  return {
    submit(task, requestedBy) {
      // Admit one at a time so the queue limit is exact within this process.
      const run = admissions.then(async () => {
        const queued = (await all()).filter((r) => r.status === "queued").length;
        if (queued >= options.queueLimit) return undefined;
        const t = now();
        const rec: TaskRecord = {
          task_id: randomHex(16),
          type: task.type,
          status: "queued",
          created_at: new Date(t).toISOString(),
          created_ms: t,
          requested_by: requestedBy,
          ...(task.input === undefined ? {} : { input: task.input }),
          ...(task.skill === undefined ? {} : { skill: task.skill }),
          ...(task.params === undefined ? {} : { params: task.params }),
        };
        await store.set(PREFIX + rec.task_id, rec);
        void pump();
        return rec;
      });
      admissions = run.catch(() => {});
      return run;
    },

    list: all,

    get(id) {
      return ID_SHAPE.test(id) ? read(PREFIX + id) : Promise.resolve(null);
    },

    async cancel(id) {
      if (!ID_SHAPE.test(id)) return "unknown";
      const current = await read(PREFIX + id);
      if (!current) return "unknown";
      const nonce = randomHex(16);
      const next = await store.update<TaskRecord>(
        PREFIX + id,
        (cur) =>
          cur && !isTerminal(cur.status)
            ? { ...cur, status: "cancelled", cancelled_by: nonce, finished_ms: now() }
            : undefined,
      );
      if (!next) return "unknown";
      if (next.cancelled_by !== nonce) return "finished";
      await retain(next);
      active.get(id)?.controller.abort(new Error("Task cancelled"));
      return "cancelled";
    },

    start() {
      if (running) return;
      running = true;
      pollTimer = setInterval(() => void pump(), options.pollMs);
      void pump();
    },

    async stop() {
      running = false;
      if (pollTimer !== undefined) clearInterval(pollTimer);
      pollTimer = undefined;
      const pending = [...active.values()];
      if (pending.length > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const deadline = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.drainMs);
        });
        await Promise.race([Promise.all(pending.map((p) => p.done)), deadline]);
        clearTimeout(timer);
        for (const entry of active.values()) {
          entry.controller.abort(new GatewayStopping("Cannot finish task: the gateway stopped"));
        }
        await Promise.all([...active.values()].map((p) => p.done));
      }
      if (cancelTimer !== undefined) clearInterval(cancelTimer);
      cancelTimer = undefined;
    },
  };
}
