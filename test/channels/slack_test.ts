import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createSlack, type SlackOptions } from "../../lib/channels/slack.ts";
import { hmacSha256Hex } from "../../lib/channels/_util.ts";
import type { Channel } from "../../lib/channels/types.ts";
import { type FakeSlack, signedSlackRequest, slackEvent, startFakeSlack } from "../_fakes/slack.ts";
import { echoAgent, FAST_RETRY, memoryLogger, until } from "./_helpers.ts";

const OWNER = "U0OWNER1";
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

function dm(user: string, text: string, ts: string): Record<string, unknown> {
  return { type: "message", channel: "D0DM1", channel_type: "im", user, text, ts };
}

describe("createSlack()", () => {
  let fake: FakeSlack;
  before(async () => {
    fake = await startFakeSlack();
  });
  after(async () => {
    await fake.close();
  });

  function make(extra: Partial<SlackOptions> = {}): Channel {
    return createSlack({
      botToken: fake.botToken,
      appToken: fake.appToken,
      signingSecret: SECRET,
      apiBase: fake.apiBase,
      agent: echoAgent(),
      allowlist: [OWNER],
      retry: FAST_RETRY,
      maxReconnectDelayMs: 50,
      ...extra,
    });
  }
  async function run(channel: Channel): Promise<() => Promise<void>> {
    const controller = new AbortController();
    const connected = fake.connections + 1;
    const done = channel.start({ signal: controller.signal });
    await until(() => fake.connections >= connected);
    return async () => {
      controller.abort();
      await done;
    };
  }
  const posts = (channel = "D0DM1") =>
    fake.callsOf("chat.postMessage").filter((c) => c.status === 200 && c.body.channel === channel);

  it("Socket Mode: acks envelopes, skips a refused sender, answers the allowed one once", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const logger = memoryLogger();
    const stop = await run(make({ agent, logger }));
    try {
      const e1 = fake.push("events_api", slackEvent(dm("U0STRANGER", "let me in", "1.1"), "Ev1"));
      const e2 = fake.push("events_api", slackEvent(dm(OWNER, "hello", "1.2"), "Ev2"));
      fake.push("events_api", slackEvent(dm(OWNER, "hello", "1.2"), "Ev2"), 1);
      fake.push(
        "events_api",
        slackEvent({ ...dm("U0OTHERBOT", "loop", "1.3"), bot_id: "B9" }, "Ev3"),
      );
      fake.push("events_api", slackEvent(dm("U0BOT", "myself", "1.4"), "Ev4"));
      fake.push(
        "events_api",
        slackEvent({ ...dm(OWNER, "edited", "1.5"), subtype: "message_changed" }, "Ev5"),
      );
      fake.push("events_api", slackEvent(dm(OWNER, "barrier", "1.6"), "Ev6"));
      await fake.waitForAcks(7);
      assert.ok(fake.acks.includes(e1) && fake.acks.includes(e2));
      await until(() => posts().length === 2);
      assert.deepEqual(agent.turns.map((t) => t.input), ["hello", "barrier"]);
      assert.deepEqual(posts().map((p) => p.body.text), ["echo: hello", "echo: barrier"]);
      assert.equal(posts()[0]!.body.thread_ts, undefined, "DMs are answered in place");
      assert.equal(agent.turns[0]!.sessionKey, `slack:${OWNER}`);
      assert.ok(logger.has("warn", /sender "U0STRANGER" refused.*SLACK_ALLOWLIST/));
    } finally {
      await stop();
    }
  });

  it("answers a channel mention in its thread, once, without the mention", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const stop = await run(make({ agent }));
    try {
      const base = { channel: "C0CHAN", user: OWNER, text: "<@U0BOT> status", ts: "2.1" };
      fake.push(
        "events_api",
        slackEvent({ ...base, type: "message", channel_type: "channel" }, "Ev10"),
      );
      fake.push("events_api", slackEvent({ ...base, type: "app_mention" }, "Ev11"));
      // Events are handled in order: a follow-up in a DM, answered, proves the duplicate
      // mention had its chance to start a turn.
      fake.push("events_api", slackEvent(dm(OWNER, "marker", "2.2"), "Ev12"));
      await until(() => agent.turns.some((t) => t.input === "marker"));
      await until(() => posts("C0CHAN").length === 1);
      assert.deepEqual(agent.turns.map((t) => [t.input, t.sessionKey]), [
        ["status", `slack:C0CHAN:${OWNER}`],
        ["marker", `slack:${OWNER}`],
      ]);
      assert.equal(posts("C0CHAN").length, 1);
      assert.equal(posts("C0CHAN")[0]!.body.thread_ts, "2.1");
    } finally {
      await stop();
    }
  });

  it("reconnects after a disconnect envelope and after a dropped socket", async () => {
    fake.calls.length = 0;
    const before = fake.connections;
    const stop = await run(make());
    try {
      fake.disconnect("refresh_requested");
      await until(() => fake.connections === before + 2);
      fake.drop();
      await until(() => fake.connections === before + 3);
      fake.push("events_api", slackEvent(dm(OWNER, "still there?", "3.1"), "Ev20"));
      await fake.waitFor((c) =>
        c.method === "chat.postMessage" && c.body.text === "echo: still there?"
      );
      assert.equal(fake.callsOf("apps.connections.open").length, 3);
    } finally {
      await stop();
    }
  });

  it("delivers a 10 000-character reply complete, in ordered parts within 4000", async () => {
    fake.calls.length = 0;
    const long = "word ".repeat(2000);
    const stop = await run(make({ agent: echoAgent(() => long) }));
    try {
      fake.push("events_api", slackEvent(dm(OWNER, "long", "4.1"), "Ev30"));
      await until(() => posts().map((p) => p.body.text).join("") === long);
      for (const p of posts()) assert.ok(String(p.body.text).length <= 4000);
      assert.ok(posts().length >= 3);
    } finally {
      await stop();
    }
  });

  it("honours 429 Retry-After", async () => {
    fake.calls.length = 0;
    fake.rateLimitNext(1);
    const channel = make();
    const sent = await channel.send("D0DM1", "hi");
    const all = fake.callsOf("chat.postMessage");
    assert.deepEqual(all.map((c) => c.status), [429, 200]);
    assert.ok(all[1]!.at - all[0]!.at >= 950);
    assert.equal(sent.ids.length, 1);
  });

  it("webhook(): bad, missing, stale or unconfigured signatures get 401 and never reach the agent", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const logger = memoryLogger();
    const channel = make({ agent, logger, appToken: "" });
    const body = JSON.stringify(slackEvent(dm(OWNER, "hi", "5.1"), "Ev40"));
    const now = Math.floor(Date.now() / 1000);
    const cases: Request[] = [
      await signedSlackRequest("wrong-secret", body),
      await signedSlackRequest(SECRET, body, { ts: now - 360 }),
      await signedSlackRequest(SECRET, body, { ts: now + 360 }),
      await signedSlackRequest(SECRET, body, { signature: "" }),
      await signedSlackRequest(SECRET, body, { signature: "v0=" + "0".repeat(64) }),
      new Request("http://gw/channels/slack/events", { method: "POST", body }),
      // signed body, different body delivered
      await (async () => {
        const r = await signedSlackRequest(SECRET, body);
        return new Request(r.url, { method: "POST", headers: r.headers, body: body + " " });
      })(),
    ];
    for (const request of cases) assert.equal((await channel.webhook!.handle(request)).status, 401);
    const unconfigured = make({ agent, signingSecret: "" });
    assert.equal(
      (await unconfigured.webhook!.handle(await signedSlackRequest("some-secret", body))).status,
      401,
    );
    // No turn yet; the valid request below, the only turn, proves none started later.
    await channel.idle!();
    assert.equal(agent.turns.length, 0);
    assert.ok(logger.has("warn", /Stale Slack request timestamp/));

    // a valid one reaches the agent; its retry is answered once
    assert.equal(
      (await channel.webhook!.handle(await signedSlackRequest(SECRET, body))).status,
      200,
    );
    const retried = await signedSlackRequest(SECRET, body, {
      headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" },
    });
    assert.equal((await channel.webhook!.handle(retried)).status, 200);
    await fake.waitFor((c) => c.method === "chat.postMessage" && c.body.text === "echo: hi");
    // Requests are handled in order (same session): a later one, answered, proves the retry
    // started no turn of its own.
    const later = JSON.stringify(slackEvent(dm(OWNER, "later", "5.2"), "Ev41"));
    assert.equal(
      (await channel.webhook!.handle(await signedSlackRequest(SECRET, later))).status,
      200,
    );
    await fake.waitFor((c) => c.method === "chat.postMessage" && c.body.text === "echo: later");
    assert.deepEqual(agent.turns.map((t) => t.input), ["hi", "later"]);
  });

  it("webhook() answers url_verification with the challenge", async () => {
    const channel = make({ appToken: "" });
    const body = JSON.stringify({ token: "t", challenge: "3eZbrw1aBm2", type: "url_verification" });
    const res = await channel.webhook!.handle(await signedSlackRequest(SECRET, body));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { challenge: "3eZbrw1aBm2" });
  });

  it("routes Block Kit button presses of allowlisted senders to onButton", async () => {
    fake.calls.length = 0;
    const presses: unknown[] = [];
    const channel = make({
      appToken: "",
      onButton: async (p) => {
        presses.push(p);
        return { text: "Approved" };
      },
    });
    await channel.send("C0CHAN", "Apply c1?", {
      buttons: [{ text: "Approve", data: "c1", style: "primary" }],
    });
    const blocks = fake.callsOf("chat.postMessage").at(-1)!.body.blocks as unknown[];
    assert.deepEqual(blocks[1], {
      type: "actions",
      elements: [{
        type: "button",
        action_id: "mikroclaw_0",
        value: "c1",
        text: { type: "plain_text", text: "Approve" },
        style: "primary",
      }],
    });
    const press = (user: string) =>
      "payload=" + encodeURIComponent(JSON.stringify({
        type: "block_actions",
        user: { id: user },
        container: { type: "message", message_ts: "9.9", channel_id: "C0CHAN" },
        channel: { id: "C0CHAN" },
        actions: [{ type: "button", action_id: "mikroclaw_0", value: "c1" }],
      }));
    const form = "application/x-www-form-urlencoded";
    assert.equal(
      (await channel.webhook!.handle(
        await signedSlackRequest(SECRET, press("U0STRANGER"), { contentType: form }),
      ))
        .status,
      200,
    );
    assert.equal(
      (await channel.webhook!.handle(
        await signedSlackRequest(SECRET, press(OWNER), { contentType: form }),
      ))
        .status,
      200,
    );
    const update = await fake.waitFor((c) => c.method === "chat.update");
    assert.deepEqual(update.body, { channel: "C0CHAN", ts: "9.9", text: "Approved", blocks: [] });
    assert.deepEqual(presses, [
      { channel: "slack", senderId: OWNER, data: "c1", to: "C0CHAN", messageId: "9.9" },
    ]);
  });

  it("signs with v0 HMAC-SHA256 exactly as Slack's reference vector", async () => {
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    assert.equal(
      await hmacSha256Hex(SECRET, `v0:1531420618:${body}`),
      "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });

  it("check() names the bot; a bad token fails", async () => {
    const ok = await make().check();
    assert.equal(ok.ok, true);
    assert.equal(ok.identity, "U0BOT");
    const bad = await make({ botToken: "xoxb-wrong" }).check();
    assert.equal(bad.ok, false);
    assert.match(bad.detail, /invalid_auth/);
    assert.doesNotMatch(bad.detail, /xoxb-wrong/);
  });
});
