import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMemory } from "../../lib/memory/create_memory.ts";
import { memuDriver, type MemuDriverOptions } from "../../lib/memory/memu_driver.ts";
import { MemoryError } from "../../lib/memory/memory_error.ts";
import { memoryTools } from "../../lib/tools/memory.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";
import type { Tool, ToolContext } from "../../lib/tools/types.ts";
import { type FakeMemu, startFakeMemu } from "../_fakes/memu.ts";
import { serveLocal } from "../_utils/serve.ts";

const context: ToolContext = {
  signal: new AbortController().signal,
  requestedBy: "telegram:4242",
  sessionKey: "telegram:4242",
  logger: silentLogger,
};

let fake: FakeMemu;

function memory(extra: Partial<MemuDriverOptions> = {}) {
  return createMemory({
    driver: memuDriver({
      apiKey: "mu-test-key",
      baseUrl: fake.url,
      agentId: "router-1",
      pollIntervalMs: 5,
      retryBaseMs: 5,
      requestTimeoutMs: 2_000,
      ...extra,
    }),
  });
}

function tool(tools: Tool[], name: string): Tool {
  const found = tools.find((t) => t.name === name);
  assert.ok(found, name);
  return found;
}

describe("memuDriver() against a fake memU v3", () => {
  before(async () => {
    fake = await startFakeMemu({ pollsToComplete: 2 });
  });
  after(async () => {
    await fake.close();
  });

  it("store -> recall -> forget round-trips through the memory tools", async () => {
    const tools = memoryTools(memory());
    const stored = await tool(tools, "memory_store").call(
      { key: "guest-wifi", value: "Guest Wi-Fi stays off on weekends" },
      context,
    );
    assert.equal(stored.isError, false, stored.content);
    // The memorize task was polled until SUCCESS before the tool answered.
    const polls = fake.requests.filter((r) => r.path.includes("/memorize/status/"));
    assert.ok(polls.length >= 2);
    const memorize = fake.requests.find((r) => r.path === "/api/v3/memory/memorize")!;
    assert.equal(memorize.headers.authorization, "Bearer mu-test-key");
    const body = memorize.body as {
      user_id: string;
      agent_id: string;
      conversation: unknown[];
    };
    assert.equal(body.user_id, "router-1");
    assert.match(body.agent_id, /^router-1\.k\.[0-9a-f]{24}$/);
    // one line, no framing sentence memU could keep as an item of its own
    assert.deepEqual(body.conversation, [{
      role: "user",
      content: "guest-wifi: Guest Wi-Fi stays off on weekends",
    }]);

    const recalled = await tool(tools, "memory_recall").call({
      key: "guest-wifi",
    }, context);
    assert.equal(recalled.isError, false, recalled.content);
    const answer = JSON.parse(recalled.content);
    assert.equal(answer.found, true);
    assert.match(answer.value, /Guest Wi-Fi stays off on weekends/);

    const forgot = await tool(tools, "memory_forget").call({
      key: "guest-wifi",
    }, context);
    assert.deepEqual(JSON.parse(forgot.content), {
      forgotten: true,
      key: "guest-wifi",
    });
    const again = JSON.parse(
      (await tool(tools, "memory_recall").call({ key: "guest-wifi" }, context))
        .content,
    );
    assert.equal(again.found, false);
    assert.deepEqual(again.matches, []);
  });

  it("forget(key) deletes only that key; store(key) replaces the earlier value", async () => {
    const m = memory();
    await m.store("alpha", "alpha value one");
    await m.store("beta", "beta value");
    await m.store("alpha", "alpha value two");
    const alpha = await m.recall("alpha");
    assert.equal(alpha.length, 1);
    assert.match(alpha[0]!.value, /alpha value two/);
    assert.equal(await m.forget("alpha"), true);
    assert.equal((await m.recall("alpha")).length, 0);
    assert.match((await m.recall("beta"))[0]!.value, /beta value/);
    await m.forget("beta");
  });

  it("recall by key returns exactly what was stored, however memU split and rephrased it", async () => {
    const tools = memoryTools(memory());
    const value = "The guest network is called Cafe. Its password is hunter2!\nChange it monthly.";
    const stored = await tool(tools, "memory_store").call({ key: "wifi", value }, context);
    assert.equal(stored.isError, false, stored.content);
    // memU (the fake, as the real one) kept several rephrased items, not the text
    const kept = fake.memories.filter((m) => /Cafe|hunter2|monthly/.test(m.content));
    assert.ok(kept.length >= 3, JSON.stringify(kept));
    assert.ok(kept.every((m) => m.content !== value && m.content.startsWith("The user said")));
    const recalled = JSON.parse(
      (await tool(tools, "memory_recall").call({ key: "wifi" }, context)).content,
    );
    assert.deepEqual({ found: recalled.found, value: recalled.value }, { found: true, value });
    await tool(tools, "memory_forget").call({ key: "wifi" }, context);
  });

  it("recall by free text searches every key's scope and answers with the stored values", async () => {
    const m = memory();
    await m.store("wifi", "Guest password is hunter2");
    await m.store("backup", "Nightly export goes to the NAS at 02:00");
    await m.remember!("The owner likes short answers");
    const items = await m.recall("when does the nightly export run?");
    assert.deepEqual(items[0], {
      key: "backup",
      value: "Nightly export goes to the NAS at 02:00",
      score: items[0]?.score,
    }, JSON.stringify(items));
    const password = await m.recall("guest password");
    assert.equal(password.find((i) => i.key === "wifi")?.value, "Guest password is hunter2");
    await m.forget("wifi");
    await m.forget("backup");
  });

  it("a key whose local copy is gone (memory storage, restarted) is answered from memU", async () => {
    await memory().store("vpn", "WireGuard peer is 10.9.0.2");
    const restarted = memory(); // a fresh store: the exact value and key list are gone
    const items = await restarted.recall("vpn");
    assert.equal(items[0]?.key, "vpn");
    assert.match(items[0]!.value, /WireGuard peer is 10\.9\.0\.2/);
    assert.equal(await restarted.forget("vpn"), true);
    assert.equal((await memory().recall("vpn")).length, 0);
  });

  it("remember() goes to the agent scope and recall(query) finds it", async () => {
    const m = memory();
    await m.remember!("The owner blocks Tor exit nodes every night");
    const items = await m.recall("when are tor exit nodes blocked?");
    assert.ok(
      items.some((i) => /Tor exit nodes/.test(i.value)),
      JSON.stringify(items),
    );
  });

  it("401 becomes a clear auth error and is not retried", async () => {
    const before = fake.requests.length;
    const m = memory({ apiKey: "wrong" });
    await assert.rejects(m.store("k", "v"), (error: MemoryError) => {
      assert.ok(error instanceof MemoryError);
      assert.equal(error.kind, "auth");
      assert.equal(error.code, "E_MEMORY");
      assert.match(
        error.message,
        /API key was refused \(401\); check MEMU_API_KEY/,
      );
      assert.doesNotMatch(error.message, /wrong/);
      return true;
    });
    assert.equal(fake.requests.length - before, 1);
    const probe = await m.probe();
    assert.equal(probe.ok, false);
    assert.match(probe.detail, /MEMU_API_KEY/);
  });

  it("429 with Retry-After is waited out and retried", async () => {
    fake.script("retrieve", {
      status: 429,
      headers: { "retry-after": "0" },
      body: { detail: "slow" },
    });
    const items = await memory().recall("anything at all");
    assert.ok(Array.isArray(items));
  });

  it("429 beyond the retries or with a long Retry-After fails as rate-limit", async () => {
    fake.script("categories", {
      status: 429,
      headers: { "retry-after": "120" },
    });
    const m = memory();
    const probe = await m.probe();
    assert.equal(probe.ok, false);
    assert.match(probe.detail, /rate limited \(429\), retry after 120 s/);
    fake.script("delete", { status: 429, headers: { "retry-after": "3600" } });
    await assert.rejects(m.forget("k"), (error: MemoryError) => {
      assert.equal(error.kind, "rate-limit");
      assert.equal(error.retryAfterMs, 3_600_000);
      return true;
    });
  });

  it("5xx is retried, then reported as a server error", async () => {
    fake.script("delete", { status: 503 }, { status: 502 });
    assert.equal(await memory().forget("k"), true, "two 5xx then success");
    fake.script("delete", { status: 500 }, { status: 500 }, { status: 500 });
    await assert.rejects(memory().forget("k"), (error: MemoryError) => {
      assert.equal(error.kind, "server");
      assert.match(error.message, /server error 500/);
      return true;
    });
  });

  it("a FAILED memorize task and a task that never finishes are errors", async () => {
    fake.failTasks(true);
    try {
      await assert.rejects(memory().store("k", "v"), /task task_\w+ failed/);
    } finally {
      fake.failTasks(false);
    }
    fake.script(
      "status",
      ...Array.from({ length: 50 }, () => ({
        status: 200,
        body: { task_id: "x", status: "PROCESSING" },
      })),
    );
    await assert.rejects(
      memory({ taskTimeoutMs: 30 }).store("k", "v"),
      /did not finish within 30 ms/,
    );
    fake.clearScripts();
  });

  it("422 validation detail is shown", async () => {
    fake.script("retrieve", {
      status: 422,
      body: {
        detail: [{
          loc: ["body", "user_id"],
          msg: "field required",
          type: "x",
        }],
      },
    });
    fake.script("retrieve", {
      status: 422,
      body: {
        detail: [{
          loc: ["body", "user_id"],
          msg: "field required",
          type: "x",
        }],
      },
    });
    await assert.rejects(
      memory().recall("q"),
      /request refused \(422\): body\.user_id: field required/,
    );
  });

  it("the API base path is configurable (memU changes versions)", async () => {
    const v4 = await startFakeMemu({
      prefix: "/api/v9/memory",
      pollsToComplete: 1,
    });
    try {
      const m = createMemory({
        driver: memuDriver({
          apiKey: "mu-test-key",
          baseUrl: v4.url + "/",
          apiPrefix: "/api/v9/memory/",
          pollIntervalMs: 1,
        }),
      });
      await m.store("x", "y");
      assert.ok(v4.requests.every((r) => r.path.startsWith("/api/v9/memory/")));
      assert.equal((await m.probe()).ok, true);
    } finally {
      await v4.close();
    }
  });
});

