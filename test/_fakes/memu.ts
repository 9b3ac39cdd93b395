/**
 * A local fake of memU cloud API v3 (PROTOCOLS §8.1): Bearer auth, memorize as an async task
 * (PENDING -> PROCESSING -> SUCCESS after N status polls, memories visible only then) that,
 * like memU, keeps not the conversation but items extracted from it — one per sentence of the
 * user's messages, rephrased ("The user said: …") — unless `extract: "verbatim"`;
 * retrieve scoped by user_id/agent_id with keyword ranking, categories, delete by scope,
 * FastAPI-style 422s, and scripted failures (401/429/5xx, per route).
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";

/** A scripted answer replacing the next request to a route. */
export interface ScriptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

interface Memory {
  user_id: string;
  agent_id: string;
  content: string;
  id: string;
}

interface Task {
  polls: number;
  status: "PENDING" | "PROCESSING" | "SUCCESS" | "FAILED";
  memories: Memory[];
}

/** A running fake memU. */
export interface FakeMemu extends LocalServer {
  /** Every request, in order. */
  requests: RecordedRequest[];
  /** Committed memories. */
  memories: Memory[];
  /** Queue answers for a route: `memorize`, `status`, `retrieve`, `categories`, `delete`. */
  script(route: string, ...responses: ScriptedResponse[]): void;
  /** Make the next memorize tasks end FAILED. */
  failTasks(on: boolean): void;
  /** Drops every scripted answer not used yet. */
  clearScripts(): void;
}

/** Options of {@linkcode startFakeMemu}. */
export interface FakeMemuOptions {
  apiKey?: string;
  /** @default {"/api/v3/memory"} */
  prefix?: string;
  /** Status polls before a task succeeds. @default {2} */
  pollsToComplete?: number;
  /**
   * What memorize keeps: `items` splits the user's messages into sentences and rephrases each
   * (as memU's extraction does); `verbatim` keeps their text as one item. @default {"items"}
   */
  extract?: "items" | "verbatim";
}

/** memU-like extraction: one rephrased item per sentence or line of the user's text. */
function extractItems(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter(Boolean)
    .map((s) => `The user said: ${s}`);
}

