/**
 * `createGateway`: the HTTP face of the agent (CONTRACT §4) as a Web-standard fetch handler.
 *
 * Every request passes, in order: Host check (DNS rebinding) -> client identity -> body size
 * limit -> rate limit -> Origin check -> bearer auth -> validation -> handler. All state except the rate-limit
 * buckets lives in the shared StateStore, so gateways on one Redis act as one.
 * @module
 */
import { Hono } from "hono/tiny";
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConfigError, errorMessage, isAgentError } from "../errors.ts";
import { type Logger, silentLogger } from "../_internal/logger.ts";
import { VERSION } from "../version.ts";
import { createHealthMonitor } from "./_health.ts";
import { isLoopbackHost, parseCidr, resolveClient } from "./_net.ts";
import { createPairing } from "./_pairing.ts";
import { hostGuard } from "./host_guard.ts";
import { createRateLimiter } from "./_rate_limit.ts";
import { parseChatBody, parseTaskBody } from "./_schemas.ts";
import { createTaskQueue } from "./_tasks.ts";
import type { Gateway, GatewayEnv, GatewayOptions, TaskHandlers } from "./types.ts";
import { jsonError } from "../_internal/json_error.ts";

type Ctx = Context<GatewayEnv>;

const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
  "Content-Security-Policy":
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "Cross-Origin-Resource-Policy": "same-origin",
};

const WEBHOOK_PATHS = {
  telegram: "/channels/telegram/webhook",
  slack: "/channels/slack/events",
  discord: "/channels/discord/interactions",
} as const;

const DAY_MS = 24 * 60 * 60_000;

/** Throws an HTTP error that `onError` turns into the JSON error shape. */
function fail(
  status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 502 | 503,
  code: string,
  message: string,
  headers?: Record<string, string>,
): never {
  throw new HTTPException(status, { res: jsonError(status, code, message, headers), message });
}

