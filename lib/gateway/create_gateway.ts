/**
 * `createGateway`: the HTTP face of the agent (CONTRACT §4) as a Web-standard fetch handler.
 *
 * Every request passes, in order: Host check (DNS rebinding) -> client identity -> body size
 * limit -> rate limit -> Origin check -> bearer auth -> validation -> handler. All state except the rate-limit
 * buckets lives in the shared StateStore, so gateways on one Redis act as one.
 * @module
 */
import { Hono } from "hono/tiny";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConfigError, errorMessage } from "../errors.ts";
import { type Logger, silentLogger } from "../_internal/logger.ts";
import { VERSION } from "../version.ts";
import { agentTaskHandlers } from "./_agent_tasks.ts";
import { createHealthMonitor, healthReport } from "./_health.ts";
import { fail, gatewayGuard, readJson, tooLarge } from "./_middleware.ts";
import { isLoopbackHost, parseCidr } from "./_net.ts";
import { createPairing } from "./_pairing.ts";
import { createHostCheck } from "./host_guard.ts";
import { createRateLimiter } from "./_rate_limit.ts";
import { parseTaskBody } from "./_schemas.ts";
import { createTaskQueue, type TaskRecord } from "./_tasks.ts";
import type { Gateway, GatewayEnv, GatewayOptions } from "./types.ts";
import { jsonError } from "../_internal/json_error.ts";