/** Starts the fake on 127.0.0.1. */
export async function startFakeMemu(
  options: FakeMemuOptions = {},
): Promise<FakeMemu> {
  const apiKey = options.apiKey ?? "mu-test-key";
  const prefix = options.prefix ?? "/api/v3/memory";
  const pollsToComplete = options.pollsToComplete ?? 2;
  const extract = options.extract ?? "items";
  const requests: RecordedRequest[] = [];
  const memories: Memory[] = [];
  const tasks = new Map<string, Task>();
  const scripts = new Map<string, ScriptedResponse[]>();
  let failing = false;
  let nextId = 1;

  const app = new Hono();

  function scripted(c: Context, route: string): Response | undefined {
    const next = scripts.get(route)?.shift();
    if (!next) return undefined;
    return c.json(
      next.body ?? { detail: "scripted" },
      next.status as 200,
      next.headers,
    );
  }

  function missing(body: Record<string, unknown>, fields: string[]): unknown[] {
    return fields.filter((f) => typeof body[f] !== "string" || body[f] === "")
      .map((f) => ({
        loc: ["body", f],
        msg: "field required",
        type: "value_error.missing",
      }));
  }

  app.use("*", async (c, next) => {
    let body: unknown = null;
    const text = c.req.method === "POST" ? await c.req.text() : "";
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => (headers[key] = value));
    requests.push({ method: c.req.method, path: c.req.path, headers, body });
    c.set("json" as never, body as never);
    if (c.req.header("authorization") !== `Bearer ${apiKey}`) {
      return c.json({ detail: "Invalid API key" }, 401);
    }
    await next();
  });

  const bodyOf = (c: Context) => (c.get("json" as never) ?? {}) as Record<string, unknown>;

  app.post(`${prefix}/memorize`, (c) => {
    const s = scripted(c, "memorize");
    if (s) return s;
    const body = bodyOf(c);
    const issues = missing(body, ["user_id", "agent_id"]);
    const conversation = body.conversation;
    if (
      !Array.isArray(conversation) && typeof body.conversation_text !== "string"
    ) {
      issues.push({
        loc: ["body", "conversation"],
        msg: "field required",
        type: "value_error.missing",
      });
    }
    if (issues.length > 0) return c.json({ detail: issues }, 422);
    const text = Array.isArray(conversation)
      ? conversation.filter((m) => m?.role === "user").map((m) => String(m.content)).join(" ")
      : String(body.conversation_text);
    const taskId = `task_${(nextId++).toString(16).padStart(12, "0")}`;
    tasks.set(taskId, {
      polls: 0,
      status: failing ? "FAILED" : "PENDING",
      memories: (extract === "items" ? extractItems(text) : [text]).map((content) => ({
        user_id: String(body.user_id),
        agent_id: String(body.agent_id),
        content,
        id: `mem_${nextId++}`,
      })),
    });
    return c.json({
      task_id: taskId,
      status: "PENDING",
      message: "Memorization task registered successfully",
    });
  });

  app.get(`${prefix}/memorize/status/:id`, (c) => {
    const s = scripted(c, "status");
    if (s) return s;
    const task = tasks.get(c.req.param("id"));
    if (!task) return c.json({ detail: "Task not found" }, 404);
    if (task.status === "PENDING" || task.status === "PROCESSING") {
      task.polls++;
      if (task.polls >= pollsToComplete) {
        task.status = "SUCCESS";
        memories.push(...task.memories);
      } else task.status = "PROCESSING";
    }
    return c.json({
      task_id: c.req.param("id"),
      status: task.status,
      created_at: "2026-01-01T00:00:00Z",
    });
  });

  app.post(`${prefix}/retrieve`, (c) => {
    const s = scripted(c, "retrieve");
    if (s) return s;
    const body = bodyOf(c);
    const issues = missing(body, ["user_id", "agent_id", "query"]);
    if (issues.length > 0) return c.json({ detail: issues }, 422);
    const words = (t: string) => new Set(t.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean));
    const query = words(String(body.query));
    const scoped = memories.filter((m) =>
      m.user_id === body.user_id && m.agent_id === body.agent_id
    );
    const items = scoped.map((m) => {
      const w = words(m.content);
      let hits = 0;
      for (const q of query) if (w.has(q)) hits++;
      return {
        memory_type: "knowledge",
        content: m.content,
        id: m.id,
        score: hits / Math.max(1, query.size),
      };
    }).filter((i) => i.score > 0);
    items.sort((a, b) => b.score - a.score);
    return c.json({
      rewritten_query: String(body.query),
      categories: [],
      items,
      resources: [],
    });
  });

  app.post(`${prefix}/categories`, (c) => {
    const s = scripted(c, "categories");
    if (s) return s;
    const body = bodyOf(c);
    const issues = missing(body, ["user_id"]);
    if (issues.length > 0) return c.json({ detail: issues }, 422);
    return c.json({ categories: [] });
  });

  app.post(`${prefix}/delete`, (c) => {
    const s = scripted(c, "delete");
    if (s) return s;
    const body = bodyOf(c);
    const issues = missing(body, ["user_id"]);
    if (issues.length > 0) return c.json({ detail: issues }, 422);
    for (let i = memories.length - 1; i >= 0; i--) {
      const m = memories[i]!;
      if (
        m.user_id === body.user_id &&
        (body.agent_id === undefined || m.agent_id === body.agent_id)
      ) {
        memories.splice(i, 1);
      }
    }
    return c.json("Memories deleted successfully");
  });

  app.notFound((c) => c.json({ detail: "Not Found" }, 404));

  const server = await serveLocal(app.fetch);
  return {
    ...server,
    requests,
    memories,
    script(route, ...responses) {
      scripts.set(route, [...(scripts.get(route) ?? []), ...responses]);
    },
    failTasks(on) {
      failing = on;
    },
    clearScripts() {
      scripts.clear();
    },
  };
}
