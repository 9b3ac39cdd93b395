/**
 * The gateway's OpenAPI 3.1 document, generated from the same valibot schemas the routes
 * validate with (loaded on the first `GET /openapi.json`).
 * @module
 */
import * as v from "valibot";
import { jsonSchemaOf as schema } from "../tools/define_tool.ts";
import { VERSION } from "../version.ts";
import { requestSchemas, TASK_TYPES } from "./_schemas.ts";

const { task: TaskBody, chat: ChatBody } = requestSchemas();
const ErrorBody = v.object({
  error: v.object({ code: v.string(), message: v.string() }),
});
const Health = v.object({
  status: v.picklist(["ok", "degraded"]),
  components: v.object({
    llm: v.boolean(),
    gateway: v.literal(true),
    routeros: v.boolean(),
    memu: v.boolean(),
  }),
  uptime_s: v.optional(v.number()),
  version: v.optional(v.string()),
  checked_at: v.optional(v.nullable(v.string())),
});
const Heartbeat = v.object({ heartbeat: v.literal("ok") });
const Paired = v.object({ paired: v.literal(true), token: v.string(), token_id: v.string() });
const Revoked = v.object({ revoked: v.literal(true) });
const PairCode = v.object({ code: v.pipe(v.string(), v.regex(/^\d{6}$/)), expires_in: v.number() });
const Status = v.picklist(["queued", "running", "complete", "failed", "cancelled"]);
const TaskCreated = v.object({ task_id: v.string(), status: v.literal("queued") });
const AnyTaskType = v.picklist([...TASK_TYPES, "job"]);
const TaskSummary = v.object({
  task_id: v.string(),
  type: AnyTaskType,
  status: Status,
  created_at: v.string(),
});
const TaskDetail = v.object({
  task_id: v.string(),
  type: AnyTaskType,
  status: Status,
  created_at: v.string(),
  result: v.optional(v.unknown()),
  error: v.optional(v.string()),
});
const Cancelled = v.object({ status: v.literal("cancelled") });
const Target = v.pipe(v.string(), v.regex(/^(?:telegram|discord|slack):[A-Za-z0-9_-]{1,64}$/));
const JobBody = v.object({
  schedule: v.pipe(
    v.string(),
    v.description('5-field cron ("0 8 * * 1"), "every <N>s|m|h" or "at <ISO date-time>"'),
  ),
  tz: v.optional(v.pipe(v.string(), v.description("IANA zone; default the router's, else TZ"))),
  prompt: v.optional(v.string()),
  recipe: v.optional(v.picklist(["investigate", "analyze"])),
  notify: v.optional(Target),
  catchup: v.optional(v.pipe(v.boolean(), v.description("run a missed due time once on start"))),
});
const Job = v.object({
  job_id: v.string(),
  schedule: v.string(),
  tz: v.string(),
  state: v.picklist(["active", "proposed", "done"]),
  next_run: v.nullable(v.string()),
  last_run: v.optional(v.string()),
  last_status: v.optional(v.picklist(["queued", "complete", "failed", "skipped"])),
  prompt: v.optional(v.string()),
  recipe: v.optional(v.picklist(["investigate", "analyze"])),
  notify: v.optional(Target),
  catchup: v.boolean(),
  created_by: v.string(),
  created_at: v.string(),
});
const JobRun = v.object({ task_id: v.string() });
const JobDeleted = v.object({ job_id: v.string(), deleted: v.literal(true) });
const WatchEvent = v.object({
  source: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,32}$/)),
  subject: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  status: v.picklist(["down", "up"]),
  detail: v.optional(v.pipe(v.string(), v.maxLength(500))),
});
const WatchAccepted = v.object({
  accepted: v.literal(true),
  outcome: v.picklist(["alerted", "repeat", "resolved", "held", "dropped", "ignored"]),
});
const ChatReply = v.object({
  reply: v.string(),
  session: v.string(),
  stop_reason: v.picklist(["stop", "step-limit", "error", "aborted"]),
  steps: v.number(),
  tool_calls: v.number(),
});

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of the gateway, generated from the schemas above. */
export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const json = (name: string, description: string) => ({
    description,
    content: { "application/json": { schema: ref(name) } },
  });
  const err = (description: string) => json("Error", description);
  const common = {
    "400": err("Invalid request; the message names the field"),
    "401": err("Missing, bad or expired bearer token"),
    "403": err("Cross-origin browser request"),
    "413": err("Body over the size limit"),
    "429": {
      ...err("Rate limited or locked out"),
      headers: { "Retry-After": { schema: { type: "integer" } } },
    },
  };
  const open = { security: [] };
  cached = {
    openapi: "3.1.0",
    info: { title: "MikroClaw gateway", version: VERSION },
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "A token from POST /pair (256-bit, base64url)",
        },
      },
      schemas: {
        Error: schema(ErrorBody),
        Health: schema(Health),
        Heartbeat: schema(Heartbeat),
        Paired: schema(Paired),
        Revoked: schema(Revoked),
        PairCode: schema(PairCode),
        TaskBody: schema(TaskBody),
        TaskCreated: schema(TaskCreated),
        TaskSummary: schema(TaskSummary),
        TaskDetail: schema(TaskDetail),
        Cancelled: schema(Cancelled),
        ChatBody: schema(ChatBody),
        ChatReply: schema(ChatReply),
        JobBody: schema(JobBody),
        Job: schema(Job),
        JobRun: schema(JobRun),
        JobDeleted: schema(JobDeleted),
        WatchEvent: schema(WatchEvent),
        WatchAccepted: schema(WatchAccepted),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      "/health": {
        get: {
          ...open,
          summary: "Component health (cached probes); uptime and version when authenticated",
          responses: { "200": json("Health", "Health"), "429": common["429"] },
        },
      },
      "/health/heartbeat": {
        get: { ...open, summary: "Liveness", responses: { "200": json("Heartbeat", "Alive") } },
      },
      "/pair": {
        post: {
          ...open,
          summary: "Trade a one-time pairing code (header X-Pairing-Code) for a bearer token",
          parameters: [{
            name: "X-Pairing-Code",
            in: "header",
            required: true,
            schema: { type: "string", pattern: "^\\d{6}$" },
          }],
          responses: {
            "200": json("Paired", "Paired"),
            "400": common["400"],
            "403": err("Wrong, used or expired code"),
            "429": common["429"],
          },
        },
        delete: {
          summary: "Revoke the caller's token",
          responses: { "200": json("Revoked", "Revoked"), "401": common["401"] },
        },
      },
      "/pair/codes": {
        post: {
          summary:
            "Mint a one-time pairing code for another device (its token joins the caller's family: it can never approve the caller's router changes)",
          responses: {
            "201": json("PairCode", "A new code"),
            "401": common["401"],
            "403": err("The caller's chain of minted tokens is too long"),
          },
        },
      },
      "/tasks": {
        get: {
          summary: "List tasks",
          responses: {
            "200": {
              description: "Tasks, oldest first",
              content: {
                "application/json": { schema: { type: "array", items: ref("TaskSummary") } },
              },
            },
            "401": common["401"],
          },
        },
        post: {
          summary: "Queue a task",
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("TaskBody") } },
          },
          responses: {
            "202": json("TaskCreated", "Queued"),
            ...common,
            "503": err("Queue full"),
          },
        },
      },
      "/tasks/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        get: {
          summary: "One task",
          responses: {
            "200": json("TaskDetail", "The task"),
            "401": common["401"],
            "404": err("Unknown task"),
          },
        },
        delete: {
          summary: "Cancel a task (its handler's AbortSignal is aborted)",
          responses: {
            "200": json("Cancelled", "Cancelled"),
            "401": common["401"],
            "404": err("Unknown task"),
            "409": err("Already finished"),
          },
        },
      },
      "/chat": {
        post: {
          summary: "One agent turn; JSON, or SSE with Accept: text/event-stream",
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("ChatBody") } },
          },
          responses: {
            "200": {
              description: "The reply (JSON) or a stream of agent events (SSE, ending with `done`)",
              content: {
                "application/json": { schema: ref("ChatReply") },
                "text/event-stream": { schema: { type: "string" } },
              },
            },
            ...common,
            "502": err("The LLM provider failed"),
          },
        },
      },
      "/jobs": {
        get: {
          summary: "Scheduled jobs, each with its time zone and next run",
          responses: {
            "200": {
              description: "Jobs, oldest first",
              content: { "application/json": { schema: { type: "array", items: ref("Job") } } },
            },
            "401": common["401"],
          },
        },
        post: {
          summary: "Add a job that runs as the caller (exactly one of prompt or recipe)",
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("JobBody") } },
          },
          responses: { "201": json("Job", "Added"), ...common },
        },
      },
      "/jobs/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        get: {
          summary: "One job",
          responses: {
            "200": json("Job", "The job"),
            "401": common["401"],
            "404": err("Unknown job"),
          },
        },
        delete: {
          summary: "Remove a job",
          responses: {
            "200": json("JobDeleted", "Removed"),
            "401": common["401"],
            "404": err("Unknown job"),
          },
        },
      },
      "/jobs/{id}/run": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        post: {
          summary: "Run a job now as a task of type job (GET /tasks shows it)",
          responses: {
            "202": json("JobRun", "Queued"),
            "401": common["401"],
            "404": err("Unknown job"),
            "409": err("A proposal nobody confirmed yet"),
            "503": err("Queue full"),
          },
        },
      },
      "/jobs/{id}/confirm": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        post: {
          summary: "Confirm a job the model proposed (job_propose); it then runs on schedule",
          responses: {
            "200": json("Job", "Confirmed"),
            "401": common["401"],
            "404": err("Unknown job"),
            "409": err("Not a proposal"),
          },
        },
      },
      "/watch/events": {
        post: {
          summary:
            "A router event (netwatch): the first down alerts ALERT_TO once, repeats within WATCH_DEDUPE do not, the next up sends a resolved message",
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref("WatchEvent") } },
          },
          responses: { "202": json("WatchAccepted", "Accepted"), ...common },
        },
      },
      "/openapi.json": {
        get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } },
      },
      "/channels/telegram/webhook": {
        post: {
          ...open,
          summary: "Telegram webhook (X-Telegram-Bot-Api-Secret-Token)",
          responses: {
            "200": { description: "Accepted" },
            "401": err("Bad secret"),
            "404": err("Not configured"),
          },
        },
      },
      "/channels/slack/events": {
        post: {
          ...open,
          summary: "Slack Events API (signing secret v0)",
          responses: {
            "200": { description: "Accepted" },
            "401": err("Bad signature"),
            "404": err("Not configured"),
          },
        },
      },
      "/channels/discord/interactions": {
        post: {
          ...open,
          summary: "Discord interactions (Ed25519)",
          responses: {
            "200": { description: "Accepted" },
            "401": err("Bad signature"),
            "404": err("Not configured"),
          },
        },
      },
    },
  };
  return cached;
}
