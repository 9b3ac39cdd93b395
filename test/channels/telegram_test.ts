import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createTelegram } from "../../lib/channels/telegram.ts";
import type { Channel, TelegramOptions } from "../../lib/channels/mod.ts";
import { type FakeTelegram, startFakeTelegram } from "../_fakes/telegram.ts";
import { echoAgent, FAST_RETRY, memoryLogger, until } from "./_helpers.ts";

const OWNER = 4242;

interface Running {
  channel: Channel;
  stop(): Promise<void>;
}

function run(fake: FakeTelegram, extra: Partial<TelegramOptions> = {}): Running {
  const channel = createTelegram({
    token: fake.token,
    apiBase: fake.url,
    agent: echoAgent(),
    allowlist: [String(OWNER)],
    pollTimeoutSeconds: 1,
    retry: FAST_RETRY,
    typingIntervalMs: 50,
    maxPollBackoffMs: 200,
    ...extra,
  });
  const controller = new AbortController();
  const done = channel.start({ signal: controller.signal });
  return {
    channel,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

function sentTo(fake: FakeTelegram, chat: number): string[] {
  return fake.callsOf("sendMessage").filter((c) => c.status === 200 && c.params.chat_id === chat)
    .map((c) => String(c.params.text));
}

describe("createTelegram()", () => {
  let fake: FakeTelegram;
  before(async () => {
    fake = await startFakeTelegram({ maxHoldMs: 300 });
  });
  after(async () => {
    await fake.close();
  });

  it("saves the polling offset and resumes from it after a restart", async () => {
    fake.calls.length = 0;
    let saved: number | undefined;
    const offsetStore = {
      load: async () => saved,
      save: async (offset: number) => {
        saved = offset;
      },
    };
    const first = run(fake, { offsetStore });
    const id = fake.message(OWNER, "remember me");
    try {
      await until(() => saved === id + 1);
    } finally {
      await first.stop();
    }
    fake.calls.length = 0;
    const second = run(fake, { offsetStore });
    try {
      await until(() => fake.callsOf("getUpdates").length > 0);
      assert.equal(fake.callsOf("getUpdates")[0]!.params.offset, id + 1);
    } finally {
      await second.stop();
    }
  });

  it("delivers a 10 000-character reply complete, in ordered parts within 4096", async () => {
    fake.calls.length = 0;
    const long = Array.from({ length: 400 }, (_, i) => `Line ${i} of the router report. 🙂`)
      .join(" ").slice(0, 10_000);
    assert.equal(long.length, 10_000);
    const agent = echoAgent(() => long);
    const r = run(fake, { agent });
    try {
      fake.message(OWNER, "report");
      await until(() => sentTo(fake, OWNER).join("") === long);
      const parts = sentTo(fake, OWNER);
      assert.ok(parts.length >= 3);
      for (const p of parts) assert.ok(p.length <= 4096);
      assert.equal(agent.turns.length, 1);
      assert.equal(agent.turns[0]!.sessionKey, `telegram:${OWNER}`);
      assert.equal(agent.turns[0]!.requestedBy, `telegram:${OWNER}`);
      assert.ok(fake.callsOf("sendChatAction").length >= 1, "typing indicator shown");
    } finally {
      await r.stop();
    }
  });

  it("skips a refused sender without an agent call and answers the next allowed message", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const logger = memoryLogger();
    const r = run(fake, { agent, logger });
    let refusedId = 0;
    try {
      refusedId = fake.message(999, "let me in");
      fake.message(OWNER, "hello");
      await fake.waitFor((c) => c.method === "sendMessage" && c.params.chat_id === OWNER);
      assert.deepEqual(agent.turns.map((t) => t.input), ["hello"]);
      assert.deepEqual(sentTo(fake, 999), []);
      assert.ok(logger.has("warn", /sender "999" refused.*TELEGRAM_ALLOWLIST/));
      // the offset moved past the refused update
      await fake.waitFor((c) => c.method === "getUpdates" && Number(c.params.offset) > refusedId);
    } finally {
      await r.stop();
    }
    // on shutdown the handled updates are confirmed, so a restart does not answer them again
    const last = fake.callsOf("getUpdates").at(-1)!;
    assert.equal(last.params.timeout, 0);
    assert.ok(Number(last.params.offset) > refusedId + 1);
  });

  it("answers an update delivered twice only once", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const r = run(fake, { agent });
    try {
      const update = {
        update_id: 555000111,
        message: {
          message_id: 77,
          from: { id: OWNER, is_bot: false, first_name: "O" },
          chat: { id: OWNER, type: "private" },
          date: 1,
          text: "once",
        },
      };
      fake.enqueue(update);
      fake.enqueue(update);
      fake.message(OWNER, "barrier");
      await until(() => sentTo(fake, OWNER).includes("echo: barrier"));
      assert.deepEqual(agent.turns.map((t) => t.input), ["once", "barrier"]);
      assert.deepEqual(sentTo(fake, OWNER), ["echo: once", "echo: barrier"]);
    } finally {
      await r.stop();
    }
  });

  it("honours 429 retry_after and delivers the reply once", async () => {
    fake.calls.length = 0;
    const r = run(fake);
    try {
      fake.rateLimitNext(1);
      fake.message(OWNER, "slow down");
      const okCall = await fake.waitFor((c) => c.method === "sendMessage" && c.status === 200);
      const limited = fake.callsOf("sendMessage").filter((c) => c.status === 429);
      assert.equal(limited.length, 1);
      assert.ok(okCall.at - limited[0]!.at >= 950, "waited retry_after seconds");
      assert.deepEqual(sentTo(fake, OWNER), ["echo: slow down"]);
    } finally {
      await r.stop();
    }
  });

  it("denies everyone when the allowlist is empty", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const logger = memoryLogger();
    const r = run(fake, { agent, logger, allowlist: [] });
    try {
      const id = fake.message(OWNER, "hello");
      await fake.waitFor((c) => c.method === "getUpdates" && Number(c.params.offset) > id);
      await r.channel.idle!();
      assert.equal(agent.turns.length, 0);
      assert.equal(fake.callsOf("sendMessage").length, 0);
      assert.ok(logger.has("warn", /TELEGRAM_ALLOWLIST is empty/));
    } finally {
      await r.stop();
    }
  });

  it("matches ids exactly: no prefixes, composites, usernames or padding", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const channel = createTelegram({
      token: fake.token,
      apiBase: fake.url,
      agent,
      allowlist: ["4242", "u4242"],
      webhookSecret: "s3cret",
      retry: FAST_RETRY,
    });
    let n = 1;
    const post = (from: unknown) =>
      channel.webhook!.handle(
        new Request("http://gw/channels/telegram/webhook", {
          method: "POST",
          headers: { "x-telegram-bot-api-secret-token": "s3cret" },
          body: JSON.stringify({
            update_id: 900 + n,
            message: {
              message_id: n++,
              from,
              chat: { id: 1, type: "private" },
              date: 1,
              text: "x",
            },
          }),
        }),
      );
    for (
      const from of [
        { id: 42420, is_bot: false, username: "u4242" },
        { id: 424, is_bot: false },
        { id: "4242", is_bot: false },
        { id: "4242|1", is_bot: false },
        { id: -4242, is_bot: false },
        { id: 4242, is_bot: true },
        { username: "4242" },
      ]
    ) {
      assert.equal((await post(from)).status, 200);
    }
    assert.equal((await post({ id: 4242, is_bot: false })).status, 200);
    await until(() => agent.turns.length === 1);
    await fake.waitFor((c) => c.method === "sendMessage" && c.params.text === "echo: x");
    assert.equal(agent.turns.length, 1);
    assert.equal(agent.turns[0]!.requestedBy, "telegram:4242");
  });

  it("answers a non-text message with a short note and no agent call", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const r = run(fake, { agent });
    try {
      fake.message(OWNER, undefined);
      const note = await fake.waitFor((c) => c.method === "sendMessage");
      assert.match(String(note.params.text), /only read text/);
      await r.channel.idle!();
      assert.equal(agent.turns.length, 0);
    } finally {
      await r.stop();
    }
  });

  it("reports an agent failure briefly to the sender and fully to the log", async () => {
    fake.calls.length = 0;
    const logger = memoryLogger();
    const agent = echoAgent(() => {
      throw new Error("provider exploded: secret stack detail");
    });
    const r = run(fake, { agent, logger });
    try {
      fake.message(OWNER, "hi");
      const sent = await fake.waitFor((c) => c.method === "sendMessage");
      assert.match(String(sent.params.text), /could not answer/);
      assert.doesNotMatch(String(sent.params.text), /secret stack detail/);
      assert.ok(logger.has("error", /provider exploded/));
    } finally {
      await r.stop();
    }
  });

  it("backs off on 409 with a clear log instead of crash-looping, then resumes", async () => {
    fake.calls.length = 0;
    fake.conflict = true;
    const logger = memoryLogger();
    const r = run(fake, { logger, maxPollBackoffMs: 100 });
    try {
      await until(() => fake.callsOf("getUpdates").length >= 2);
      assert.ok(logger.has("error", /409.*Another instance is polling.*webhook/s));
      fake.conflict = false;
      fake.message(OWNER, "back");
      await fake.waitFor((c) => c.method === "sendMessage" && c.params.text === "echo: back");
    } finally {
      fake.conflict = false;
      await r.stop();
    }
  });

  it("onCommand answers a command before the agent; text it leaves goes to the agent", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const commands: [string, string][] = [];
    const r = run(fake, {
      agent,
      onCommand: async (text, sender) => {
        commands.push([text, sender]);
        return text.startsWith("/undo") ? "Undone" : undefined;
      },
    });
    try {
      fake.message(OWNER, "/undo");
      await until(() => sentTo(fake, OWNER).includes("Undone"));
      fake.message(OWNER, "hello");
      await until(() => sentTo(fake, OWNER).includes("echo: hello"));
      assert.deepEqual(commands, [["/undo", `telegram:${OWNER}`], ["hello", `telegram:${OWNER}`]]);
      assert.deepEqual(agent.turns.map((t) => t.input), ["hello"]);
    } finally {
      await r.stop();
    }
  });

  it("routes button presses of allowlisted senders to onButton", async () => {
    fake.calls.length = 0;
    const presses: unknown[] = [];
    const r = run(fake, {
      onButton: async (press) => {
        presses.push(press);
        return { text: "Approved" };
      },
    });
    try {
      const sent = await r.channel.send(String(OWNER), "Apply change c1?", {
        buttons: [{ text: "Approve", data: "ap:c1" }, { text: "Deny", data: "dn:c1" }],
      });
      const call = fake.callsOf("sendMessage").at(-1)!;
      assert.deepEqual(call.params.reply_markup, {
        inline_keyboard: [[
          { text: "Approve", callback_data: "ap:c1" },
          { text: "Deny", callback_data: "dn:c1" },
        ]],
      });
      const message = { message_id: Number(sent.ids[0]), chat: { id: OWNER, type: "private" } };
      fake.enqueue({
        callback_query: { id: "cb1", from: { id: 777, is_bot: false }, message, data: "ap:c1" },
      });
      fake.enqueue({
        callback_query: { id: "cb2", from: { id: OWNER, is_bot: false }, message, data: "ap:c1" },
      });
      await fake.waitFor((c) => c.method === "editMessageText");
      const answers = fake.callsOf("answerCallbackQuery");
      assert.deepEqual(
        answers.map((a) => [a.params.callback_query_id, a.params.text]).sort(),
        [["cb1", "Not allowed"], ["cb2", "Approved"]],
      );
      assert.deepEqual(presses, [{
        channel: "telegram",
        senderId: String(OWNER),
        data: "ap:c1",
        to: String(OWNER),
        messageId: sent.ids[0],
      }]);
      await assert.rejects(
        r.channel.send("1", "x", { buttons: [{ text: "t", data: "x".repeat(65) }] }),
        RangeError,
      );
    } finally {
      await r.stop();
    }
  });

  it("webhook() checks the secret token in constant time and answers 401 when wrong", async () => {
    fake.calls.length = 0;
    const agent = echoAgent();
    const make = (secret?: string) =>
      createTelegram({
        token: fake.token,
        apiBase: fake.url,
        agent,
        allowlist: [String(OWNER)],
        ...(secret ? { webhookSecret: secret } : {}),
        retry: FAST_RETRY,
      });
    const update = (id: number) =>
      JSON.stringify({
        update_id: id,
        message: {
          message_id: id,
          from: { id: OWNER, is_bot: false },
          chat: { id: OWNER, type: "private" },
          date: 1,
          text: `hook ${id}`,
        },
      });
    const req = (id: number, header?: string) =>
      new Request("http://gw/channels/telegram/webhook", {
        method: "POST",
        headers: header === undefined ? {} : { "x-telegram-bot-api-secret-token": header },
        body: update(id),
      });
    const channel = make("right-secret");
    assert.equal((await channel.webhook!.handle(req(1))).status, 401);
    assert.equal((await channel.webhook!.handle(req(2, "wrong-secret"))).status, 401);
    assert.equal((await channel.webhook!.handle(req(3, "right-secre"))).status, 401);
    assert.equal((await channel.webhook!.handle(req(4, "right-secrett"))).status, 401);
    assert.equal((await make().webhook!.handle(req(5, ""))).status, 401);
    assert.equal((await channel.webhook!.handle(req(6, "right-secret"))).status, 200);
    assert.equal((await channel.webhook!.handle(req(6, "right-secret"))).status, 200);
    await fake.waitFor((c) => c.method === "sendMessage");
    // Updates are handled in order (same sender): a later one, answered, proves the redelivery
    // started no turn of its own.
    assert.equal((await channel.webhook!.handle(req(7, "right-secret"))).status, 200);
    await fake.waitFor((c) => c.method === "sendMessage" && c.params.text === "echo: hook 7");
    assert.deepEqual(agent.turns.map((t) => t.input), ["hook 6", "hook 7"]);
    assert.deepEqual(fake.callsOf("sendMessage").map((c) => c.params.text), [
      "echo: hook 6",
      "echo: hook 7",
    ]);
  });

  it("check() names the bot; a wrong token fails without leaking it", async () => {
    const ok = await createTelegram({
      token: fake.token,
      apiBase: fake.url,
      agent: echoAgent(),
      allowlist: [],
    }).check();
    assert.deepEqual(ok, {
      ok: true,
      detail: "Telegram bot @mikroclaw_bot (id 123456)",
      identity: "@mikroclaw_bot",
    });
    const bad = await createTelegram({
      token: "999:WRONG-token-value",
      apiBase: fake.url,
      agent: echoAgent(),
      allowlist: [],
      retry: FAST_RETRY,
    }).check();
    assert.equal(bad.ok, false);
    assert.match(bad.detail, /401/);
    assert.doesNotMatch(bad.detail, /WRONG-token-value/);
    const test = await createTelegram({
      token: fake.token,
      apiBase: fake.url,
      agent: echoAgent(),
      allowlist: [],
    }).sendTest("4242", "ping");
    assert.equal(test.ok, true);
  });
});
