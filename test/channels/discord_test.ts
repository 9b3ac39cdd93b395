import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createDiscord, type DiscordOptions } from "../../lib/channels/discord.ts";
import type { Channel } from "../../lib/channels/types.ts";
import { type FakeDiscord, startFakeDiscord } from "../_fakes/discord.ts";
import { echoAgent, FAST_RETRY, memoryLogger, until } from "./_helpers.ts";

const OWNER = "1000000000000000042";
const DM = "2200000000000000001";

describe("createDiscord()", () => {
  let fake: FakeDiscord;
  before(async () => {
    fake = await startFakeDiscord();
  });
  after(async () => {
    await fake.close();
  });

  function make(extra: Partial<DiscordOptions> = {}): Channel {
    return createDiscord({
      token: fake.token,
      publicKey: fake.publicKey,
      apiBase: fake.apiBase,
      agent: echoAgent(),
      allowlist: [OWNER],
      retry: FAST_RETRY,
      maxReconnectDelayMs: 50,
      invalidSessionDelayMs: 10,
      typingIntervalMs: 50,
      ...extra,
    });
  }
  /** Starts the channel and waits for READY (or RESUMED) on a new connection. */
  async function run(channel: Channel): Promise<{ stop(): Promise<void>; done: Promise<void> }> {
    const controller = new AbortController();
    const frames = fake.frames.length;
    const done = channel.start({ signal: controller.signal });
    done.catch(() => {});
    await fake.waitForFrame((f) => fake.frames.indexOf(f) >= frames && (f.op === 2 || f.op === 6));
    return {
      done,
      async stop() {
        controller.abort();
        await done;
      },
    };
  }
  const replies = () =>
    fake.callsOf("POST", `/channels/${DM}/messages`).filter((c) => c.status === 200);

  it("identifies with the message intents and answers an allowed DM, ignoring bots and refused senders", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const logger = memoryLogger();
    const r = await run(make({ agent, logger }));
    try {
      const identify = fake.frames.findLast((f) => f.op === 2)!;
      const d = identify.d as Record<string, unknown>;
      assert.equal(d.token, fake.token);
      assert.equal(d.intents, 37377);
      assert.equal((d.intents as number) & (1 << 15), 1 << 15, "MESSAGE_CONTENT");
      assert.ok(identify.url.includes("v=10") && identify.url.includes("encoding=json"));
      fake.message("999", "let me in");
      fake.message(fake.botId, "my own message", { author: { id: fake.botId, bot: true } });
      fake.message("777", "another bot", { author: { id: "777", bot: true } });
      fake.message(OWNER, "guild chatter", { guild_id: "456" });
      fake.message(OWNER, "hello");
      // Frames are handled in order: once "hello" (sent last) is answered, a turn for any earlier
      // message would already have started.
      await until(() => replies().length === 1);
      assert.deepEqual(agent.turns.map((t) => [t.input, t.sessionKey, t.requestedBy]), [
        ["hello", `discord:${OWNER}`, `discord:${OWNER}`],
      ]);
      const reply = replies()[0]!;
      assert.equal(reply.body.content, "echo: hello");
      assert.deepEqual(reply.body.allowed_mentions, { parse: [] });
      assert.ok(isRecord(reply.body.message_reference));
      assert.ok(fake.callsOf("POST", `/channels/${DM}/typing`).length >= 1);
      assert.ok(logger.has("warn", /sender "999" refused.*DISCORD_ALLOWLIST/));
    } finally {
      await r.stop();
    }
  });

  it("opens a DM channel once to message a user (approval prompts go to user ids)", async () => {
    const channel = make({ mode: "interactions" });
    const before = fake.callsOf("POST", "/users/@me/channels").length;
    const first = await channel.directTo!("4242");
    assert.equal(await channel.directTo!("4242"), first);
    assert.equal(fake.callsOf("POST", "/users/@me/channels").length, before + 1);
    await channel.send(first, "Approve change c1?", {
      buttons: [{ text: "Approve", data: "approve:c1" }],
    });
    assert.ok(fake.callsOf("POST", `/channels/${first}/messages`).length > 0);
  });

  it("answers a guild mention without the mention", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const r = await run(make({ agent }));
    try {
      fake.message(OWNER, `<@${fake.botId}> status`, {
        guild_id: "456",
        mentions: [{ id: fake.botId }],
      });
      await until(() => replies().length === 1);
      assert.deepEqual(agent.turns.map((t) => [t.input, t.sessionKey]), [
        ["status", `discord:${DM}:${OWNER}`],
      ]);
    } finally {
      await r.stop();
    }
  });

  it("resumes a dropped socket with RESUME (session id + last seq) and misses nothing", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const r = await run(make({ agent }));
    try {
      fake.message(OWNER, "one");
      await until(() => replies().length === 1);
      const identify = fake.frames.findLast((f) => f.op === 2)!;
      const sessionId = fake.sessionId();
      const lastSeq = fake.message("999", "refused, but moves seq");
      // The client reports its last sequence number in every heartbeat.
      await fake.waitForFrame((f) => f.op === 1 && f.d === lastSeq);
      const connection = fake.connections;
      fake.drop();
      await until(() => fake.connections === connection + 1);
      const missed = fake.message(OWNER, "sent while down");
      assert.ok(missed > lastSeq);
      const resume = await fake.waitForFrame((f) => f.op === 6 && f.connection === connection + 1);
      assert.deepEqual(resume.d, { token: fake.token, session_id: sessionId, seq: lastSeq });
      assert.ok(resume.url.startsWith("/resume"), "used resume_gateway_url");
      assert.equal(fake.frames.findLast((f) => f.op === 2), identify, "no new IDENTIFY");
      await until(() => replies().length === 2);
      fake.message(OWNER, "after resume");
      await until(() => replies().length === 3);
      assert.deepEqual(agent.turns.map((t) => t.input), ["one", "sent while down", "after resume"]);
    } finally {
      await r.stop();
    }
  });

  it("treats a missing heartbeat ACK as a zombie and resumes", async () => {
    fake.heartbeatInterval = 40;
    const r = await run(make());
    try {
      const connection = fake.connections;
      const sessionId = fake.sessionId();
      await fake.waitForFrame((f) => f.op === 1 && f.connection === connection);
      fake.ackHeartbeats = false;
      const resume = await fake.waitForFrame((f) => f.op === 6 && f.connection > connection);
      assert.equal((resume.d as Record<string, unknown>).session_id, sessionId);
    } finally {
      fake.ackHeartbeats = true;
      fake.heartbeatInterval = 200;
      await r.stop();
    }
  });

  it("resumes after op 7 and identifies anew after a non-resumable op 9", async () => {
    const r = await run(make());
    try {
      let connection = fake.connections;
      fake.requestReconnect();
      await fake.waitForFrame((f) => f.op === 6 && f.connection > connection);
      connection = fake.connections;
      const identifies = fake.frames.filter((f) => f.op === 2).length;
      fake.invalidateSession(false);
      await fake.waitForFrame((f) => f.op === 2 && f.connection > connection);
      assert.equal(fake.frames.filter((f) => f.op === 2).length, identifies + 1);
    } finally {
      await r.stop();
    }
  });

  it("stops with a clear error on close 4014 (disallowed intents) instead of looping", async () => {
    fake.failIdentifyWith = 4014;
    const controller = new AbortController();
    try {
      await assert.rejects(
        make({ gatewayUrl: fake.gatewayUrl }).start({ signal: controller.signal }),
        /4014.*Message Content intent/,
      );
    } finally {
      fake.failIdentifyWith = undefined;
      controller.abort();
    }
  });

  it("delivers a 10 000-character reply complete, in ordered parts within 2000", async () => {
    fake.calls.length = 0;
    const long = "Ünïcødé 🙂 text. ".repeat(600).slice(0, 10_000);
    const r = await run(make({ agent: echoAgent(() => long) }));
    try {
      fake.message(OWNER, "long");
      await until(() => replies().map((c) => c.body.content).join("") === long);
      for (const c of replies()) assert.ok(String(c.body.content).length <= 2000);
      assert.ok(replies().length >= 5);
      assert.ok(isRecord(replies()[0]!.body.message_reference));
      assert.equal(replies()[1]!.body.message_reference, undefined);
    } finally {
      await r.stop();
    }
  });

  it("honours a 429 bucket retry_after", async () => {
    fake.calls.length = 0;
    fake.rateLimitNext(0.5);
    const sent = await make().send(DM, "hi");
    const all = fake.callsOf("POST", `/channels/${DM}/messages`);
    assert.deepEqual(all.map((c) => c.status), [429, 200]);
    assert.ok(all[1]!.at - all[0]!.at >= 450);
    assert.equal(sent.ids.length, 1);
  });

  it("interactions: bad, missing or stale signatures get 401 and never reach the agent", async () => {
    const agent = echoAgent();
    const logger = memoryLogger();
    const channel = make({ agent, logger });
    const command = JSON.stringify({
      id: "3300000000000000001",
      type: 2,
      application_id: fake.botId,
      token: "interaction-token",
      channel_id: DM,
      user: { id: OWNER },
      data: { name: "ask", options: [{ name: "prompt", type: 3, value: "hi there" }] },
    });
    const now = Math.floor(Date.now() / 1000);
    const good = await fake.signedInteraction(command);
    const badSig = await fake.signedInteraction(command, { signature: "0".repeat(128) });
    const stale = await fake.signedInteraction(command, { timestamp: now - 600 });
    const future = await fake.signedInteraction(command, { timestamp: now + 600 });
    const tampered = new Request(good.url, {
      method: "POST",
      headers: good.headers,
      body: command.replace("hi there", "rm -rf"),
    });
    const missing = new Request(good.url, { method: "POST", body: command });
    const shortSig = await fake.signedInteraction(command, { signature: "abcd" });
    for (const request of [badSig, stale, future, tampered, missing, shortSig]) {
      assert.equal((await channel.webhook!.handle(request)).status, 401);
    }
    const noKey = make({ agent, publicKey: "" });
    assert.equal((await noKey.webhook!.handle(await fake.signedInteraction(command))).status, 401);
    // No turn yet; the valid command below proves (by its being the only turn) that none of the
    // refused ones started one later.
    await channel.idle!();
    assert.equal(agent.turns.length, 0);

    const ping = await channel.webhook!.handle(
      await fake.signedInteraction(JSON.stringify({ id: "1", type: 1, token: "t", version: 1 })),
    );
    assert.deepEqual(await ping.json(), { type: 1 });

    fake.calls.length = 0;
    const res = await channel.webhook!.handle(good);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { type: 5 });
    const edit = await fake.waitFor((c) => c.method === "PATCH");
    assert.equal(edit.path, `/webhooks/${fake.botId}/interaction-token/messages/@original`);
    assert.equal(edit.body.content, "echo: hi there");
    assert.deepEqual(agent.turns.map((t) => t.input), ["hi there"]);

    const stranger = JSON.parse(command);
    stranger.id = "3300000000000000002";
    stranger.user = { id: "999" };
    const refusedRes = await channel.webhook!.handle(
      await fake.signedInteraction(JSON.stringify(stranger)),
    );
    assert.deepEqual(await refusedRes.json(), {
      type: 4,
      data: { content: "Not allowed", flags: 64 },
    });
    assert.equal(agent.turns.length, 1);
  });

  it("interactions: a button press of an allowlisted user goes to onButton", async () => {
    const presses: unknown[] = [];
    const channel = make({
      onButton: async (p) => {
        presses.push(p);
        return presses.length === 1
          ? { text: "Approved" }
          : { text: "Change c1 is applied, not pending", notice: true };
      },
    });
    const sent = await channel.send(DM, "Apply c1?", {
      buttons: [[{ text: "Approve", data: "ap:c1", style: "primary" }, {
        text: "Deny",
        data: "dn:c1",
        style: "danger",
      }]],
    });
    const post = fake.callsOf("POST", `/channels/${DM}/messages`).at(-1)!;
    assert.deepEqual(post.body.components, [{
      type: 1,
      components: [
        { type: 2, style: 3, label: "Approve", custom_id: "ap:c1" },
        { type: 2, style: 4, label: "Deny", custom_id: "dn:c1" },
      ],
    }]);
    const press = (id: string, user: string) =>
      JSON.stringify({
        id,
        type: 3,
        application_id: fake.botId,
        token: "tok",
        channel_id: DM,
        member: { user: { id: user } },
        guild_id: "456",
        message: { id: sent.ids[0] },
        data: { custom_id: "ap:c1", component_type: 2 },
      });
    const refusedRes = await channel.webhook!.handle(
      await fake.signedInteraction(press("41", "999")),
    );
    assert.equal((await refusedRes.json()).type, 4);
    const res = await channel.webhook!.handle(await fake.signedInteraction(press("42", OWNER)));
    assert.deepEqual(await res.json(), { type: 7, data: { content: "Approved", components: [] } });
    assert.deepEqual(presses, [
      { channel: "discord", senderId: OWNER, data: "ap:c1", to: DM, messageId: sent.ids[0] },
    ]);
    // A notice (a second press) answers the presser only; the message is not replaced.
    const again = await channel.webhook!.handle(await fake.signedInteraction(press("43", OWNER)));
    assert.deepEqual(await again.json(), {
      type: 4,
      data: { content: "Change c1 is applied, not pending", flags: 64 },
    });
  });

  it("check() names the bot; a bad token fails", async () => {
    const ok = await make().check();
    assert.equal(ok.ok, true);
    assert.equal(ok.identity, `mikroclaw#${fake.botId}`);
    const bad = await make({ token: "wrong-token" }).check();
    assert.equal(bad.ok, false);
    assert.match(bad.detail, /401/);
    assert.doesNotMatch(bad.detail, /wrong-token/);
  });
});

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
