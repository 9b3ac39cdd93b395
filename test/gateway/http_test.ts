import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createGateway } from "../../lib/gateway/mod.ts";
import { ProviderError } from "../../lib/errors.ts";
import type { Agent } from "../../lib/agent/types.ts";
import { echoAgent, FAST, hangingAgent, memoryStore, pairedGateway, req } from "./_helpers.ts";
import { waitFor } from "../_utils/wait.ts";

type ErrorJson = { error: { code: string; message: string } };

describe("createGateway() health", () => {
  it("gives unauthenticated callers only status and boolean components", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      const res = await gateway.fetch(req("/health"));
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        status: "ok",
        components: { llm: false, gateway: true, routeros: false, memu: false },
      });
      const authed = await (await gateway.fetch(req("/health", { token }))).json() as Record<
        string,
        unknown
      >;
      assert.equal(typeof authed.uptime_s, "number");
      assert.equal(typeof authed.version, "string");
    } finally {
      await gateway.stop();
    }
  });

  it("reports cached probe results: degraded when a configured probe fails", async () => {
    const routerUp = true;
    let probes = 0;
    const gateway = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      ...FAST,
      health: {
        llm: async () => {
          probes++;
          return true;
        },
        routeros: async () => routerUp,
        memu: () => new Promise<boolean>(() => {}), // never answers
      },
      healthTimeoutMs: 20,
    });
    await gateway.start();
    try {
      // /health never waits on a probe: it answers from the cache straight away.
      const before = await (await gateway.fetch(req("/health"))).json() as {
        status: string;
        components: Record<string, boolean>;
      };
      assert.equal(before.status, "degraded");
      const snapshot = async () =>
        await (await gateway.fetch(req("/health"))).json() as {
          status: string;
          components: Record<string, boolean>;
        };
      const after = await waitFor(async () => {
        const body = await snapshot();
        return body.components.llm ? body : undefined;
      }, { message: "a passing llm probe in /health" });
      assert.deepEqual(after.components, { llm: true, gateway: true, routeros: true, memu: false });
      assert.equal(after.status, "degraded");
      const count = probes;
      await gateway.fetch(req("/health"));
      assert.equal(probes, count, "a /health request must not run a probe");
    } finally {
      await gateway.stop();
    }
  });

  it("is ok when every configured probe passes (unconfigured ones report false)", async () => {
    const gateway = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      ...FAST,
      health: { llm: async () => true },
    });
    await gateway.start();
    try {
      const body = await waitFor(async () => {
        const b = await (await gateway.fetch(req("/health"))).json() as {
          status: string;
          components: Record<string, boolean>;
        };
        return b.components.llm ? b : undefined;
      }, { message: "a passing llm probe in /health" });
      assert.deepEqual(body, {
        status: "ok",
        components: { llm: true, gateway: true, routeros: false, memu: false },
      });
    } finally {
      await gateway.stop();
    }
  });
});

