/**
 * `createJobRoutes`: `GET/POST /jobs`, `GET/DELETE /jobs/:id`, `POST /jobs/:id/run`,
 * `POST /jobs/:id/confirm` and `POST /watch/events` (CONTRACT §8) as a Hono app. The gateway
 * mounts it behind its bearer auth and passes the caller as `env.requester`
 * (`gateway:<token id>`).
 * @module
 */
import { Hono } from "hono";
import { errorMessage } from "../errors.ts";
import { JobError, type JobManager, jobSummary, validateJobSpec } from "./create_job_manager.ts";
import type { Watch } from "./watch.ts";
import type { WatchEvent } from "./types.ts";
import { jsonError } from "../_internal/json_error.ts";

/** What the routes read from `fetch(request, env)`. */
export interface JobRoutesEnv {
  Bindings: { requester: string };
}

function fail(status: number, code: string, message: string): Response {
  return jsonError(status, code, message);
}

async function body(request: Request): Promise<unknown> {
  const text = await request.text();
  try {
    return text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new JobError(400, "body: malformed JSON", "body");
  }
}

function printable(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= max &&
    !/\p{Cc}/u.test(value);
}

/** Checks a `POST /watch/events` body; throws a 400 {@linkcode JobError} naming the field. */
export function validateWatchEvent(input: unknown): WatchEvent {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new JobError(400, "body: must be a JSON object", "body");
  }
  const b = input as Record<string, unknown>;
  if (typeof b.source !== "string" || !/^[A-Za-z0-9_.-]{1,32}$/.test(b.source)) {
    throw new JobError(
      400,
      "source: must be a word such as netwatch ([A-Za-z0-9_.-], at most 32)",
      "source",
    );
  }
  if (!printable(b.subject, 128)) {
    throw new JobError(
      400,
      "subject: must be a host or interface name (1-128 characters)",
      "subject",
    );
  }
  if (b.status !== "down" && b.status !== "up") {
    throw new JobError(400, 'status: must be "down" or "up"', "status");
  }
  if (b.detail !== undefined && !printable(b.detail, 500)) {
    throw new JobError(400, "detail: must be a single line of at most 500 characters", "detail");
  }
  return {
    source: b.source,
    subject: b.subject,
    status: b.status,
    ...(b.detail === undefined ? {} : { detail: b.detail as string }),
  };
}

/** The routes over `jobs` and `watch`. */
export function createJobRoutes(jobs: JobManager, watch: Watch): Hono<JobRoutesEnv> {
  const app = new Hono<JobRoutesEnv>();
  app.onError((error) => {
    if (error instanceof JobError) {
      const code = error.status === 400
        ? "E_BAD_REQUEST"
        : error.status === 404
        ? "E_NOT_FOUND"
        : error.status === 409
        ? "E_CONFLICT"
        : "E_QUEUE_FULL";
      return fail(error.status, code, error.message);
    }
    return fail(500, "E_INTERNAL", `Cannot handle the request: ${errorMessage(error)}`);
  });
  app.get("/jobs", async (c) => c.json((await jobs.list()).map(jobSummary)));
  app.post("/jobs", async (c) => {
    const spec = validateJobSpec(await body(c.req.raw));
    return c.json(jobSummary(await jobs.create(spec, c.env.requester)), 201);
  });
  app.get("/jobs/:id", async (c) => {
    const job = await jobs.get(c.req.param("id"));
    if (!job) throw new JobError(404, `Cannot find job ${c.req.param("id").slice(0, 40)}`);
    return c.json(jobSummary(job));
  });
  app.delete("/jobs/:id", async (c) => {
    await jobs.remove(c.req.param("id"));
    return c.json({ job_id: c.req.param("id"), deleted: true });
  });
  app.post("/jobs/:id/run", async (c) => {
    return c.json({ task_id: await jobs.runNow(c.req.param("id")) }, 202);
  });
  app.post("/jobs/:id/confirm", async (c) => {
    return c.json(jobSummary(await jobs.confirm(c.req.param("id"), c.env.requester)));
  });
  app.post("/watch/events", async (c) => {
    const event = validateWatchEvent(await body(c.req.raw));
    return c.json({ accepted: true, outcome: await watch.event(event) }, 202);
  });
  app.notFound(() => fail(404, "E_NOT_FOUND", "Not found"));
  return app;
}
