/**
 * Request schemas (valibot, private) and the parsers the routes use; `_openapi.ts` documents them.
 * @module
 */
import * as v from "valibot";
import type { TaskType } from "./types.ts";

/** The task types of `POST /tasks`. */
export const TASK_TYPES: readonly TaskType[] = [
  "agent",
  "investigate",
  "analyze",
  "summarize",
  "skill_invoke",
] as const;

const Text = v.pipe(
  v.string("must be a string"),
  v.minLength(1, "must not be empty"),
  v.maxLength(100_000, "must be at most 100000 characters"),
);
// v.record() would turn an array into an object; refuse arrays outright.
const Params = v.custom<Record<string, unknown>>(
  (value) => value !== null && typeof value === "object" && !Array.isArray(value),
  "must be an object",
);
const SkillName = v.pipe(
  v.string("must be a string"),
  v.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, "must be a skill name ([a-z0-9_-], at most 64)"),
);

const TaskBody = v.variant("type", [
  v.object({ type: v.literal("agent"), input: Text }),
  v.object({ type: v.literal("summarize"), input: Text }),
  v.object({ type: v.literal("investigate"), input: v.optional(Text), params: v.optional(Params) }),
  v.object({ type: v.literal("analyze"), input: v.optional(Text), params: v.optional(Params) }),
  v.object({
    type: v.literal("skill_invoke"),
    skill: SkillName,
    input: v.optional(Text),
    params: v.optional(Params),
  }),
], `must be one of ${TASK_TYPES.join(", ")}`);

const ChatBody = v.object({
  input: Text,
  session: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.regex(/^[A-Za-z0-9._-]{1,128}$/, "must match [A-Za-z0-9._-]{1,128}"),
    ),
    "default",
  ),
});

/** A parsed `POST /tasks` body. */
export interface TaskBodyOutput {
  type: TaskType;
  input?: string;
  skill?: string;
  params?: Record<string, unknown>;
}

/** Parse outcome: the value, or a message naming the bad field. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function describe(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  if (!issue) return "Invalid body";
  const path = issue.path?.map((p) => String(p.key)).join(".");
  if (!path) return `body: must be a JSON object (${issue.message})`;
  return `${path}: ${issue.message}`;
}

function parseWith<T>(schema: v.GenericSchema<unknown, T>, input: unknown): Parsed<T> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { ok: false, message: "body: must be a JSON object" };
  }
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  return result.success
    ? { ok: true, value: result.output }
    : { ok: false, message: describe(result.issues) };
}

/** Validates a `POST /tasks` body. */
export function parseTaskBody(input: unknown): Parsed<TaskBodyOutput> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { ok: false, message: "body: must be a JSON object" };
  }
  if (!("type" in input)) {
    return { ok: false, message: `type: is required (one of ${TASK_TYPES.join(", ")})` };
  }
  return parseWith(TaskBody as v.GenericSchema<unknown, TaskBodyOutput>, input);
}

/** Validates a `POST /chat` body. */
export function parseChatBody(input: unknown): Parsed<{ input: string; session: string }> {
  return parseWith(ChatBody, input);
}

/** The request schemas, for the OpenAPI document. */
export function requestSchemas(): { task: v.GenericSchema; chat: v.GenericSchema } {
  return { task: TaskBody, chat: ChatBody };
}
