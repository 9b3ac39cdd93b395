import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";
import { createMockProvider } from "../../lib/providers/mock.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import { type FakeTelegram, startFakeTelegram } from "../_fakes/telegram.ts";

const OWNER = 4242;

function post(path: string): Request {
  return new Request(`http://127.0.0.1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
}

describe("createRuntime() wiring", () => {
  let telegram: FakeTelegram;
  let runtime: Runtime;
  // The model has nothing scripted: a command reaching it would fail the turn.
  const provider = createMockProvider([]);

  before(async () => {
    telegram = await startFakeTelegram({ maxHoldMs: 100 });
    const config = await loadConfig({
      env: {
        BOT_TOKEN: telegram.token,
        TELEGRAM_API_BASE: telegram.url,
        TELEGRAM_ALLOWLIST: String(OWNER),
        TELEGRAM_WEBHOOK_SECRET: "right-secret",
      },
    });
    runtime = await createRuntime({ config, provider, channels: true });
    await runtime.start();
  });

  after(async () => {
    await runtime?.stop();
    await telegram?.close();
  });

  it("serves the configured channel's own webhook without a token, 404 for the others, 401 elsewhere", async () => {
    const tg = await runtime.gateway.fetch(post("/channels/telegram/webhook"));
    assert.equal(tg.status, 401, "the channel checks its own secret");
    assert.match(await tg.text(), /secret token/i);
    for (const name of ["slack", "discord"]) {
      const path = name === "slack" ? "/channels/slack/events" : "/channels/discord/interactions";
      const res = await runtime.gateway.fetch(post(path));
      assert.equal(res.status, 404, path);
      assert.match(await res.text(), new RegExp(`Channel ${name} is not configured`));
    }
    assert.equal((await runtime.gateway.fetch(post("/tasks"))).status, 401);
  });

  it("a chat command (through the mounted webhook) is answered by its part, never by the model", async () => {
    const update = {
      update_id: 1,
      message: {
        message_id: 1,
        from: { id: OWNER, is_bot: false, first_name: "Owner" },
        chat: { id: OWNER, type: "private" },
        date: Math.floor(Date.now() / 1000),
        text: "/jobs",
      },
    };
    const res = await runtime.gateway.fetch(
      new Request("http://127.0.0.1/channels/telegram/webhook", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telegram-bot-api-secret-token": "right-secret",
        },
        body: JSON.stringify(update),
      }),
    );
    assert.equal(res.status, 200);
    const reply = await telegram.waitFor(
      (c) => c.method === "sendMessage" && String(c.params.chat_id) === String(OWNER),
      5000,
    );
    assert.equal(reply.params.text, "No jobs.");
    assert.equal(provider.calls.length, 0);
  });

  it("health_check reports the cached probes GET /health shows", async () => {
    const health = (await runtime.agentParts()).tools.find((t) => t.name === "health_check")!;
    const result = await health.call({}, {
      signal: new AbortController().signal,
      requestedBy: "test",
      sessionKey: "test",
      logger: silentLogger,
    });
    const report = JSON.parse(result.content) as Record<string, unknown>;
    const shown = await (await runtime.gateway.fetch(new Request("http://127.0.0.1/health")))
      .json() as Record<string, unknown>;
    assert.deepEqual(
      { status: report.status, components: report.components },
      { status: shown.status, components: shown.components },
    );
    assert.equal(typeof (report.components as Record<string, unknown>).llm, "boolean");
  });
});