describe("createGateway() request guards", () => {
  it("refuses a foreign browser Origin with 403 before auth, accepts its own", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      for (
        const headers of [
          { origin: "https://evil.example" },
          { origin: "null" },
          { origin: "http://127.0.0.1:18790" },
          { "sec-fetch-site": "cross-site" },
        ]
      ) {
        const res = await gateway.fetch(req("/tasks", { headers, token }));
        assert.equal(res.status, 403, JSON.stringify(headers));
        assert.equal((await res.json() as ErrorJson).error.code, "E_FORBIDDEN");
        const pair = await gateway.fetch(
          req("/pair", { method: "POST", headers: { ...headers, "x-pairing-code": "000000" } }),
        );
        assert.equal(pair.status, 403);
      }
      const own = await gateway.fetch(
        req("/tasks", { headers: { origin: "http://127.0.0.1:18789" }, token }),
      );
      assert.equal(own.status, 200);
    } finally {
      await gateway.stop();
    }
  });

  it("answers JSON errors with security headers, never a stack", async () => {
    const boom: Agent = {
      ...echoAgent(),
      run: () => Promise.reject(new Error("secret internals at /srv/app.ts:12")),
    };
    const { gateway, token } = await pairedGateway({ agent: boom });
    try {
      const missing = await gateway.fetch(req("/nope", { token }));
      assert.equal(missing.status, 404);
      assert.deepEqual(await missing.json(), {
        error: { code: "E_NOT_FOUND", message: "Not found" },
      });
      const unauth = await gateway.fetch(req("/nope"));
      assert.equal(unauth.status, 401, "unknown routes are not open");
      const crash = await gateway.fetch(
        req("/chat", { method: "POST", token, json: { input: "x" } }),
      );
      assert.equal(crash.status, 500);
      const text = await crash.text();
      assert.deepEqual(JSON.parse(text), {
        error: { code: "E_INTERNAL", message: "Internal error" },
      });
      assert.ok(!text.includes("secret internals"));
      for (const res of [missing, crash]) {
        assert.equal(res.headers.get("x-content-type-options"), "nosniff");
        assert.equal(res.headers.get("x-frame-options"), "DENY");
        assert.equal(res.headers.get("cache-control"), "no-store");
      }
    } finally {
      await gateway.stop();
    }
  });

  it("refuses an endless streamed body with 413 through gateway.fetch", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      let pulled = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(c) {
          pulled += 1;
          c.enqueue(new Uint8Array(16 * 1024));
        },
      });
      const res = await gateway.fetch(
        req(
          "/tasks",
          {
            method: "POST",
            token,
            body: endless,
            headers: { "content-type": "application/json" },
            duplex: "half",
          } as RequestInit & { token: string },
        ),
      );
      assert.equal(res.status, 413);
      assert.equal((await res.json() as ErrorJson).error.code, "E_PAYLOAD_TOO_LARGE");
      // 1 MiB / 16 KiB = 64 chunks; a few more may be queued, never the whole (infinite) body.
      assert.ok(pulled < 200, `pulled ${pulled} chunks`);
      const lying = await gateway.fetch(
        req("/tasks", {
          method: "POST",
          token,
          body: "{}",
          headers: { "content-type": "application/json", "content-length": "99999999" },
        }),
      );
      assert.equal(lying.status, 413);
    } finally {
      await gateway.stop();
    }
  });

  it("accepts a body just under the limit", async () => {
    const { gateway, token } = await pairedGateway({ maxBodyBytes: 2048 });
    try {
      const pad = "x".repeat(1900);
      const ok = await gateway.fetch(
        req("/tasks", { method: "POST", token, json: { type: "agent", input: pad } }),
      );
      assert.equal(ok.status, 202);
      const tooBig = await gateway.fetch(
        req("/tasks", { method: "POST", token, json: { type: "agent", input: pad + pad } }),
      );
      assert.equal(tooBig.status, 413);
    } finally {
      await gateway.stop();
    }
  });
});

describe("createGateway() rate limit", () => {
  it("holds under 1000 concurrent requests from one client (429 + Retry-After)", async () => {
    const gateway = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      ...FAST,
      rateLimit: { rps: 0.001, burst: 50 },
    });
    try {
      const results = await Promise.all(
        Array.from(
          { length: 1000 },
          () => gateway.fetch(req("/health/heartbeat", { ip: "10.7.7.7" })),
        ),
      );
      assert.equal(results.filter((r) => r.status === 200).length, 50);
      const limited = results.filter((r) => r.status === 429);
      assert.equal(limited.length, 950);
      assert.ok(Number(limited[0]!.headers.get("retry-after")) >= 1);
      assert.equal((await limited[0]!.json() as ErrorJson).error.code, "E_RATE_LIMITED");
      // Another client still gets through.
      assert.equal((await gateway.fetch(req("/health/heartbeat", { ip: "10.7.7.8" }))).status, 200);
    } finally {
      await gateway.stop();
    }
  });

  it("10 001 distinct clients do not lock out the next one (bounded LRU map)", async () => {
    const gateway = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      ...FAST,
      rateLimit: { rps: 0.001, burst: 1 },
    });
    try {
      for (let i = 0; i < 10_001; i++) {
        const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        const res = await gateway.fetch(req("/health/heartbeat", { ip }));
        if (res.status !== 200) assert.fail(`client ${ip} got ${res.status}`);
      }
      const next = await gateway.fetch(req("/health/heartbeat", { ip: "172.16.0.1" }));
      assert.equal(next.status, 200);
      // The limit still applies to a tracked client.
      assert.equal(
        (await gateway.fetch(req("/health/heartbeat", { ip: "172.16.0.1" }))).status,
        429,
      );
    } finally {
      await gateway.stop();
    }
  });

  it("refills the bucket over time", async () => {
    let clock = 0;
    const gateway = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      ...FAST,
      now: () => clock,
      rateLimit: { rps: 1, burst: 1 },
    });
    try {
      assert.equal((await gateway.fetch(req("/health/heartbeat"))).status, 200);
      const limited = await gateway.fetch(req("/health/heartbeat"));
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get("retry-after"), "1");
      clock += 1000;
      assert.equal((await gateway.fetch(req("/health/heartbeat"))).status, 200);
    } finally {
      await gateway.stop();
    }
  });
});

