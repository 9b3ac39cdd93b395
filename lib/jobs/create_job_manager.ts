/**
 * `createJobManager`: scheduled jobs in the StateStore (`jobs:<id>`) and the scheduler that
 * turns each due time into one task. A due time is claimed with the store's atomic `update`
 * (a nonce, like task claims), so gateways sharing one Redis run it exactly once; a due time
 * missed while MikroClaw was down runs once on start (or is skipped, per job) — the next due
 * time is always computed from now, so there is never a burst.
 * @module
 */
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { StateStore } from "../storage/types.ts";
import { randomHex } from "../gateway/_crypto.ts";
import { parseSchedule, type Schedule, ScheduleError } from "./schedule.ts";
import type { JobRecord, JobSpec, JobSummary } from "./types.ts";

/** A refused job request; `status` is the HTTP status, `field` the request field at fault. */
export class JobError extends AgentError {
  /** HTTP status: 400 bad input, 404 unknown job, 409 wrong state, 503 queue full. */
  readonly status: 400 | 404 | 409 | 503;
  /** The request field at fault (400 only). */
  readonly field: string | undefined;
  constructor(status: 400 | 404 | 409 | 503, message: string, field?: string) {
    super(message, { code: status === 503 ? ErrorCode.NotConfigured : ErrorCode.ToolInput });
    this.name = "JobError";
    this.status = status;
    this.field = field;
  }
}

/** Options of {@linkcode createJobManager}. */
export interface JobManagerOptions {
  store: StateStore;
  /** Queues one run as a `job` task requested by the job's creator; `undefined` = queue full. */
  submit: (job: JobRecord) => Promise<{ task_id: string } | undefined>;
  /** The zone of a job created without `tz` (the router's, else `TZ`, else UTC). */
  defaultZone: () => Promise<string>;
  /** @default {Date.now} */
  now?: () => number;
  /** A due time later than this is "missed" (catch-up or skip). @default {60000} */
  graceMs?: number;
  /** Longest sleep between scans (jobs added by another gateway). @default {15000} */
  rescanMs?: number;
  logger?: Logger;
}

/** The job manager and its scheduler. */
export interface JobManager {
  /** Validates and stores a job (`active`, or `proposed` waiting for a person). */
  create(spec: JobSpec, createdBy: string, state?: "active" | "proposed"): Promise<JobRecord>;
  list(): Promise<JobRecord[]>;
  get(id: string): Promise<JobRecord | null>;
  /** Throws a 404 {@linkcode JobError} for an unknown id. */
  remove(id: string): Promise<void>;
  /** Activates a proposed job; 409 unless `proposed`. */
  confirm(id: string, by: string): Promise<JobRecord>;
  /** Runs a job now (not a due time): resolves the task id. */
  runNow(id: string): Promise<string>;
  /** Records a run's outcome on its job. */
  finished(id: string, taskId: string, status: "complete" | "failed"): Promise<void>;
  /** Runs every due job once (the scheduler's step; tests call it with their own clock). */
  tick(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

const PREFIX = "jobs:";
const ID = /^[0-9a-f]{16}$/;
const TARGET = /^(?:telegram|discord|slack):[A-Za-z0-9_-]{1,64}$/;

/** A job as listings show it (no claim nonce, no epoch). */
export function jobSummary(job: JobRecord): JobSummary {
  const { claim: _claim, next_ms: _next, last_task_id: _task, confirmed_by: _by, ...rest } = job;
  return rest;
}

function bad(field: string, message: string): never {
  throw new JobError(400, `${field}: ${message}`, field);
}

function text(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.trim() === "") bad(field, "must be a non-empty string");
  if (value.length > max) bad(field, `must be at most ${max} characters`);
  return value;
}

/** Checks a request body against CONTRACT §8; throws a 400 {@linkcode JobError} naming the field. */
export function validateJobSpec(body: unknown): JobSpec {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new JobError(400, "body: must be a JSON object", "body");
  }
  const b = body as Record<string, unknown>;
  const schedule = text(b.schedule, "schedule", 200) ?? bad("schedule", "is required");
  const tz = text(b.tz, "tz", 64);
  const prompt = text(b.prompt, "prompt", 16_000);
  const recipe = text(b.recipe, "recipe", 20);
  if (recipe !== undefined && recipe !== "investigate" && recipe !== "analyze") {
    bad("recipe", "must be investigate or analyze");
  }
  if ((prompt === undefined) === (recipe === undefined)) {
    bad("prompt", "give exactly one of prompt or recipe");
  }
  const notify = text(b.notify, "notify", 80);
  if (notify !== undefined && !TARGET.test(notify)) {
    bad("notify", "must be telegram:<id>, discord:<id> or slack:<id>");
  }
  if (b.catchup !== undefined && typeof b.catchup !== "boolean") {
    bad("catchup", "must be true or false");
  }
  return {
    schedule,
    ...(tz ? { tz } : {}),
    ...(prompt ? { prompt } : {}),
    ...(recipe ? { recipe: recipe as "investigate" | "analyze" } : {}),
    ...(notify ? { notify } : {}),
    ...(b.catchup === undefined ? {} : { catchup: b.catchup as boolean }),
  };
}