describe("memuDriver() when memU is unreachable", () => {
  it("the tools return a clear error result instead of throwing", async () => {
    const closed = await serveLocal(() => new Response("x"));
    const url = closed.url;
    await closed.close();
    const m = createMemory({
      driver: memuDriver({
        apiKey: "k",
        baseUrl: url,
        maxRetries: 1,
        retryBaseMs: 1,
      }),
    });
    for (
      const [name, args] of [
        ["memory_store", { key: "a", value: "b" }],
        ["memory_recall", { key: "a" }],
        ["memory_forget", { key: "a" }],
      ] as const
    ) {
      const result = await tool(memoryTools(m), name).call(args, context);
      assert.equal(result.isError, true);
      assert.match(
        JSON.parse(result.content).error,
        /^Cannot reach memU at http:\/\/127\.0\.0\.1:\d+/,
      );
    }
    const probe = await m.probe();
    assert.equal(probe.ok, false);
    assert.match(probe.detail, /Cannot reach memU/);
  });

  it("a hanging memU times out with a clear error", async () => {
    const pending: Array<() => void> = [];
    const hang = await serveLocal(() =>
      new Promise<Response>((resolve) => pending.push(() => resolve(new Response("late"))))
    );
    try {
      const m = createMemory({
        driver: memuDriver({
          apiKey: "k",
          baseUrl: hang.url,
          requestTimeoutMs: 50,
          maxRetries: 0,
        }),
      });
      await assert.rejects(
        m.recall("q"),
        /Cannot reach memU at .*: no answer within 50 ms/,
      );
    } finally {
      for (const release of pending) release();
      await hang.close();
    }
  });

  it("memuDriver() refuses an empty API key", () => {
    assert.throws(() => memuDriver({ apiKey: " " }), /MEMU_API_KEY is empty/);
  });
});
