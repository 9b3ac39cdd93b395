/**
 * `createJobsService`: jobs and watches as one part — the job manager and its scheduler, the
 * `job` task handler (a run as its creator: a prompt for the agent or a recipe, the result sent
 * to the job's `notify` target), the watch with its alert recipients and quiet hours, the
 * router poller, the routes, chat `/jobs` and the proposal flow (`job_propose` stores a
 * `proposed` job; a person confirms it with a button, `/jobs confirm <id>` or
 * `POST /jobs/:id/confirm`). Loaded only when a job or a watch exists or a route is used.
 * @module
 */
import type { Hono } from "hono";
import { errorMessage } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import type { Config } from "../config/types.ts";
import type { StateStore } from "../storage/types.ts";
import type { RouterOS } from "../routeros/types.ts";
import type { Agent } from "../agent/types.ts";
import type { TaskHandler, TaskHandlers, TaskInfo } from "../gateway/types.ts";
import { createJobManager, type JobManager, validateJobSpec } from "./create_job_manager.ts";
import { createWatch, type Watch } from "./watch.ts";
import { createRouterPoller } from "./poll.ts";
import { createJobRoutes, type JobRoutesEnv } from "./routes.ts";
import { formatInZone, processTimeZone } from "./schedule.ts";
import { randomHex } from "../gateway/_crypto.ts";
import { sanitizeUntrusted, wrapToolOutput } from "../agent/untrusted.ts";
import type { JobRecord } from "./types.ts";

/** A chat button: label, press payload, style. */
export interface JobButton {
  text: string;
  data: string;
  style?: "primary" | "danger";
}

/** Options of {@linkcode createJobsService}. */
export interface JobsServiceOptions {
  config: Config;
  store: StateStore;
  router: RouterOS | undefined;
  /** Queues a task as `requestedBy` (the gateway's queue). */
  submitTask: (
    task: { type: "job"; input?: string; params?: Record<string, unknown> },
    requestedBy: string,
  ) => Promise<{ task_id: string } | undefined>;
  /** Sends a message to `telegram:<id>` etc.; never throws. */
  send: (to: string, text: string, buttons?: JobButton[]) => Promise<void>;
  /** The agent a prompt job asks (as the job's creator, in a session of its own). */
  agent: () => Agent;
  /** The task handlers whose `investigate` / `analyze` a recipe job runs. */
  recipes: () => TaskHandlers;
  logger: Logger;
  /** @default {Date.now} */
  now?: () => number;
}

/** The service. */
export interface JobsService {
  readonly jobs: JobManager;
  readonly watch: Watch;
  readonly routes: Hono<JobRoutesEnv>;
  /** The `job` task handler. */
  runJob: TaskHandler;
  /** Answers `/jobs …` typed in a chat; `undefined` for other text. */
  chatCommand(text: string, sender: string): Promise<string | undefined>;
  /** A `jobconfirm:` / `jobdiscard:` button press; `undefined` for other buttons. */
  button(data: string, by: string): Promise<string | undefined>;
  /** `job_propose`: stores a proposal and asks its proposer to confirm it. */
  propose(args: unknown, requestedBy: string): Promise<string>;
  start(): void;
  stop(): Promise<void>;
}

/** Settings of jobs and watches, read from the configuration. */
export interface WatchSettings {
  alertTo: string[];
  dedupeMs: number;
  quietHours: string[];
  quietMode: "hold" | "drop";
  pollMs: number;
  cpuPercent: number;
  memoryPercent: number;
  sustainMs: number;
  loginFailures: number;
  diskPercent: number;
  firewallPackets: number;
  explain: boolean;
}

/** The jobs' view of `config.watch` (the `ALERT_*` / `WATCH_*` settings), in milliseconds. */
export function watchSettings(config: Config): WatchSettings {
  const w = config.watch;
  return {
    alertTo: [...w.alertTo],
    dedupeMs: w.dedupeSeconds * 1000,
    quietHours: [...w.quietHours],
    quietMode: w.quietMode,
    pollMs: w.pollSeconds * 1000,
    cpuPercent: w.cpuPercent,
    memoryPercent: w.memoryPercent,
    sustainMs: w.sustainSeconds * 1000,
    loginFailures: w.loginFailures,
    diskPercent: w.diskPercent,
    firewallPackets: w.firewallPackets,
    explain: w.explain,
  };
}