/** Builds the {@linkcode JobManager}. */
export function createJobManager(options: JobManagerOptions): JobManager {
  const { store, submit } = options;
  const now = options.now ?? Date.now;
  const graceMs = options.graceMs ?? 60_000;
  const rescanMs = options.rescanMs ?? 15_000;
  const logger = options.logger ?? silentLogger;
  const schedules = new Map<string, Schedule>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let ticking: Promise<void> | undefined;

  function scheduleOf(job: JobRecord): Schedule {
    const key = `${job.tz}\n${job.schedule}`;
    let parsed = schedules.get(key);
    if (!parsed) schedules.set(key, parsed = parseSchedule(job.schedule, job.tz));
    return parsed;
  }

  async function list(): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    for (const key of await store.keys(PREFIX)) {
      const job = await store.get<JobRecord>(key);
      if (job && typeof job.job_id === "string") out.push(job);
    }
    return out.sort((a, b) =>
      a.created_at.localeCompare(b.created_at) || a.job_id.localeCompare(b.job_id)
    );
  }

  async function get(id: string): Promise<JobRecord | null> {
    return ID.test(id) ? await store.get<JobRecord>(PREFIX + id) : null;
  }

  async function must(id: string): Promise<JobRecord> {
    const job = await get(id);
    if (!job) throw new JobError(404, `Cannot find job ${id.slice(0, 40)}`);
    return job;
  }

  async function queue(job: JobRecord): Promise<string> {
    const task = await submit(job);
    if (!task) throw new JobError(503, `Cannot run job ${job.job_id}: the task queue is full`);
    await store.update<JobRecord>(
      PREFIX + job.job_id,
      (cur) => cur ? { ...cur, last_task_id: task.task_id } : undefined,
    );
    return task.task_id;
  }

  /** Claims one due time of `seen`; resolves the updated record when this process won. */
  async function claimDue(seen: JobRecord, t: number): Promise<JobRecord | undefined> {
    const due = seen.next_ms!;
    const missed = t - due > graceMs;
    const skip = missed && !seen.catchup;
    const next = scheduleOf(seen).following(due, t);
    const claim = randomHex(16);
    const updated = await store.update<JobRecord>(
      PREFIX + seen.job_id,
      (cur) =>
        cur?.state === "active" && cur.next_ms === due
          ? {
            ...cur,
            claim,
            next_ms: next,
            next_run: next === null ? null : new Date(next).toISOString(),
            state: next === null ? "done" : "active",
            last_run: new Date(skip ? due : t).toISOString(),
            last_status: skip ? "skipped" : "queued",
          }
          : undefined,
    );
    if (updated?.claim !== claim) return undefined;
    if (skip) {
      logger.info(
        `jobs: job ${seen.job_id} missed ${new Date(due).toISOString()}; skipped (catchup off)`,
      );
      return undefined;
    }
    return updated;
  }

  async function tickOnce(): Promise<void> {
    const t = now();
    for (const job of await list()) {
      if (job.state !== "active" || job.next_ms === null || job.next_ms > t) continue;
      try {
        const won = await claimDue(job, t);
        if (won) await queue(won);
      } catch (error) {
        logger.warn(`jobs: cannot run job ${job.job_id}: ${errorMessage(error)}`);
      }
    }
  }

  function tick(): Promise<void> {
    // One scan at a time per process; a concurrent caller waits for the running one.
    return ticking ??= tickOnce().finally(() => (ticking = undefined));
  }

  async function arm(): Promise<void> {
    if (!running) return;
    let wait = rescanMs;
    try {
      await tick();
      const t = now();
      for (const job of await list()) {
        if (job.state === "active" && job.next_ms !== null) {
          wait = Math.min(wait, Math.max(0, job.next_ms - t));
        }
      }
    } catch (error) {
      logger.warn(`jobs: scheduler scan failed: ${errorMessage(error)}`);
    }
    if (running) timer = setTimeout(() => void arm(), Math.max(wait, 50));
  }

  return {
    async create(spec, createdBy, state = "active") {
      const tz = spec.tz ?? await options.defaultZone();
      let schedule: Schedule;
      try {
        schedule = parseSchedule(spec.schedule, tz);
      } catch (error) {
        if (error instanceof ScheduleError) throw new JobError(400, error.message, error.field);
        throw error;
      }
      const t = now();
      const next = schedule.next(t);
      if (next === null) bad("schedule", "that time has passed");
      const job: JobRecord = {
        job_id: randomHex(8),
        schedule: spec.schedule.trim(),
        tz,
        ...(spec.prompt ? { prompt: spec.prompt } : {}),
        ...(spec.recipe ? { recipe: spec.recipe } : {}),
        ...(spec.notify ? { notify: spec.notify } : {}),
        catchup: spec.catchup ?? true,
        state,
        created_by: createdBy,
        created_at: new Date(t).toISOString(),
        next_run: new Date(next).toISOString(),
        next_ms: next,
      };
      if (!await store.setIfAbsent(PREFIX + job.job_id, job)) {
        throw new Error("Cannot store the job: its id is taken");
      }
      if (running && timer !== undefined) {
        clearTimeout(timer);
        void arm();
      }
      return job;
    },
    list,
    get,
    async remove(id) {
      await must(id);
      await store.remove(PREFIX + id);
    },
    async confirm(id, by) {
      await must(id);
      const t = now();
      const updated = await store.update<JobRecord>(PREFIX + id, (cur) => {
        if (cur?.state !== "proposed") return undefined;
        const next = scheduleOf(cur).next(t);
        return {
          ...cur,
          state: next === null ? "done" : "active",
          confirmed_by: by,
          next_ms: next,
          next_run: next === null ? null : new Date(next).toISOString(),
        };
      });
      if (!updated || updated.confirmed_by !== by || updated.state === "proposed") {
        throw new JobError(409, `Cannot confirm job ${id}: it is not a proposal`);
      }
      return updated;
    },
    async runNow(id) {
      const job = await must(id);
      if (job.state === "proposed") {
        throw new JobError(409, `Cannot run job ${id}: it is a proposal nobody confirmed yet`);
      }
      return await queue(job);
    },
    async finished(id, taskId, status) {
      // The last run to finish wins; a run's own id is kept for `GET /tasks/:id`.
      await store.update<JobRecord>(
        PREFIX + id,
        (cur) => cur ? { ...cur, last_status: status, last_task_id: taskId } : undefined,
      );
    },
    tick,
    start() {
      if (running) return;
      running = true;
      void arm();
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await ticking;
    },
  };
}