describe("createGateway() chat", () => {
  it("namespaces sessions by token id so clients cannot share history", async () => {
    const agent = echoAgent();
    const { gateway, token } = await pairedGateway({ agent });
    try {
      const code = await gateway.issuePairingCode();
      const other = (await (await gateway.fetch(
        req("/pair", { method: "POST", headers: { "x-pairing-code": code }, ip: "10.5.5.5" }),
      )).json() as { token: string }).token;
      const a = await gateway.fetch(
        req("/chat", { method: "POST", token, json: { input: "hi", session: "main" } }),
      );
      assert.equal(a.status, 200);
      assert.deepEqual(await a.json(), {
        reply: "echo: hi",
        session: "main",
        stop_reason: "stop",
        steps: 1,
        tool_calls: 0,
      });
      await gateway.fetch(
        req("/chat", { method: "POST", token: other, json: { input: "hi", session: "main" } }),
      );
      const [k1, k2] = agent.turns.map((t) => t.sessionKey);
      assert.match(k1!, /^gateway:[0-9a-f]+:main$/);
      assert.match(k2!, /^gateway:[0-9a-f]+:main$/);
      assert.notEqual(k1, k2);
      assert.equal(agent.turns[0]!.requestedBy, k1!.replace(/:main$/, ""));
    } finally {
      await gateway.stop();
    }
  });

  it("validates input and session", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      for (
        const json of [{}, { input: 3 }, { input: "x", session: "../../etc" }, {
          input: "x",
          session: "a:b",
        }]
      ) {
        const res = await gateway.fetch(req("/chat", { method: "POST", token, json }));
        assert.equal(res.status, 400, JSON.stringify(json));
      }
    } finally {
      await gateway.stop();
    }
  });

  it("maps a provider failure to 502 with its code", async () => {
    const failing: Agent = {
      ...echoAgent(),
      run: () =>
        Promise.reject(
          new ProviderError('Cannot chat with "openai": HTTP 503', {
            kind: "server",
            provider: "openai",
          }),
        ),
    };
    const { gateway, token } = await pairedGateway({ agent: failing });
    try {
      const res = await gateway.fetch(
        req("/chat", { method: "POST", token, json: { input: "x" } }),
      );
      assert.equal(res.status, 502);
      assert.equal((await res.json() as ErrorJson).error.code, "E_PROVIDER_HTTP");
    } finally {
      await gateway.stop();
    }
  });

  it("streams SSE events ending with done", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      const res = await gateway.fetch(
        req("/chat", {
          method: "POST",
          token,
          json: { input: "yo" },
          headers: { accept: "text/event-stream" },
        }),
      );
      assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
      const events = (await res.text()).trim().split("\n\n").map((f) => f.split("\n")[0]);
      assert.deepEqual(events, [
        "event: turn-start",
        "event: text-delta",
        "event: tool-start",
        "event: tool-end",
        "event: turn-end",
        "event: done",
      ]);
    } finally {
      await gateway.stop();
    }
  });
});

