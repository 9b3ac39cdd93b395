/**
 * `createJobsClient`: the scheduled jobs of a running gateway (CONTRACT §8), over the same
 * gateway call as the changes client. Returns data and throws `ChangesClientError`; what
 * `mikroclaw jobs` prints lives in `cli/`.
 * @module
 */
import { type ChangesClientOptions, createGatewayCall } from "../changes/client.ts";
import type { JobSpec, JobSummary } from "./types.ts";

/** The client. */
export interface JobsClient {
  /** Every job. */
  list(): Promise<JobSummary[]>;
  /** Adds a job; resolves it as stored. */
  add(spec: JobSpec): Promise<JobSummary>;
  /** Removes a job; resolves the gateway's answer. */
  remove(id: string): Promise<unknown>;
  /** Runs a job now; resolves the queued task's id. */
  run(id: string): Promise<{ task_id: string }>;
  /** Confirms a job the agent proposed. */
  confirm(id: string): Promise<JobSummary>;
}

/** Builds the client; throws `TypeError` for a URL that is not http(s). */
export function createJobsClient(options: ChangesClientOptions = {}): JobsClient {
  const call = createGatewayCall(options);
  const one = (id: string): string => `/jobs/${encodeURIComponent(id)}`;
  return {
    list: () => call("GET", "/jobs"),
    add: (spec) => call("POST", "/jobs", spec),
    remove: (id) => call("DELETE", one(id)),
    run: (id) => call("POST", `${one(id)}/run`),
    confirm: (id) => call("POST", `${one(id)}/confirm`),
  };
}
