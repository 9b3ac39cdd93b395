/**
 * The `job_propose` tool: the model may propose a scheduled job, never create one — the job is
 * stored `proposed` and runs only after a person confirms it (CONTRACT §8).
 * @module
 */
import * as v from "valibot";
import { defineTool } from "./define_tool.ts";
import type { Tool } from "./types.ts";

/** Options of {@linkcode jobProposeTool}. */
export interface JobProposeToolOptions {
  /** Stores the proposal as `requestedBy`; resolves the text for the model. */
  propose(args: Record<string, unknown>, requestedBy: string): Promise<string>;
}

const Optional = v.optional(v.pipe(v.string(), v.maxLength(4000)));

/** `job_propose` {schedule, tz?, prompt? | recipe?, notify?}. */
export function jobProposeTool(options: JobProposeToolOptions): Tool {
  return defineTool({
    name: "job_propose",
    description:
      'Propose a scheduled job for a person to confirm. schedule: 5-field cron, "every 15m" or "at <ISO time>"; prompt or recipe; notify: e.g. telegram:<id>',
    input: v.object({
      schedule: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
      tz: Optional,
      prompt: Optional,
      recipe: v.optional(v.picklist(["investigate", "analyze"])),
      notify: Optional,
    }),
    effect: "write",
    run: (input, context) => options.propose(input, context.requestedBy),
  });
}
