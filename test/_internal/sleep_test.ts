import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { backoffMs, createRetryCounter, sleep } from "../../lib/_internal/sleep.ts";

describe("sleep()", () => {
  it("resolves after the delay", async () => {
    const started = Date.now();
    await sleep(20);
    assert.ok(Date.now() - started >= 15);
  });

  it("rejects with the abort reason when aborted while waiting", async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error("stop"));
    await assert.rejects(waiting, /stop/);
  });
});

describe("backoffMs()", () => {
  it("doubles from the base up to the cap", () => {
    const policy = { baseDelayMs: 500, maxDelayMs: 8000 };
    assert.deepEqual([0, 1, 2, 3, 4, 5, 40].map((n) => backoffMs(n, policy)), [
      500,
      1000,
      2000,
      4000,
      8000,
      8000,
      8000,
    ]);
  });

  it("takes off at most the jitter share, at random", () => {
    const policy = { baseDelayMs: 1000, jitter: 0.25 };
    assert.equal(backoffMs(0, { ...policy, random: () => 0 }), 1000);
    assert.equal(backoffMs(0, { ...policy, random: () => 0.5 }), 875);
    assert.equal(backoffMs(0, { ...policy, random: () => 0.9999 }), 1000 * (1 - 0.9999 * 0.25));
  });
});

describe("createRetryCounter()", () => {
  it("gives back-off waits until the retries are spent", () => {
    const next = createRetryCounter({ retries: 3, baseDelayMs: 10 });
    assert.deepEqual([next(), next(), next(), next(), next()], [10, 20, 40, undefined, undefined]);
  });

  it("honours the server's wait (429 Retry-After) and counts it as a retry", () => {
    const next = createRetryCounter({ retries: 2, baseDelayMs: 10, maxRetryAfterMs: 5000 });
    assert.equal(next(1234), 1234);
    assert.equal(next(0), 0);
    assert.equal(next(1), undefined);
  });

  it("gives up when the server asks for longer than is worth waiting", () => {
    const next = createRetryCounter({ retries: 5, baseDelayMs: 10, maxRetryAfterMs: 1000 });
    assert.equal(next(1001), undefined);
    assert.equal(next(1000), 1000, "a refused wait does not use up a retry");
  });

  it("ignores a negative server wait and backs off instead", () => {
    const next = createRetryCounter({ retries: 1, baseDelayMs: 10 });
    assert.equal(next(-5), 10);
  });

  it("gives up when the wait would end at or after the deadline", () => {
    let clock = 1000;
    const next = createRetryCounter({ retries: 5, baseDelayMs: 100 }, 1250, () => clock);
    assert.equal(next(), 100);
    clock = 1100;
    assert.equal(next(), undefined, "200 ms from 1100 passes the deadline at 1250");
    assert.equal(next(149), 149);
  });
});