describe("createGateway() chat cancellation", () => {
  it("a client closing the SSE stream aborts the agent's turn", async () => {
    const agent = hangingAgent();
    const { gateway, token } = await pairedGateway({ agent });
    try {
      const res = await gateway.fetch(
        req("/chat", {
          method: "POST",
          token,
          json: { input: "long" },
          headers: { accept: "text/event-stream" },
        }),
      );
      const reader = res.body!.getReader();
      await reader.read(); // turn-start
      const pending = reader.read(); // the turn now waits on its signal
      await agent.started(1);
      assert.equal(agent.signals[0]!.aborted, false);
      await reader.cancel();
      await pending.catch(() => {});
      assert.equal(agent.signals[0]!.aborted, true);
    } finally {
      await gateway.stop();
    }
  });
});

describe("createGateway() webhooks and OpenAPI", () => {
  it("mounts declared webhooks without bearer auth; every other path, even a channel's, needs a token", async () => {
    const seen: string[] = [];
    const { gateway, token } = await pairedGateway({
      webhooks: [{
        path: "/channels/telegram/webhook",
        handle: async (request) => {
          seen.push(await request.text());
          return new Response("ok");
        },
      }],
    });
    try {
      const tg = await gateway.fetch(
        req("/channels/telegram/webhook", { method: "POST", body: '{"update_id":1}' }),
      );
      assert.equal(tg.status, 200);
      assert.deepEqual(seen, ['{"update_id":1}']);
      assert.equal(tg.headers.get("x-content-type-options"), "nosniff");
      // Only a declared path skips the bearer check: an undeclared channel path is like any other.
      for (const path of ["/channels/slack/events", "/channels/discord/interactions"]) {
        const res = await gateway.fetch(req(path, { method: "POST", body: "{}" }));
        assert.equal(res.status, 401, path);
        const authed = await gateway.fetch(req(path, { method: "POST", body: "{}", token }));
        assert.equal(authed.status, 404, path);
      }
      // Only POST is open: GET needs a token.
      assert.equal((await gateway.fetch(req("/channels/telegram/webhook"))).status, 401);
      assert.deepEqual(seen, ['{"update_id":1}']);
    } finally {
      await gateway.stop();
    }
  });

  it("applies the body limit to webhooks too", async () => {
    const { gateway } = await pairedGateway({
      maxBodyBytes: 1024,
      webhooks: [{
        path: "/channels/slack/events",
        handle: async (request) => new Response(String((await request.text()).length)),
      }],
    });
    try {
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          c.enqueue(new Uint8Array(512));
        },
      });
      const res = await gateway.fetch(
        req("/channels/slack/events", { method: "POST", body, duplex: "half" } as RequestInit),
      );
      assert.equal(res.status, 413);
    } finally {
      await gateway.stop();
    }
  });

  it("GET /openapi.json lists every route, the bearer scheme and the error shape", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      assert.equal((await gateway.fetch(req("/openapi.json"))).status, 401);
      const doc = await (await gateway.fetch(req("/openapi.json", { token }))).json() as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
        components: {
          securitySchemes: Record<string, { scheme: string }>;
          schemas: Record<string, any>;
        };
      };
      assert.equal(doc.openapi, "3.1.0");
      for (
        const [path, method] of [
          ["/health", "get"],
          ["/health/heartbeat", "get"],
          ["/pair", "post"],
          ["/pair", "delete"],
          ["/pair/codes", "post"],
          ["/tasks", "get"],
          ["/tasks", "post"],
          ["/tasks/{id}", "get"],
          ["/tasks/{id}", "delete"],
          ["/chat", "post"],
          ["/openapi.json", "get"],
          ["/channels/telegram/webhook", "post"],
          ["/channels/slack/events", "post"],
          ["/channels/discord/interactions", "post"],
        ] as const
      ) {
        assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
      }
      assert.equal(doc.components.securitySchemes.bearer!.scheme, "bearer");
      assert.deepEqual(doc.components.schemas.Error.properties.error.required.sort(), [
        "code",
        "message",
      ]);
      // Generated from the valibot schemas: the task body lists the task types.
      const types = JSON.stringify(doc.components.schemas.TaskBody);
      for (const t of ["agent", "investigate", "analyze", "summarize", "skill_invoke"]) {
        assert.ok(types.includes(`"${t}"`), t);
      }
    } finally {
      await gateway.stop();
    }
  });
});
