import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { type FakeTelegram, startFakeTelegram } from "../_fakes/telegram.ts";
import { until } from "../gateway/_helpers.ts";
import { callText, sentTo, type Served, servedRuntime } from "./_helpers.ts";

const OWNER = 4343;
const toOwner = sentTo(OWNER);
const text = callText;

describe("ALERT_EXPLAIN: the model's explanation follows the plain alert (fake LLM, fake Telegram)", () => {
  let llm: FakeLLMServer;
  let telegram: FakeTelegram;
  let served: Served;

  const post = (body: unknown) =>
    fetch(`${served.server.url}/watch/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${served.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const ownerTexts = () => telegram.calls.filter(toOwner).map(text);

  before(async () => {
    llm = await startFakeOpenAI([]);
    telegram = await startFakeTelegram({ maxHoldMs: 100 });
    served = await servedRuntime(
      {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "sk-e2e-explain",
        OPENAI_BASE_URL: llm.baseURL,
        BOT_TOKEN: telegram.token,
        TELEGRAM_API_BASE: telegram.url,
        TELEGRAM_ALLOWLIST: String(OWNER),
        ALERT_EXPLAIN: "on",
      },
      { channels: true },
    );
  });

  after(async () => {
    await served?.close();
    await Promise.all([llm?.close(), telegram?.close()]);
  });

  it("sends the plain alert first, then the explanation; the alert reaches the model fenced", async () => {
    llm.push({ text: "The WAN gateway stopped answering pings; check ether1 and the ISP." });
    assert.equal(
      (await post({ source: "netwatch", subject: "wan-gw", status: "down", detail: "timeout" }))
        .status,
      202,
    );
    const explanation = await telegram.waitFor(
      (c) => toOwner(c) && /^About "wan-gw is down/.test(text(c)),
      10_000,
    );
    const texts = ownerTexts();
    const alertAt = texts.findIndex((t) => /^wan-gw is down since/.test(t));
    assert.ok(alertAt >= 0, "the plain alert was sent");
    assert.ok(alertAt < texts.indexOf(text(explanation)), "the alert comes before the explanation");
    assert.match(text(explanation), /the model's view\):\nThe WAN gateway stopped answering/);
    const asked = JSON.stringify(llm.chatRequests().at(-1)!.body.messages);
    assert.match(
      asked,
      /<tool_output tool=\\"watch_alert\\" untrusted=\\"true\\">\\nwan-gw is down/,
    );
  });

  it("a model error leaves only the plain alert", async () => {
    const asked = llm.chatRequests().length;
    llm.push({ status: 400, message: "model overloaded" });
    assert.equal((await post({ source: "netwatch", subject: "nas", status: "down" })).status, 202);
    await telegram.waitFor((c) => toOwner(c) && /^nas is down since/.test(text(c)), 10_000);
    await until(() => llm.chatRequests().length > asked && llm.pending() === 0);

    // The next alert's explanation proves the failed one was finished with, not pending.
    llm.push({ text: "The printer dropped off the network." });
    assert.equal(
      (await post({ source: "netwatch", subject: "printer", status: "down" })).status,
      202,
    );
    await telegram.waitFor((c) => toOwner(c) && /^About "printer is down/.test(text(c)), 10_000);
    assert.deepEqual(ownerTexts().filter((t) => /nas/.test(t)).length, 1, "only the plain alert");
    assert.equal(llm.chatRequests().length, asked + 2, "no retry of the failed explanation");
  });
});
