/**
 * `createChangeRoutes`: the gateway's `/changes` routes (CONTRACT §6) as a Hono sub-app. Mount
 * it behind bearer auth: `app.route("/changes", createChangeRoutes(manager))`. The caller's
 * identity is `requester(c)`; by default the context variable `requester` if set, else
 * `gateway:<tokenId>` from the context variable `tokenId` the gateway's auth sets
 * (`gateway:local` when pairing is off).
 * @module
 */
import { type Context, Hono } from "hono";
import { errorMessage, isAgentError } from "../errors.ts";
import { ChangeError } from "./change_error.ts";
import type { ChangeManager } from "./manager_types.ts";
import type { ChangeSummary } from "./types.ts";
import { jsonError } from "../_internal/json_error.ts";

/** Context variables the routes read (set by the gateway's auth middleware). */
export interface ChangeRoutesEnv {
  Variables: {
    tokenId?: string | undefined;
    requester?: string | undefined;
  };
}

/** Options of {@linkcode createChangeRoutes}. */
export interface ChangeRoutesOptions {
  /** The caller's identity, e.g. `gateway:<token id>`. */
  requester?: ((c: Context) => string) | undefined;
}

function fail(status: 400 | 403 | 404 | 409 | 500, code: string, message: string): Response {
  return jsonError(status, code, message);
}

function toResponse(error: unknown): Response {
  if (error instanceof ChangeError) {
    const code = error.kind === "not_found"
      ? "E_NOT_FOUND"
      : error.kind === "forbidden"
      ? "E_FORBIDDEN"
      : "E_CONFLICT";
    return fail(error.status, code, error.message);
  }
  if (isAgentError(error)) return fail(500, error.code, errorMessage(error));
  return fail(500, "E_INTERNAL", "Internal error");
}

function defaultRequester(c: Context): string {
  const requester = c.get("requester") as string | undefined;
  if (typeof requester === "string" && requester) return requester;
  const tokenId = c.get("tokenId") as string | undefined;
  return `gateway:${tokenId ?? "local"}`;
}

/** The `/changes` sub-app: list, show, approve, deny, confirm, revert. */
export function createChangeRoutes(
  manager: ChangeManager,
  options: ChangeRoutesOptions = {},
): Hono<ChangeRoutesEnv> {
  const requester = options.requester ?? defaultRequester;
  const app = new Hono<ChangeRoutesEnv>();
  app.get("/", async () => {
    const rows: ChangeSummary[] = (await manager.list()).map((r) => ({
      change_id: r.change_id,
      state: r.state,
      command: r.command,
      requested_by: r.requested_by,
      created_at: r.created_at,
    }));
    return Response.json(rows);
  });
  app.get("/:id", async (c) => {
    const record = await manager.get(c.req.param("id"));
    if (!record) {
      return fail(404, "E_NOT_FOUND", `Cannot find change ${c.req.param("id").slice(0, 40)}`);
    }
    const { claim: _claim, rev: _rev, ...rest } = record;
    return Response.json(rest);
  });
  for (const action of ["approve", "deny", "confirm"] as const) {
    app.post(`/:id/${action}`, async (c) => {
      try {
        const record = await manager[action](c.req.param("id"), requester(c));
        const { claim: _claim, rev: _rev, ...rest } = record;
        return Response.json(rest);
      } catch (error) {
        return toResponse(error);
      }
    });
  }
  app.post("/:id/revert", async (c) => {
    let force = false;
    const text = await c.req.text();
    if (text.trim() !== "") {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return fail(400, "E_BAD_REQUEST", "Cannot read the body: not JSON");
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        return fail(400, "E_BAD_REQUEST", 'Cannot read the body: expected {"force":true}');
      }
      const value = (body as Record<string, unknown>).force;
      if (value !== undefined && typeof value !== "boolean") {
        return fail(400, "E_BAD_REQUEST", "Cannot read the body: force must be true or false");
      }
      force = value === true;
    }
    try {
      const record = await manager.revert(c.req.param("id"), { by: requester(c), force });
      const { claim: _claim, rev: _rev, ...rest } = record;
      return Response.json(rest);
    } catch (error) {
      return toResponse(error);
    }
  });
  return app;
}
