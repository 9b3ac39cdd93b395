/**
 * `runJobsCommand`: what `mikroclaw jobs [list|add|remove|run|confirm]` does against a running
 * gateway (CONTRACT §8), over the same gateway call as `mikroclaw changes`.
 * @module
 */
import { errorMessage } from "../errors.ts";
import { type ChangesClientOptions, createGatewayCall } from "../changes/client.ts";
import type { JobSpec, JobSummary } from "./types.ts";

/** What `mikroclaw jobs` was asked. */
export interface JobsCommand extends ChangesClientOptions {
  action: "list" | "add" | "remove" | "run" | "confirm";
  id?: string | undefined;
  /** `add`: the job. */
  spec?: JobSpec | undefined;
  json?: boolean | undefined;
  /** Output (stdout). */
  write: (text: string) => void;
  /** Errors (stderr). */
  writeError: (text: string) => void;
}

/** One line per job: id, state, schedule, zone, next and last run. */
export function formatJob(job: JobSummary): string {
  const what = job.prompt !== undefined ? `prompt: ${job.prompt}` : `recipe: ${job.recipe}`;
  return [
    job.job_id,
    job.state.padEnd(8),
    `"${job.schedule}"`,
    `tz=${job.tz}`,
    `next=${job.next_run ?? "-"}`,
    `last=${job.last_run ? `${job.last_run} ${job.last_status ?? ""}`.trim() : "-"}`,
    ...(job.notify ? [`notify=${job.notify}`] : []),
    what.length > 60 ? `${what.slice(0, 59)}…` : what,
  ].join("  ");
}

/** Runs one `jobs` action; resolves the exit code (0 done, 1 refused, unknown or unreachable). */
export async function runJobsCommand(command: JobsCommand): Promise<number> {
  try {
    const call = createGatewayCall(command);
    const path = command.id ? `/jobs/${encodeURIComponent(command.id)}` : "/jobs";
    let out: unknown;
    if (command.action === "list") {
      const rows = await call<JobSummary[]>("GET", "/jobs");
      out = rows;
      if (!command.json) {
        command.write(rows.length === 0 ? "no jobs" : rows.map(formatJob).join("\n"));
        return 0;
      }
    } else if (command.action === "add") {
      const job = await call<JobSummary>("POST", "/jobs", command.spec);
      out = job;
      if (!command.json) {
        command.write(`job ${job.job_id} added\n${formatJob(job)}`);
        return 0;
      }
    } else if (command.action === "remove") {
      out = await call("DELETE", path);
      if (!command.json) {
        command.write(`job ${command.id} removed`);
        return 0;
      }
    } else if (command.action === "run") {
      const { task_id } = await call<{ task_id: string }>("POST", `${path}/run`);
      out = { task_id };
      if (!command.json) {
        command.write(`job ${command.id} queued as task ${task_id} (GET /tasks/${task_id})`);
        return 0;
      }
    } else {
      const job = await call<JobSummary>("POST", `${path}/confirm`);
      out = job;
      if (!command.json) {
        command.write(`job ${job.job_id} confirmed\n${formatJob(job)}`);
        return 0;
      }
    }
    command.write(JSON.stringify(out, null, 2));
    return 0;
  } catch (error) {
    command.writeError(
      `Cannot ${command.action}${command.id ? ` job ${command.id}` : " jobs"}: ${
        errorMessage(error)
      }`,
    );
    return 1;
  }
}