/** `ALERT_TO`, else `ROUTEROS_APPROVERS`, else every allowlisted sender (`*` cannot be alerted). */
export function alertRecipients(config: Config, alertTo: readonly string[]): string[] {
  if (alertTo.length > 0) return [...alertTo];
  if (config.router.approvers.length > 0) return [...config.router.approvers];
  const out: string[] = [];
  for (const name of ["telegram", "discord", "slack"] as const) {
    const c = config.channels[name];
    if (c.botToken && !c.allowlist.all) out.push(...c.allowlist.ids.map((id) => `${name}:${id}`));
  }
  return out;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

function what(job: JobRecord): string {
  return job.prompt ? `prompt "${clip(job.prompt, 80)}"` : `recipe ${job.recipe}`;
}

/** Builds the {@linkcode JobsService}. */
export function createJobsService(options: JobsServiceOptions): JobsService {
  const { config, store, router, send, logger } = options;
  const now = options.now ?? Date.now;
  const settings = watchSettings(config);
  const recipients = alertRecipients(config, settings.alertTo);

  let routerZone: string | undefined;
  async function zone(): Promise<string> {
    if (routerZone) return routerZone;
    if (router) {
      try {
        const clock = await router.get<Record<string, string>>("/system/clock", undefined, {
          signal: AbortSignal.timeout(5000),
        });
        const name = clock["time-zone-name"];
        if (name && name !== "manual") return routerZone = name;
      } catch (error) {
        logger.warn(`jobs: cannot read the router's time zone, using TZ: ${errorMessage(error)}`);
      }
    }
    return processTimeZone();
  }

  const jobs = createJobManager({
    store,
    now,
    logger,
    defaultZone: zone,
    submit: (job) =>
      options.submitTask(
        { type: "job", input: job.prompt ?? job.recipe ?? "", params: { job_id: job.job_id } },
        job.created_by,
      ),
  });
  const polling = new AbortController();
  const explaining = new Set<Promise<void>>();

  /**
   * `ALERT_EXPLAIN`: one agent turn on the sent alert, fenced as untrusted data; its answer
   * (sanitised) follows as a second message. A failure only logs: the alert is already out.
   */
  async function explain(alert: string): Promise<void> {
    const agent = options.agent();
    const sessionKey = `watch:explain:${randomHex(6)}`;
    try {
      const result = await agent.run({
        input: "A router watch just sent the owner the alert below. In a few sentences, explain " +
          "what it likely means and what to check. Only read; change nothing on the router.\n" +
          wrapToolOutput("watch_alert", alert),
        sessionKey,
        requestedBy: "watch:explain",
        signal: AbortSignal.any([polling.signal, AbortSignal.timeout(120_000)]),
      });
      const text = sanitizeUntrusted(result.text).trim();
      if (result.stopReason !== "stop" || !text) {
        throw new Error(`the model gave no answer (${result.stopReason})`);
      }
      const about = clip(alert.split("\n")[0]!, 120);
      await Promise.all(
        recipients.map((to) =>
          send(to, clip(`About "${about}" (the model's view):\n${text}`, 3800))
        ),
      );
    } catch (error) {
      logger.warn(`watch: cannot explain an alert: ${clip(errorMessage(error), 300)}`);
    } finally {
      agent.reset(sessionKey);
    }
  }

  const watch = createWatch({
    onAlert: settings.explain
      ? (text: string) => {
        const run = explain(text).finally(() => explaining.delete(run));
        explaining.add(run);
      }
      : undefined,
    store,
    send: (to, text) => send(to, text),
    recipients,
    zone,
    now,
    logger,
    dedupeMs: settings.dedupeMs,
    quietHours: settings.quietHours,
    quietMode: settings.quietMode,
  });
  const poller = router
    ? createRouterPoller({ router, watch, now, logger, ...settings })
    : undefined;

  async function ask(prompt: string, task: TaskInfo, signal: AbortSignal): Promise<string> {
    const agent = options.agent();
    const sessionKey = `${task.requested_by}:task:${task.task_id}`;
    try {
      return (await agent.run({
        input: prompt,
        sessionKey,
        requestedBy: task.requested_by,
        signal,
      }))
        .text;
    } finally {
      agent.reset(sessionKey);
    }
  }

  const runJob: TaskHandler = async (task, { signal }) => {
    const id = String(task.params?.job_id ?? "");
    const job = await jobs.get(id);
    if (!job) throw new Error(`Cannot run job ${id.slice(0, 40)}: it was removed`);
    let status: "complete" | "failed" = "failed";
    try {
      let result: string;
      if (job.prompt) result = await ask(job.prompt, task, signal);
      else {
        const handler = options.recipes()[job.recipe!];
        if (!handler) throw new Error(`Cannot run recipe ${job.recipe}: not configured`);
        const out = await handler({ ...task, type: job.recipe!, input: "" }, { signal });
        result = typeof out === "string" ? out : JSON.stringify(out, null, 2);
      }
      status = "complete";
      if (job.notify) {
        await send(
          job.notify,
          clip(`Job ${job.job_id} (${job.schedule}, ${job.tz}):\n${result}`, 3800),
        );
      }
      return result;
    } catch (error) {
      if (job.notify) {
        await send(job.notify, `Job ${job.job_id} failed: ${clip(errorMessage(error), 500)}`);
      }
      throw error;
    } finally {
      await jobs.finished(job.job_id, task.task_id, status).catch(() => {});
    }
  };

  function line(job: JobRecord): string {
    const next = job.next_ms === null ? "no next run" : `next ${formatInZone(job.next_ms, job.tz)}`;
    const last = job.last_status ? `, last ${job.last_status}` : "";
    return `${job.job_id} ${job.state} "${job.schedule}" (${job.tz}) ${next}${last}: ${what(job)}${
      job.notify ? ` -> ${job.notify}` : ""
    }`;
  }

  async function confirm(id: string, by: string): Promise<string> {
    try {
      const job = await jobs.confirm(id, by);
      return `Job ${job.job_id} confirmed: ${line(job)}`;
    } catch (error) {
      return errorMessage(error);
    }
  }

  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let flushTimer: ReturnType<typeof setInterval> | undefined;

  return {
    jobs,
    watch,
    routes: createJobRoutes(jobs, watch),
    runJob,
    async chatCommand(text, sender) {
      const words = text.trim().split(/\s+/);
      if (words[0] !== "/jobs") return undefined;
      if (words[1] === "confirm" && words[2]) return await confirm(words[2], sender);
      if (words[1] !== undefined && words[1] !== "list") {
        return "Usage: /jobs (list) or /jobs confirm <id>";
      }
      const list = await jobs.list();
      return list.length === 0 ? "No jobs." : list.map(line).join("\n");
    },
    async button(data, by) {
      const m = /^job(confirm|discard):([0-9a-f]{16})$/.exec(data);
      if (!m) return undefined;
      if (m[1] === "confirm") return await confirm(m[2]!, by);
      const job = await jobs.get(m[2]!);
      if (job?.state !== "proposed") return `Job ${m[2]} is not a proposal`;
      await jobs.remove(m[2]!);
      return `Proposed job ${m[2]} discarded`;
    },
    async propose(args, requestedBy) {
      const job = await jobs.create(validateJobSpec(args), requestedBy, "proposed");
      const text = `Proposed job ${job.job_id}: "${job.schedule}" (${job.tz}), ${what(job)}${
        job.notify ? `, results to ${job.notify}` : ""
      }. It runs only after a person confirms it.`;
      await send(requestedBy, text, [
        { text: "Confirm", data: `jobconfirm:${job.job_id}`, style: "primary" },
        { text: "Discard", data: `jobdiscard:${job.job_id}`, style: "danger" },
      ]);
      return `${text} Ask the user to press Confirm, type /jobs confirm ${job.job_id}, or call POST /jobs/${job.job_id}/confirm.`;
    },
    start() {
      jobs.start();
      flushTimer ??= setInterval(() => void watch.flush(), 60_000);
      if (poller && settings.pollMs > 0 && recipients.length > 0 && pollTimer === undefined) {
        pollTimer = setInterval(() => void poller.poll(polling.signal), settings.pollMs);
      }
    },
    async stop() {
      polling.abort();
      if (pollTimer !== undefined) clearInterval(pollTimer);
      if (flushTimer !== undefined) clearInterval(flushTimer);
      pollTimer = flushTimer = undefined;
      await Promise.all([jobs.stop(), ...explaining]);
    },
  };
}