function tooLarge(max: number): Response {
  return jsonError(413, "E_PAYLOAD_TOO_LARGE", `Request body is larger than ${max} bytes`, {
    Connection: "close",
  });
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot create gateway: ${name} must be a positive integer, got ${n}`);
  }
  return n;
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
  const defaultHandlers: TaskHandlers = {
    async agent(task, { signal }) {
      const sessionKey = `${task.requested_by}:task:${task.task_id}`;
      try {
        const r = await agent.run({
          input: task.input ?? "",
          sessionKey,
          requestedBy: task.requested_by,
          signal,
        });
        return r.text;
      } finally {
        agent.reset(sessionKey);
      }
    },
    async summarize(task, { signal }) {
      const sessionKey = `${task.requested_by}:task:${task.task_id}`;
      try {
        const r = await agent.run({
          input:
            `Summarise the following text concisely. Reply with the summary only.\n\n---\n${task.input}`,
          sessionKey,
          requestedBy: task.requested_by,
          signal,
        });
        return r.text;
      } finally {
        agent.reset(sessionKey);
      }
    },
  };
  const tasks = createTaskQueue({
    store,
    handlers: { ...defaultHandlers, ...options.tasks },
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
  const health = createHealthMonitor({
    source: options.health ?? {},
    intervalMs: positiveInt("healthIntervalMs", options.healthIntervalMs, 30_000),
    timeoutMs: positiveInt("healthTimeoutMs", options.healthTimeoutMs, 5000),
    now,
    logger,
  });
  const webhooks = options.webhooks ?? {};

  function isOpen(method: string, path: string): boolean {
    if (method === "GET" || method === "HEAD") {
      // The web console's page and assets are public; its API calls carry the bearer token.
      return path === "/health" || path === "/health/heartbeat" || path === "/" ||
        path === "/console" || path.startsWith("/console/");
    }
    if (method !== "POST") return false;
    return path === "/pair" || path === WEBHOOK_PATHS.telegram ||
      path === WEBHOOK_PATHS.slack || path === WEBHOOK_PATHS.discord;
  }

  async function readJson(c: Ctx): Promise<unknown> {
    const type = c.req.header("content-type");
    if (type !== undefined && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
      fail(415, "E_UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
    }
    let text: string;
    try {
      text = await c.req.raw.text();
    } catch (error) {
      if (c.get("bodyTooLarge")) throw error;
      fail(400, "E_BAD_REQUEST", "Cannot read the request body");
    }
    if (c.get("bodyTooLarge")) fail(413, "E_PAYLOAD_TOO_LARGE", "Request body too large");
    try {
      return JSON.parse(text);
    } catch {
      fail(400, "E_BAD_REQUEST", "body: malformed JSON");
    }
  }

  const securityHeaders: MiddlewareHandler<GatewayEnv> = async function securityHeaders(c, next) {
    await next();
    // A route may set its own policy (the web console's page needs script-src 'self').
    const missing = Object.entries(SECURITY_HEADERS).filter(([k]) => !c.res.headers.has(k));
    try {
      for (const [k, v] of missing) c.res.headers.set(k, v);
    } catch {
      // Immutable headers (e.g. a fetched Response from a webhook handler): copy once.
      const res = new Response(c.res.body, c.res);
      for (const [k, v] of missing) res.headers.set(k, v);
      c.res = res;
    }
  };

  const identify: MiddlewareHandler<GatewayEnv> = async function identify(c, next) {
    // Read the peer address now: the body limit replaces the Request object below.
    c.set(
      "client",
      resolveClient(
        clientAddress(c.req.raw),
        trusted.length === 0 ? null : (c.req.header("x-forwarded-for") ?? null),
        trusted,
      ),
    );
    c.set("bodyTooLarge", false);
    c.set("tokenId", undefined);
    c.set("token", undefined);
    await next();
  };

  const bodyLimit: MiddlewareHandler<GatewayEnv> = async function bodyLimit(c, next) {
    const raw = c.req.raw;
    const length = raw.headers.get("content-length");
    if (length !== null) {
      if (!/^\s*\d{1,16}\s*$/.test(length)) fail(400, "E_BAD_REQUEST", "Malformed Content-Length");
      if (Number(length) > maxBody) return tooLarge(maxBody);
    }
    if (raw.body) {
      // Count bytes as the handler reads them; never hold more than the limit.
      const reader = raw.body.getReader();
      let size = 0;
      const counted = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            return;
          }
          size += value.byteLength;
          if (size > maxBody) {
            c.set("bodyTooLarge", true);
            controller.error(new RangeError(`Request body is larger than ${maxBody} bytes`));
            reader.cancel().catch(() => {});
            return;
          }
          controller.enqueue(value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      });
      c.req.raw = new Request(raw.url, {
        method: raw.method,
        headers: raw.headers,
        body: counted,
        signal: raw.signal,
        duplex: "half",
      } as RequestInit);
    }
    await next();
    if (c.get("bodyTooLarge")) c.res = tooLarge(maxBody);
  };

  const rateLimit: MiddlewareHandler<GatewayEnv> = async function rateLimit(c, next) {
    const decision = limiter.take(c.get("client"));
    if (!decision.ok) {
      return jsonError(429, "E_RATE_LIMITED", "Too many requests", {
        "Retry-After": String(decision.retryAfterS),
      });
    }
    await next();
  };

  const originCheck: MiddlewareHandler<GatewayEnv> = async function originCheck(c, next) {
    const origin = c.req.header("origin");
    const site = c.req.header("sec-fetch-site");
    if ((origin !== undefined && origin !== new URL(c.req.url).origin) || site === "cross-site") {
      return jsonError(403, "E_FORBIDDEN", "Cross-origin browser requests are refused");
    }
    await next();
  };

  const auth: MiddlewareHandler<GatewayEnv> = async function auth(c, next) {
    const header = c.req.header("authorization");
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    const token = match?.[1];
    const record = token === undefined ? null : await pairing.verify(token);
    if (record) {
      c.set("tokenId", record.id);
      c.set("token", token);
    } else if (!isOpen(c.req.method, c.req.path) && !pairingRequired && !c.get("hostLoopback")) {
      // Pairing off serves without a token only requests addressed to loopback: a name from
      // GATEWAY_ALLOWED_HOSTS (a reverse proxy, a LAN name) would open the agent to the LAN.
      return jsonError(
        403,
        "E_FORBIDDEN",
        "Pairing is off (PAIRING_REQUIRED=0): only requests addressed to a loopback name are served without a token",
      );
    } else if (pairingRequired && !isOpen(c.req.method, c.req.path)) {
      return jsonError(
        401,
        "E_UNAUTHORIZED",
        header === undefined
          ? "Missing bearer token: pair with POST /pair and send Authorization: Bearer <token>"
          : "Invalid or expired bearer token",
        { "WWW-Authenticate": 'Bearer realm="mikroclaw"' },
      );
    }
    await next();
  };

  const app = new Hono<GatewayEnv>();
  app.use(
    securityHeaders,
    hostGuard({
      bindHost,
      allowedHosts: options.allowedHosts ?? [],
      exempt: (method, path) =>
        method === "POST" && (Object.values(WEBHOOK_PATHS) as string[]).includes(path),
    }),
    identify,
    bodyLimit,
    rateLimit,
    originCheck,
    auth,
  );

  app.onError((error, c) => {
    if (c.get("bodyTooLarge")) return tooLarge(maxBody);
    if (error instanceof HTTPException) return error.getResponse();
    logger.error(`gateway: ${c.req.method} ${c.req.path} failed: ${errorMessage(error)}`);
    return jsonError(500, "E_INTERNAL", "Internal error");
  });
  app.notFound(() => jsonError(404, "E_NOT_FOUND", "Not found"));

  function requester(c: Ctx): string {
    return `gateway:${c.get("tokenId") ?? "local"}`;
  }

  app.get("/health/heartbeat", (c) => c.json({ heartbeat: "ok" }));

  app.get("/health", (c) => {
    const snap = health.snapshot();
    const body: Record<string, unknown> = { status: snap.status, components: snap.components };
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
    return c.json(list.map((t) => ({
      task_id: t.task_id,
      type: t.type,
      status: t.status,
      created_at: t.created_at,
    })));
  });

  app.get("/tasks/:id", async (c) => {
    const t = await tasks.get(c.req.param("id"));
    if (!t) fail(404, "E_NOT_FOUND", "Unknown task");
    return c.json({
      task_id: t.task_id,
      type: t.type,
      status: t.status,
      created_at: t.created_at,
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

  app.post("/chat", async (c) => {
    const parsed = parseChatBody(await readJson(c));
    if (!parsed.ok) fail(400, "E_BAD_REQUEST", parsed.message);
    const { input, session } = parsed.value;
    const turn = {
      input,
      sessionKey: `gateway:${c.get("tokenId") ?? "local"}:${session}`,
      requestedBy: requester(c),
    };
    if ((c.req.header("accept") ?? "").includes("text/event-stream")) {
      return streamChat(turn, c.req.raw.signal);
    }
    try {
      const r = await agent.run({ ...turn, signal: c.req.raw.signal });
      return c.json({
        reply: r.text,
        session,
        stop_reason: r.stopReason,
        steps: r.steps,
        tool_calls: r.toolCalls,
      });
    } catch (error) {
      if (isAgentError(error)) fail(502, error.code, error.message);
      throw error;
    }
  });

  function streamChat(
    turn: { input: string; sessionKey: string; requestedBy: string },
    requestSignal: AbortSignal,
  ): Response {
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, requestSignal]);
    const iterator = agent.stream({ ...turn, signal })[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    const frame = (event: string, data: unknown) =>
      encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    let reply = "";
    const body = new ReadableStream<Uint8Array>({
      async pull(out) {
        try {
          const { done, value } = await iterator.next();
          if (done) {
            out.enqueue(frame("done", { reply }));
            out.close();
            return;
          }
          if (value.type === "turn-end") reply = value.text;
          out.enqueue(frame(value.type, value));
        } catch (error) {
          const code = isAgentError(error) ? error.code : "E_INTERNAL";
          out.enqueue(frame("error", { type: "error", code, message: errorMessage(error) }));
          out.enqueue(frame("done", { reply }));
          out.close();
        }
      },
      async cancel() {
        controller.abort(new Error("Client disconnected"));
        await iterator.return?.();
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "x-accel-buffering": "no",
      },
    });
  }

  app.get("/openapi.json", async (c) => c.json((await import("./_openapi.ts")).openApiDocument()));

  for (const name of ["telegram", "slack", "discord"] as const) {
    app.post(WEBHOOK_PATHS[name], (c) => {
      const handler = webhooks[name];
      if (!handler) fail(404, "E_NOT_FOUND", `Channel ${name} is not configured`);
      return handler(c.req.raw);
    });
  }

  let started = false;
  let startupCode: { code: string; expiresAt: number } | undefined;
  let sweepTimer: ReturnType<typeof setInterval> | undefined;

  return {
    fetch: async (request) => await app.fetch(request),
    app,
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
}
