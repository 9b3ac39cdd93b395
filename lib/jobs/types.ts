/**
 * Job and watch records (CONTRACT §8), as kept in the StateStore.
 * @module
 */

/** Built-in recipes a job may run instead of a prompt. */
export type JobRecipe = "investigate" | "analyze";

/** `active` runs on schedule; `proposed` waits for a person's confirm; `done` had its one run. */
export type JobState = "active" | "proposed" | "done";

/** What a caller asks for (`POST /jobs`, `job_propose`, `mikroclaw jobs add`). */
export interface JobSpec {
  schedule: string;
  /** IANA zone; default: the router's, else `TZ`, else UTC. */
  tz?: string | undefined;
  prompt?: string | undefined;
  recipe?: JobRecipe | undefined;
  /** `telegram:<id>`, `discord:<id>` or `slack:<id>`; unset = the result is only stored. */
  notify?: string | undefined;
  /** Run once on start when a due time passed while MikroClaw was down. @default {true} */
  catchup?: boolean | undefined;
}

/** A stored job. */
export interface JobRecord {
  job_id: string;
  schedule: string;
  tz: string;
  prompt?: string;
  recipe?: JobRecipe;
  notify?: string;
  catchup: boolean;
  state: JobState;
  /** Who created (or, for a proposal, whose conversation proposed) it; its runs run as them. */
  created_by: string;
  created_at: string;
  confirmed_by?: string;
  /** Next due time: ISO and epoch ms; `null` when there is none. */
  next_run: string | null;
  next_ms: number | null;
  last_run?: string;
  /** `queued`, then the run's outcome; `skipped` for a missed run with `catchup: false`. */
  last_status?: "queued" | "complete" | "failed" | "skipped";
  last_task_id?: string;
  /** Nonce of the scheduler that claimed the last due time. */
  claim?: string;
}

/** A job as listings show it. */
export interface JobSummary {
  job_id: string;
  schedule: string;
  tz: string;
  state: JobState;
  next_run: string | null;
  last_run?: string;
  last_status?: string;
  prompt?: string;
  recipe?: JobRecipe;
  notify?: string;
  catchup: boolean;
  created_by: string;
  created_at: string;
}

/** A pushed router event (`POST /watch/events`). */
export interface WatchEvent {
  source: string;
  subject: string;
  status: "down" | "up";
  detail?: string | undefined;
  /** When the condition began (epoch ms), if before the event (a sustained load); not pushed. */
  since_ms?: number | undefined;
}
