import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { approveData, type FakeTelegram, startFakeTelegram } from "../_fakes/telegram.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

const OWNER = 4242;
const BLOCK = '/ip firewall address-list add list=blocked address=203.0.113.7 comment="from bot"';

describe("end to end: a router write waits for the owner's Approve button", () => {
  let llm: FakeLLMServer;
  let telegram: FakeTelegram;
  let router: FakeRouterOS;
  let runtime: Runtime;

  before(async () => {
    llm = await startFakeOpenAI([], {
      onEmpty: { text: "Waiting for your approval." },
    });
    telegram = await startFakeTelegram({ maxHoldMs: 100 });
    router = await startFakeRouterOS();
    const config = await loadConfig({
      env: {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "sk-e2e-approval",
        OPENAI_BASE_URL: llm.baseURL,
        BOT_TOKEN: telegram.token,
        TELEGRAM_API_BASE: telegram.url,
        TELEGRAM_ALLOWLIST: String(OWNER),
        ROUTER_URL: router.url,
        ROUTER_USER: FAKE_ROUTEROS_USER,
        ROUTER_PASS: FAKE_ROUTEROS_PASSWORD,
        ROUTEROS_ALLOW_WRITE: "1",
        ROUTEROS_APPROVAL: "writes",
      },
    });
    runtime = await createRuntime({ config, channels: true });
    await runtime.start();
  });

  after(async () => {
    await runtime?.stop();
    await Promise.all([llm?.close(), telegram?.close(), router?.close()]);
  });

  const blocked = () =>
    router.items("/ip/firewall/address-list").filter((r) => r.address === "203.0.113.7");

  it("asks, writes nothing, applies once on Approve, and ignores a second press", async () => {
    llm.push({ toolCalls: [{ name: "routeros_execute", arguments: { command: BLOCK } }] });
    telegram.message(OWNER, "Block 203.0.113.7");
    const prompt = await telegram.waitFor(
      (c) => c.method === "sendMessage" && approveData(c) !== undefined,
      10_000,
    );
    assert.equal(String(prompt.params.chat_id), String(OWNER));
    assert.match(String(prompt.params.text), /203\.0\.113\.7/);
    await telegram.waitFor(
      (c) => c.method === "sendMessage" && /approval/i.test(String(c.params.text)),
      10_000,
    );
    assert.equal(blocked().length, 0, "nothing is written before approval");

    const data = approveData(prompt)!;
    const press = (id: string) =>
      telegram.enqueue({
        callback_query: {
          id,
          from: { id: OWNER, is_bot: false, first_name: "Owner" },
          message: { message_id: 1, chat: { id: OWNER, type: "private" }, text: "x" },
          data,
        },
      });
    press("cb-1");
    await telegram.waitFor(
      (c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === "cb-1",
      10_000,
    );
    assert.equal(blocked().length, 1, "applied after the Approve button");
    const id = data.slice("approve:".length);
    assert.equal((await runtime.changes!.get(id))?.state, "applied");

    press("cb-2");
    await telegram.waitFor(
      (c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === "cb-2",
      10_000,
    );
    assert.equal(blocked().length, 1, "a second press writes nothing");
  });

  it("a stranger's button press is refused and writes nothing", async () => {
    llm.push({
      toolCalls: [{
        name: "routeros_execute",
        arguments: { command: BLOCK.replace("203.0.113.7", "203.0.113.8") },
      }],
    });
    telegram.message(OWNER, "Block 203.0.113.8");
    const prompt = await telegram.waitFor(
      (c) =>
        c.method === "sendMessage" && approveData(c) !== undefined &&
        /203\.0\.113\.8/.test(String(c.params.text)),
      10_000,
    );
    telegram.enqueue({
      callback_query: {
        id: "cb-stranger",
        from: { id: 999, is_bot: false, first_name: "Eve" },
        message: { message_id: 2, chat: { id: 999, type: "private" }, text: "x" },
        data: approveData(prompt),
      },
    });
    await telegram.waitFor(
      (c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === "cb-stranger",
      10_000,
    );
    assert.equal(
      router.items("/ip/firewall/address-list").filter((r) => r.address === "203.0.113.8").length,
      0,
    );
  });
});
