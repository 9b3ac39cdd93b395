/**
 * A local fake of the Composio tool-execution API (PROTOCOLS §9):
 * `POST /api/v3/tools/execute/:slug` with `x-api-key`. Records every request; each tool slug
 * can be scripted (success data, `successful: false`, HTTP errors, redirects, huge or hanging
 * responses). An unknown slug is 404, a wrong or missing key is 401.
 * @module
 */
import { Hono } from "hono";
import { serveLocal } from "../_utils/serve.ts";

/** One recorded request. */
export interface ComposioRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Raw body text. */
  body: string;
}

/** How the fake answers one tool slug. */
export type ComposioBehaviour =
  | { data: unknown }
  | { fail: string }
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { redirect: string }
  | { hugeBytes: number }
  | { hang: true };

/** The running fake. */
export interface FakeComposio {
  /** Base to use as `COMPOSIO_URL`, e.g. `http://127.0.0.1:1234/api/v3`. */
  url: string;
  apiKey: string;
  requests: ComposioRequest[];
  /** Scripts how `slug` answers. */
  on(slug: string, behaviour: ComposioBehaviour): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1. */
export async function startFakeComposio(options: { apiKey?: string } = {}): Promise<FakeComposio> {
  const apiKey = options.apiKey ?? "cmp_test_key_0123456789";
  const requests: ComposioRequest[] = [];
  const behaviours = new Map<string, ComposioBehaviour>();
  const hanging = new Set<() => void>();
  const app = new Hono();

  app.all("*", async (c, next) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => (headers[key] = value));
    requests.push({
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      headers,
      body: await c.req.raw.clone().text(),
    });
    await next();
  });

  app.post("/api/v3/tools/execute/:slug", async (c) => {
    if (c.req.header("x-api-key") !== apiKey) {
      return c.json({ error: { message: "Invalid API key", code: 401 } }, 401);
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: { message: "Body must be JSON" } }, 400);
    }
    const record = body as Record<string, unknown>;
    if (typeof record.arguments !== "object" && typeof record.text !== "string") {
      return c.json({ error: { message: "arguments or text is required" } }, 400);
    }
    const behaviour = behaviours.get(c.req.param("slug"));
    if (!behaviour) {
      return c.json({ error: { message: `Tool ${c.req.param("slug")} not found` } }, 404);
    }
    if ("data" in behaviour) {
      return c.json({ data: behaviour.data, error: null, successful: true, log_id: "log_1" });
    }
    if ("fail" in behaviour) {
      return c.json({ data: {}, error: behaviour.fail, successful: false, log_id: "log_2" });
    }
    if ("redirect" in behaviour) return c.redirect(behaviour.redirect, 302);
    if ("hugeBytes" in behaviour) {
      const filler = "x".repeat(behaviour.hugeBytes);
      return c.json({ data: { filler }, error: null, successful: true });
    }
    if ("hang" in behaviour) {
      // Held until the client goes away or the fake closes.
      await new Promise<void>((resolve) => {
        hanging.add(resolve);
        c.req.raw.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      return c.json({ error: { message: "gone" } }, 499 as 400);
    }
    return new Response(JSON.stringify(behaviour.body), {
      status: behaviour.status,
      headers: { "content-type": "application/json", ...behaviour.headers },
    });
  });

  const server = await serveLocal(app.fetch);
  return {
    url: `${server.url}/api/v3`,
    apiKey,
    requests,
    on(slug: string, behaviour: ComposioBehaviour): void {
      behaviours.set(slug, behaviour);
    },
    async close(): Promise<void> {
      for (const resolve of hanging) resolve();
      await server.close();
    },
  };
}
