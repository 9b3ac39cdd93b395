/**
 * Hole 10 of issue #17: against a Bot API server that answers `getUpdates` at once (no long
 * poll), the polling loop keeps a minimum gap between calls instead of spinning.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createTelegram } from "../../lib/channels/telegram.ts";
import { type FakeTelegram, startFakeTelegram } from "../_fakes/telegram.ts";
import { echoAgent, FAST_RETRY } from "./_helpers.ts";

describe("createTelegram() polling against a server that never holds the poll", () => {
  let fake: FakeTelegram;
  before(async () => {
    fake = await startFakeTelegram({ maxHoldMs: 0 });
  });
  after(async () => {
    await fake.close();
  });

  it("keeps the minimum gap between empty, immediate getUpdates answers", async () => {
    const gap = 250;
    const channel = createTelegram({
      token: fake.token,
      apiBase: fake.url,
      agent: echoAgent(),
      allowlist: ["4242"],
      pollTimeoutSeconds: 25,
      retry: FAST_RETRY,
      minPollGapMs: gap,
    });
    const controller = new AbortController();
    const startedAt = Date.now();
    const done = channel.start({ signal: controller.signal });
    const calls = 5;
    await fake.waitFor(() => fake.callsOf("getUpdates").length >= calls, 30_000);
    controller.abort();
    await done;
    const polls = fake.callsOf("getUpdates").filter((c) => c.params.timeout === 25)
      .slice(0, calls);
    assert.equal(polls.length, calls);
    // A lower bound (the loop started no call sooner than `gap` after the previous one
    // started); a spinning loop makes these calls within a few milliseconds.
    const elapsed = polls.at(-1)!.at - startedAt;
    assert.ok(elapsed >= (calls - 1) * gap - 2, `${calls} calls within ${elapsed} ms`);
  });

  it("waits 1 s between empty answers by default", async () => {
    const channel = createTelegram({
      token: fake.token,
      apiBase: fake.url,
      agent: echoAgent(),
      allowlist: ["4242"],
      retry: FAST_RETRY,
    });
    const first = fake.callsOf("getUpdates").length;
    const controller = new AbortController();
    const startedAt = Date.now();
    const done = channel.start({ signal: controller.signal });
    await fake.waitFor(() => fake.callsOf("getUpdates").length >= first + 3, 30_000);
    controller.abort();
    await done;
    const polls = fake.callsOf("getUpdates").slice(first).filter((c) => c.params.timeout === 25);
    assert.ok(polls.length >= 3);
    assert.ok(polls[2]!.at - startedAt >= 2 * 1000 - 2, "two gaps of at least 1 s each");
  });
});
