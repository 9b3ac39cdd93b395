import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { type FakeTelegram, startFakeTelegram } from "../_fakes/telegram.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

const OWNER = 4242;

describe("end to end: Telegram -> LLM -> RouterOS", () => {
  let llm: FakeLLMServer;
  let telegram: FakeTelegram;
  let router: FakeRouterOS;
  let runtime: Runtime;

  before(async () => {
    llm = await startFakeOpenAI([
      {
        toolCalls: [{
          name: "routeros_execute",
          arguments: {
            command:
              '/ip firewall address-list add list=blocked address=203.0.113.7 comment="from bot"',
          },
        }],
        argChunks: 4,
      },
      { text: "Done: 203.0.113.7 is now in the blocked list." },
    ]);
    telegram = await startFakeTelegram({ maxHoldMs: 100 });
    router = await startFakeRouterOS();
    const config = await loadConfig({
      env: {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "sk-e2e-key-123",
        OPENAI_BASE_URL: llm.baseURL,
        BOT_TOKEN: telegram.token,
        TELEGRAM_API_BASE: telegram.url,
        TELEGRAM_ALLOWLIST: String(OWNER),
        ROUTER_URL: router.url,
        ROUTER_USER: FAKE_ROUTEROS_USER,
        ROUTER_PASS: FAKE_ROUTEROS_PASSWORD,
        ROUTEROS_ALLOW_WRITE: "1",
      },
    });
    runtime = await createRuntime({ config, channels: true });
    await runtime.start();
  });

  after(async () => {
    await runtime?.stop();
    await Promise.all([llm?.close(), telegram?.close(), router?.close()]);
  });

  it("blocks an address when the allowed owner asks, and confirms to the owner", async () => {
    telegram.message(9999, "block 198.51.100.1 please");
    telegram.message(OWNER, "Block 203.0.113.7 on the router");
    const reply = await telegram.waitFor(
      (c) => c.method === "sendMessage" && String(c.params.text).includes("203.0.113.7"),
      10_000,
    );
    assert.equal(String(reply.params.chat_id), String(OWNER));
    assert.match(String(reply.params.text), /blocked list/);

    const list = router.items("/ip/firewall/address-list");
    const added = list.find((r) => r.address === "203.0.113.7");
    assert.ok(
      added,
      `the fake router holds the new entry; model saw: ${
        JSON.stringify(llm.chatRequests()[1]?.body.messages.at(-1))
      }`,
    );
    assert.equal(added.list, "blocked");
    assert.equal(added.comment, "from bot");

    // The stranger got no LLM call: exactly the owner's two model calls happened.
    assert.equal(llm.chatRequests().length, 2);
    const second = llm.chatRequests()[1]!.body as { messages: { role: string; content: string }[] };
    const toolMessage = second.messages.find((m) => m.role === "tool");
    assert.ok(toolMessage, "the tool result went back to the model");
    assert.doesNotMatch(JSON.stringify(second), /sk-e2e-key-123/);
  });
});
