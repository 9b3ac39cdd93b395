/**
 * What `mikroclaw changes` and `mikroclaw jobs` print: each runs one action against a running
 * gateway through the lib clients, writes the answer (text or `--json`) and resolves the exit
 * code (0 done, 1 refused, unknown or unreachable).
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import {
  ChangesClientError,
  type ChangesClientOptions,
  createChangesClient,
} from "../lib/changes/client.ts";
import type { ChangeRecord } from "../lib/changes/types.ts";
import { createJobsClient } from "../lib/jobs/client.ts";
import type { JobSpec, JobSummary } from "../lib/jobs/types.ts";

/** Where a gateway command writes. */
export interface GatewayCommandOutput {
  /** Output (stdout). */
  write: (text: string) => void;
  /** Errors (stderr). */
  writeError: (text: string) => void;
}

/**
 * Writes to the process's stdout and stderr, one line per call, the way `print` and the logger
 * do (through `console`), so lines on one stream keep their order on every runtime.
 */
export const processOutput: GatewayCommandOutput = {
  write: (text) => console.log(text.endsWith("\n") ? text.slice(0, -1) : text),
  writeError: (text) => console.error(text.endsWith("\n") ? text.slice(0, -1) : text),
};

/** What `mikroclaw changes` was asked. */
export interface ChangesCommand extends ChangesClientOptions, GatewayCommandOutput {
  action: "list" | "show" | "approve" | "deny" | "confirm" | "revert";
  id?: string | undefined;
  json?: boolean | undefined;
  force?: boolean | undefined;
}

/** What `mikroclaw jobs` was asked. */
export interface JobsCommand extends ChangesClientOptions, GatewayCommandOutput {
  action: "list" | "add" | "remove" | "run" | "confirm";
  id?: string | undefined;
  /** `add`: the job. */
  spec?: JobSpec | undefined;
  json?: boolean | undefined;
}

/**
 * Runs `action` and resolves 0, or writes "Cannot <verb> <what>: <reason>" and resolves 1
 * (the one error path of every gateway command).
 */
async function exitCode(
  command: GatewayCommandOutput & { action: string; id?: string | undefined },
  noun: string,
  action: () => Promise<void>,
): Promise<number> {
  try {
    await action();
    return 0;
  } catch (error) {
    const what = command.id ? ` ${noun} ${command.id}` : ` ${noun}s`;
    command.writeError(`Cannot ${command.action}${what}: ${errorMessage(error)}`);
    return 1;
  }
}

function showRecord(r: ChangeRecord): string {
  const lines = [
    `change ${r.change_id}: ${r.state}`,
    `command: ${r.command}`,
    `requested by ${r.requested_by} at ${r.created_at}`,
  ];
  if (r.approved_by) lines.push(`approved by ${r.approved_by}`);
  if (r.decided_by) lines.push(`decided by ${r.decided_by}`);
  if (r.error) lines.push(`error: ${r.error}`);
  if (r.diff) lines.push("", r.diff);
  return lines.join("\n");
}

/** Runs one `changes` action; resolves the exit code. */
export function runChangesCommand(command: ChangesCommand): Promise<number> {
  return exitCode(command, "change", async () => {
    const client = createChangesClient(command);
    if (command.action === "list") {
      const rows = await client.list();
      if (command.json) command.write(JSON.stringify(rows, null, 2));
      else if (rows.length === 0) command.write("no change records");
      else {
        for (const r of rows) {
          command.write(
            `${r.change_id}  ${
              r.state.padEnd(9)
            }  ${r.created_at}  ${r.requested_by}  ${r.command}`,
          );
        }
      }
      return;
    }
    if (!command.id) {
      throw new ChangesClientError(`changes ${command.action} needs a change id`, 400);
    }
    const record = command.action === "revert"
      ? await client.revert(command.id, command.force === true)
      : await client[command.action](command.id);
    command.write(command.json ? JSON.stringify(record, null, 2) : showRecord(record));
  });
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

/** The answer of one jobs action and how it reads as text. */
async function jobsAction(command: JobsCommand): Promise<{ data: unknown; text: string }> {
  const client = createJobsClient(command);
  const id = command.id ?? "";
  switch (command.action) {
    case "list": {
      const rows = await client.list();
      return { data: rows, text: rows.length === 0 ? "no jobs" : rows.map(formatJob).join("\n") };
    }
    case "add": {
      const job = await client.add(command.spec!);
      return { data: job, text: `job ${job.job_id} added\n${formatJob(job)}` };
    }
    case "remove":
      return { data: await client.remove(id), text: `job ${id} removed` };
    case "run": {
      const { task_id } = await client.run(id);
      return {
        data: { task_id },
        text: `job ${id} queued as task ${task_id} (GET /tasks/${task_id})`,
      };
    }
    case "confirm": {
      const job = await client.confirm(id);
      return { data: job, text: `job ${job.job_id} confirmed\n${formatJob(job)}` };
    }
  }
}

/** Runs one `jobs` action; resolves the exit code. */
export function runJobsCommand(command: JobsCommand): Promise<number> {
  return exitCode(command, "job", async () => {
    const { data, text } = await jobsAction(command);
    command.write(command.json ? JSON.stringify(data, null, 2) : text);
  });
}