const DAY_MS = 24 * 60 * 60_000;

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot create gateway: ${name} must be a positive integer, got ${n}`);
  }
  return n;
}

/** A task as `GET /tasks` lists it (`GET /tasks/:id` adds `result` / `error`). */
function taskSummary(t: TaskRecord) {
  return { task_id: t.task_id, type: t.type, status: t.status, created_at: t.created_at };
}

/**
 * Creates the gateway. Throws `ConfigError` when pairing is off on a non-loopback bind,
 * `TypeError` / `RangeError` for bad options.
 *
 * @example
 * ```ts ignore
 * const gateway = createGateway({ agent, store });
 * await gateway.start();
 * console.log(`pairing code: ${gateway.pairingCode()}`);
 * serve({ fetch: gateway.fetch, hostname: "127.0.0.1", port: 18789 });
 * ```
 */
export function createGateway(options: GatewayOptions): Gateway {
  return createGatewayApp(options).gateway;
}

/**
 * {@linkcode createGateway} with its Hono app, for the runtime to add the routes of optional
 * parts (changes, MCP, OpenAI, jobs, console) behind the same middleware. Internal: the public
 * `Gateway` is a fetch handler and a lifecycle, not a router.
 */
export function createGatewayApp(
  options: GatewayOptions,
): { gateway: Gateway; app: Hono<GatewayEnv> } {
  const { agent, store } = options;
  const now = options.now ?? Date.now;
  const logger: Logger = options.logger ?? silentLogger;
  const pairingRequired = options.pairingRequired ?? true;
  const bindHost = options.bindHost ?? "127.0.0.1";
  if (!pairingRequired && !isLoopbackHost(bindHost)) {
    throw new ConfigError([{
      key: "PAIRING_REQUIRED",
      message: `cannot be 0 while the gateway listens on the non-loopback address ${
        JSON.stringify(bindHost)
      } (GATEWAY_BIND or --host): anyone who reaches it could drive the agent; keep pairing on (PAIRING_REQUIRED=1) or listen on loopback (GATEWAY_BIND=127.0.0.1)`,
    }]);
  }
  const trusted = (options.trustedProxies ?? []).map(parseCidr);
  const maxBody = positiveInt("maxBodyBytes", options.maxBodyBytes, 1024 * 1024);
  const tokenTtlMs = positiveInt("tokenTtlMs", options.tokenTtlMs, 30 * DAY_MS);
  const clientAddress = options.clientAddress ??
    ((request: Request) => (request as { ip?: string }).ip);
  const startedAt = now();

  const limiter = createRateLimiter({
    rps: options.rateLimit?.rps ?? 10,
    burst: options.rateLimit?.burst ?? 40,
    maxClients: positiveInt("rateLimit.maxClients", options.rateLimit?.maxClients, 10_000),
    now,
  });
  const pairing = createPairing({
    store,
    now,
    logger,
    tokenTtlMs,
    codeTtlMs: positiveInt("pairingCodeTtlMs", options.pairingCodeTtlMs, 600_000),
    maxCodeAttempts: positiveInt("pairingMaxAttempts", options.pairingMaxAttempts, 20),
    lockoutThreshold: positiveInt("pairingLockoutThreshold", options.pairingLockoutThreshold, 5),
  });
  const tasks = createTaskQueue({
    store,
    handlers: { ...agentTaskHandlers(agent), ...options.tasks },
    concurrency: positiveInt("taskConcurrency", options.taskConcurrency, 4),
    queueLimit: positiveInt("taskQueueLimit", options.taskQueueLimit, 100),
    retentionMs: positiveInt("taskRetentionMs", options.taskRetentionMs, 60 * 60_000),
    timeoutMs: positiveInt("taskTimeoutMs", options.taskTimeoutMs, 5 * 60_000),
    pollMs: positiveInt("taskPollMs", options.taskPollMs, 1000),
    cancelPollMs: positiveInt("taskCancelPollMs", options.taskCancelPollMs, 250),
    drainMs: positiveInt("taskDrainMs", options.taskDrainMs, 10_000),
    now,
    logger,
  });
  const health = options.healthMonitor ?? createHealthMonitor({
    source: options.health ?? {},
    intervalMs: positiveInt("healthIntervalMs", options.healthIntervalMs, 30_000),
    timeoutMs: positiveInt("healthTimeoutMs", options.healthTimeoutMs, 5000),
    now,
    logger,
  });
  const webhooks = options.webhooks ?? [];
  const isWebhook = (method: string, path: string) =>
    method === "POST" && webhooks.some((w) => w.path === path);

  function isOpen(method: string, path: string): boolean {
    if (method === "GET" || method === "HEAD") {
      // The web console's page and assets are public; its API calls carry the bearer token.
      return path === "/health" || path === "/health/heartbeat" || path === "/" ||
        path === "/console" || path.startsWith("/console/");
    }
    return (method === "POST" && path === "/pair") || isWebhook(method, path);
  }

  const app = new Hono<GatewayEnv>();
  app.use(gatewayGuard({
    checkHost: createHostCheck({ bindHost, allowedHosts: options.allowedHosts ?? [] }),
    // Declared webhooks verify their own signature, and a tunnel gives them its own name.
    hostExempt: isWebhook,
    clientAddress,
    trusted,
    maxBody,
    limiter,
    pairing,
    pairingRequired,
    isOpen,
  }));

  app.onError((error, c) => {
    if (c.get("bodyTooLarge")) return tooLarge(maxBody);
    if (error instanceof HTTPException) return error.getResponse();
    logger.error(`gateway: ${c.req.method} ${c.req.path} failed: ${errorMessage(error)}`);
    return jsonError(500, "E_INTERNAL", "Internal error");
  });
  app.notFound(() => jsonError(404, "E_NOT_FOUND", "Not found"));

  function requester(c: Context<GatewayEnv>): string {
    return `gateway:${c.get("tokenId") ?? "local"}`;
  }

  app.get("/health/heartbeat", (c) => c.json({ heartbeat: "ok" }));

  app.get("/health", (c) => {
    const snap = health.snapshot();
    const body: Record<string, unknown> = healthReport(snap);
    if (c.get("tokenId") !== undefined) {
      body.uptime_s = Math.floor((now() - startedAt) / 1000);
      body.version = VERSION;
      body.checked_at = snap.checkedAt === 0 ? null : new Date(snap.checkedAt).toISOString();
    }
    return c.json(body);
  });

  app.post("/pair", async (c) => {
    const code = c.req.header("x-pairing-code");
    if (code === undefined || code.trim() === "") {
      fail(400, "E_BAD_REQUEST", "X-Pairing-Code: header is required");
    }
    const result = await pairing.pair(code.trim().slice(0, 64), c.get("client"));
    if (result.ok) {
      logger.info(`gateway: paired a client (token id ${result.id})`);
      // token_id names this device in ROUTEROS_APPROVERS (gateway:<token_id>) and in records.
      return c.json({ paired: true, token: result.token, token_id: result.id });
    }
    if (result.status === 429) {
      fail(429, "E_LOCKED_OUT", "Too many failed pairing attempts; try again later", {
        "Retry-After": String(result.retryAfterS ?? 60),
      });
    }
    logger.warn(`gateway: failed pairing attempt from ${c.get("client")}`);
    fail(403, "E_FORBIDDEN", "Wrong, used or expired pairing code");
  });

  app.delete("/pair", async (c) => {
    const token = c.get("token");
    if (token === undefined) fail(401, "E_UNAUTHORIZED", "No bearer token to revoke");
    await pairing.revoke(token);
    logger.info(`gateway: token ${c.get("tokenId")} revoked by its holder`);
    return c.json({ revoked: true });
  });

  app.post("/pair/codes", async (c) => {
    // The new device's token joins the minter's family: it can never approve the minter's
    // router changes (see lib/_internal/token_lineage.ts).
    const code = await pairing.issueCode(c.get("tokenId"));
    if (code === undefined) {
      fail(
        403,
        "E_FORBIDDEN",
        "Cannot mint a pairing code: this token's chain of minted tokens is too long; pair with an operator's code",
      );
    }
    return c.json({ code, expires_in: Math.floor(pairing.codeTtlMs / 1000) }, 201);
  });

  app.post("/tasks", async (c) => {
    const parsed = parseTaskBody(await readJson(c));
    if (!parsed.ok) fail(400, "E_BAD_REQUEST", parsed.message);
    const rec = await tasks.submit(parsed.value, requester(c));
    if (!rec) fail(503, "E_QUEUE_FULL", "Task queue is full; try again later");
    return c.json({ task_id: rec.task_id, status: "queued" }, 202);
  });

  app.get("/tasks", async (c) => {
    const list = await tasks.list();
    return c.json(list.map(taskSummary));
  });

  app.get("/tasks/:id", async (c) => {
    const t = await tasks.get(c.req.param("id"));
    if (!t) fail(404, "E_NOT_FOUND", "Unknown task");
    return c.json({
      ...taskSummary(t),
      ...(t.result === undefined ? {} : { result: t.result }),
      ...(t.error === undefined ? {} : { error: t.error }),
    });
  });

  app.delete("/tasks/:id", async (c) => {
    const outcome = await tasks.cancel(c.req.param("id"));
    if (outcome === "unknown") fail(404, "E_NOT_FOUND", "Unknown task");
    if (outcome === "finished") fail(409, "E_CONFLICT", "Task already finished");
    return c.json({ status: "cancelled" });
  });

  app.post("/chat", async (c) => await (await import("./_chat.ts")).chat(c, agent));

  app.get("/openapi.json", async (c) => c.json((await import("./_openapi.ts")).openApiDocument()));

  for (const webhook of webhooks) app.post(webhook.path, (c) => webhook.handle(c.req.raw));

  let started = false;
  let startupCode: { code: string; expiresAt: number } | undefined;
  let sweepTimer: ReturnType<typeof setInterval> | undefined;

  const gateway: Gateway = {
    fetch: async (request) => await app.fetch(request),
    pairingCode() {
      return startupCode && startupCode.expiresAt > now() ? startupCode.code : undefined;
    },
    issuePairingCode: async () => (await pairing.issueCode())!,
    async start() {
      if (started) return;
      started = true;
      if (pairingRequired) {
        startupCode = { code: (await pairing.issueCode())!, expiresAt: now() + pairing.codeTtlMs };
      }
      tasks.start();
      health.start();
      sweepTimer = setInterval(() => {
        pairing.sweep().catch((e) => logger.warn(`gateway: sweep failed: ${errorMessage(e)}`));
      }, 5 * 60_000);
    },
    async stop() {
      if (sweepTimer !== undefined) clearInterval(sweepTimer);
      sweepTimer = undefined;
      health.stop();
      await tasks.stop();
      started = false;
    },
    submitTask: (task, requestedBy) => tasks.submit(task, requestedBy),
    revokeAllTokens: async () => {
      const n = await pairing.revokeAll();
      logger.info(`gateway: revoked ${n} token(s)`);
      return n;
    },
  };
  return { gateway, app };
}
