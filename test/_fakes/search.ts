/**
 * Fakes of the web search services (PROTOCOLS §10.1–10.3): Brave, Tavily and SearXNG in one
 * hono app, each on its own path prefix, recording every request.
 * @module
 */
import { Hono } from "hono";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";

/** One recorded request. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

/** A scripted failure for the next request of one service. */
export interface ScriptedFailure {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The running fake. */
export interface SearchFake {
  server: LocalServer;
  /** `${url}/brave/res/v1` — pass as the Brave base URL. */
  braveBase: string;
  /** `${url}/tavily` — pass as the Tavily base URL. */
  tavilyBase: string;
  /** `${url}/searxng` — pass as SEARXNG_URL. */
  searxngBase: string;
  requests: RecordedRequest[];
  /** Queue a failure for the next request to `service`. */
  failNext(service: "brave" | "tavily" | "searxng", failure: ScriptedFailure): void;
  /** Results every service returns (title, url, snippet), overridable. */
  results: { title: string; url: string; snippet: string }[];
  /** SearXNG refuses JSON (403) unless true, like a default instance. */
  searxngJson: boolean;
  close(): Promise<void>;
}

/** Starts the search fake with the valid keys given. */
export async function startSearchFake(
  keys: { brave: string; tavily: string },
): Promise<SearchFake> {
  const failures = new Map<string, ScriptedFailure[]>();
  const fake = {
    requests: [] as RecordedRequest[],
    results: [
      {
        title: "REST API - RouterOS",
        url: "https://help.mikrotik.com/docs/display/ROS/REST+API",
        snippet: "The REST API lets you <b>manage</b> RouterOS.",
      },
      {
        title: "Container",
        url: "https://help.mikrotik.com/docs/display/ROS/Container",
        snippet: "Containers on RouterOS.",
      },
    ],
    searxngJson: true,
  };
  const app = new Hono();
  app.use("*", async (c, next) => {
    fake.requests.push({
      method: c.req.method,
      path: c.req.path,
      query: c.req.query(),
      headers: Object.fromEntries(c.req.raw.headers),
      body: await c.req.raw.clone().text(),
    });
    const service = c.req.path.split("/")[1]!;
    const failure = failures.get(service)?.shift();
    if (failure) {
      return c.json(failure.body as object, failure.status as 400, failure.headers ?? {});
    }
    await next();
  });
  app.get("/brave/res/v1/web/search", (c) => {
    if (c.req.header("x-subscription-token") !== keys.brave) {
      return c.json({
        type: "ErrorResponse",
        error: {
          id: "e1",
          status: 422,
          code: "SUBSCRIPTION_TOKEN_INVALID",
          detail: "The provided subscription token is invalid.",
          meta: {},
        },
        time: 1,
      }, 422);
    }
    const count = Number(c.req.query("count") ?? 20);
    return c.json(
      {
        type: "search",
        query: { original: c.req.query("q"), show_strict_warning: false },
        web: {
          type: "search",
          family_friendly: true,
          results: fake.results.slice(0, count).map((r) => ({
            title: r.title,
            url: r.url,
            description: r.snippet,
            language: "en",
            profile: { name: "MikroTik" },
          })),
        },
        mixed: { type: "mixed", main: [] },
      },
      200,
      { "X-RateLimit-Limit": "1, 15000", "X-RateLimit-Remaining": "0, 14000" },
    );
  });
  app.post("/tavily/search", async (c) => {
    const body = await c.req.json<Record<string, unknown>>();
    const auth = c.req.header("authorization");
    if (auth !== `Bearer ${keys.tavily}` && body.api_key !== keys.tavily) {
      return c.json({ detail: { error: "Unauthorized: missing or invalid API key." } }, 401);
    }
    return c.json({
      query: body.query,
      answer: null,
      images: [],
      follow_up_questions: null,
      response_time: 1.67,
      results: fake.results.slice(0, Number(body.max_results ?? 5)).map((r) => ({
        title: r.title,
        url: r.url,
        content: r.snippet,
        score: 0.8,
        raw_content: null,
      })),
    });
  });
  app.get("/searxng/search", (c) => {
    if (c.req.query("format") !== "json" || !fake.searxngJson) {
      return c.text("Forbidden", 403);
    }
    return c.json({
      query: c.req.query("q"),
      number_of_results: 0,
      results: fake.results.map((r) => ({
        url: r.url,
        title: r.title,
        content: r.snippet,
        engine: "duckduckgo",
        engines: ["duckduckgo"],
        score: 1,
        category: "general",
      })),
      answers: [],
      corrections: [],
      infoboxes: [],
      suggestions: [],
      unresponsive_engines: [["google", "timeout"]],
    });
  });
  const server = await serveLocal(app.fetch);
  return Object.assign(fake, {
    server,
    braveBase: `${server.url}/brave/res/v1`,
    tavilyBase: `${server.url}/tavily`,
    searxngBase: `${server.url}/searxng`,
    failNext(service: string, failure: ScriptedFailure) {
      const list = failures.get(service) ?? [];
      list.push(failure);
      failures.set(service, list);
    },
    close: () => server.close(),
  });
}
