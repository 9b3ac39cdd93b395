/**
 * Wires jobs and watches (CONTRACT §8) into the runtime without loading them: `/jobs` and
 * `/watch/events` are small lazy routes on the gateway (like `/mcp`), the `job` task handler,
 * chat `/jobs`, the job buttons and `job_propose` import `lib/jobs` on first use, and `start()`
 * loads it only when a job or held alert is stored or a router is configured (polled watches).
 * A gateway without any stays as small as before.
 * @module
 */
import type { Hono } from "hono";
import type { Gateway, GatewayEnv, TaskHandler } from "../gateway/types.ts";
import type { JobsService, JobsServiceOptions } from "../jobs/create_jobs_service.ts";

/** Options of {@linkcode jobsPart}: the service's, with getters for parts built later. */
export interface JobsPartOptions extends Omit<JobsServiceOptions, "submitTask" | "now"> {
  gateway: () => Gateway;
}

/** Jobs and watches, loaded on first use. */
export interface JobsPart {
  /** Adds `/jobs`, `/jobs/*` and `/watch/events` to the gateway's `app`. */
  mount(app: Hono<GatewayEnv>): void;
  /** The `job` task handler. */
  runJob: TaskHandler;
  /** `/jobs …` typed in a chat (`undefined` for other text). */
  chatCommand(text: string, sender: string): Promise<string | undefined>;
  /** A job button press (`undefined` for other buttons). */
  button(data: string, by: string): Promise<string | undefined>;
  /** `job_propose`. */
  propose(args: unknown, requestedBy: string): Promise<string>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the {@linkcode JobsPart}. */
export function jobsPart(options: JobsPartOptions): JobsPart {
  const { store } = options;
  let service: Promise<JobsService> | undefined;
  let started = false;
  let recheck: ReturnType<typeof setInterval> | undefined;
  const load = (): Promise<JobsService> =>
    service ??= import("../jobs/create_jobs_service.ts").then(({ createJobsService }) => {
      const s = createJobsService({
        ...options,
        submitTask: (task, by) => options.gateway().submitTask(task, by),
      });
      if (started) s.start();
      return s;
    });
  const stored = async () =>
    (await store.keys("jobs:")).length > 0 || (await store.keys("watch:held")).length > 0;
  const jobText = (text: string) => /^\s*\/jobs(?:\s|$)/.test(text);

  return {
    mount(app) {
      const route = async (c: { req: { raw: Request }; get(key: "tokenId"): string | undefined }) =>
        (await load()).routes.fetch(c.req.raw, {
          requester: `gateway:${c.get("tokenId") ?? "local"}`,
        });
      app.all("/jobs", route).all("/jobs/*", route).post("/watch/events", route);
    },
    runJob: async (task, context) => (await load()).runJob(task, context),
    chatCommand: async (text, sender) =>
      jobText(text) ? (await load()).chatCommand(text, sender) : undefined,
    button: async (data, by) =>
      data.startsWith("job") ? (await load()).button(data, by) : undefined,
    propose: async (args, requestedBy) => (await load()).propose(args, requestedBy),
    async start() {
      started = true;
      // With a router the polled watches exist (unless WATCH_POLL=0, which the service reads).
      if (options.router || await stored()) {
        (await load()).start();
        return;
      }
      // Only a shared store can get its first job from another gateway (this one's own routes
      // load the service): look again now and then there, and nowhere else.
      if (store.kind !== "redis") return;
      recheck = setInterval(() => {
        stored().then((yes) => {
          if (yes && recheck !== undefined) {
            clearInterval(recheck);
            recheck = undefined;
            void load();
          }
        }, () => {});
      }, 30_000);
    },
    async stop() {
      started = false;
      if (recheck !== undefined) clearInterval(recheck);
      recheck = undefined;
      await (await service)?.stop();
    },
  };
}
