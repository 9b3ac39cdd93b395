import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { type FakeSlack, signedSlackRequest, slackEvent, startFakeSlack } from "../_fakes/slack.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

const OWNER = "U0OWNER1";
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

describe("end to end: Slack Block Kit approval through the gateway's signed webhook", () => {
  let llm: FakeLLMServer;
  let slack: FakeSlack;
  let router: FakeRouterOS;
  let runtime: Runtime;

  before(async () => {
    llm = await startFakeOpenAI([], { onEmpty: { text: "It waits for your approval." } });
    slack = await startFakeSlack();
    router = await startFakeRouterOS();
    const config = await loadConfig({
      env: {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "sk-e2e-slack",
        OPENAI_BASE_URL: llm.baseURL,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_BASE: slack.apiBase,
        SLACK_ALLOWLIST: OWNER,
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
    await Promise.all([llm?.close(), slack?.close(), router?.close()]);
  });

  it("a DM asking for a write gets Approve / Deny buttons; the owner's signed press applies it", async () => {
    llm.push({
      toolCalls: [{
        name: "routeros_execute",
        arguments: { command: "/ip firewall address-list add list=blocked address=192.0.2.44" },
      }],
    });
    const event = slackEvent(
      {
        type: "message",
        channel_type: "im",
        channel: "D0OWNER",
        user: OWNER,
        text: "block 192.0.2.44",
      },
      "Ev-approval-1",
    );
    const res = await runtime.gateway.fetch(
      await signedSlackRequest(SECRET, JSON.stringify(event)),
    );
    assert.equal(res.status, 200);
    const prompt = await slack.waitFor(
      (c) => c.method === "chat.postMessage" && JSON.stringify(c.body).includes("approve:"),
      10_000,
    );
    const blocked = () =>
      router.items("/ip/firewall/address-list").filter((r) => r.address === "192.0.2.44");
    assert.equal(blocked().length, 0, "nothing is written before approval");

    const approve = JSON.stringify(prompt.body).match(/approve:[a-z0-9]+/)![0];
    const press = "payload=" + encodeURIComponent(JSON.stringify({
      type: "block_actions",
      user: { id: OWNER },
      container: { type: "message", message_ts: "1.1", channel_id: String(prompt.body.channel) },
      channel: { id: String(prompt.body.channel) },
      actions: [{ type: "button", action_id: "mikroclaw_0", value: approve }],
    }));
    const pressed = await runtime.gateway.fetch(
      await signedSlackRequest(SECRET, press, { contentType: "application/x-www-form-urlencoded" }),
    );
    assert.equal(pressed.status, 200);
    await slack.waitFor((c) => c.method === "chat.update", 10_000);
    assert.equal(blocked().length, 1, "applied after the owner's button");
    assert.equal((await runtime.changes!.get(approve.slice("approve:".length)))?.state, "applied");

    // A second press: only the presser is told; the owner's "applied" message stays.
    const again = await runtime.gateway.fetch(
      await signedSlackRequest(SECRET, press, { contentType: "application/x-www-form-urlencoded" }),
    );
    assert.equal(again.status, 200);
    const notice = await slack.waitFor((c) => c.method === "chat.postEphemeral", 10_000);
    assert.equal(notice.body.user, OWNER);
    assert.match(String(notice.body.text), /applied, not pending/);
    assert.equal(slack.callsOf("chat.update").length, 1);
    assert.equal(blocked().length, 1);

    const forged = await runtime.gateway.fetch(
      await signedSlackRequest("wrong-secret", press, {
        contentType: "application/x-www-form-urlencoded",
      }),
    );
    assert.equal(forged.status, 401);
  });
});
