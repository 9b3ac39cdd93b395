/**
 * Mounts the web console on the gateway, behind its middleware (rate limit, Origin and Host
 * checks): `GET /` from a browser redirects to `/console/`, which serves the page and its two
 * files. The page and assets need no token; every API call the page makes carries one. The
 * console module loads on the first console request, so a gateway nobody browses never loads it.
 * @module
 */
import type { Hono } from "hono";
import type { GatewayEnv } from "../gateway/types.ts";
import type { ConsoleHandler } from "../console/mod.ts";

/** Adds the console routes to the gateway's `app`; with `enabled: false` they stay 404. */
export function mountConsole(app: Hono<GatewayEnv>, options: { enabled: boolean }): void {
  if (!options.enabled) return;
  let handler: Promise<ConsoleHandler> | undefined;
  app.get("/", async (c, next) => {
    if (!/\btext\/html\b/i.test(c.req.header("accept") ?? "")) return await next();
    return c.redirect("/console/", 302);
  });
  // The gateway's router (hono/tiny) also matches "/console/" here: redirect only the bare path.
  app.get("/console", async (c, next) => {
    if (c.req.path !== "/console") return await next();
    return c.redirect("/console/", 301);
  });
  app.get("/console/*", async (c) => {
    handler ??= import("../console/mod.ts").then((m) => m.createConsole());
    return (await handler).fetch(c.req.raw);
  });
}
