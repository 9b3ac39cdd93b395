/**
 * The StateStore contract every backend (memory, fs, Redis) must pass, in the spirit of
 * unstorage's `testDriver`: call {@linkcode testStateStoreContract} inside a `describe`.
 * @module
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { StateStore } from "../../lib/storage/types.ts";

/**
 * The TTL of the expiry cases: Redis expires by real time, so it is long enough that a busy
 * machine does not expire a key between two commands that expect it still there.
 */
const TTL_MS = 1000;
/** How far `advance` goes to see a {@linkcode TTL_MS} key expired. */
const PAST_TTL_MS = 1500;

/** One isolated namespace of a backend, with a second instance sharing it. */
export interface StateStoreFixture {
  store: StateStore;
  /** Another instance (own connection where the backend has one) on the same namespace. */
  peer: StateStore;
  /** Lets `ms` of store time pass (a fake clock, or a real wait for Redis expiry). */
  advance(ms: number): Promise<void>;
  /** Disposes both instances and removes the namespace. */
  cleanup(): Promise<void>;
}

/** Options of {@linkcode testStateStoreContract}. */
export interface StateStoreContractOptions {
  /** Opens a fresh, empty namespace. */
  setup(): Promise<StateStoreFixture>;
  /** Concurrent callers in the race tests. @default {200} */
  concurrency?: number;
}

/** Keys that would collide, escape a directory or break a backend if stored raw. */
export const HOSTILE_KEYS: readonly string[] = [
  "../../etc/passwd",
  "..",
  ".",
  "a/b",
  "a:b",
  "a\\b",
  "a?x",
  "a",
  "x\0y",
  ":lead",
  "trail:",
  "a::b",
  "$meta$",
  "node_modules",
  ".git",
  "%2E%2E",
  "~hash",
  "sp ace",
  "emoji-🛜",
  "",
  "k".repeat(5_000),
  "/".repeat(300),
  "s:".repeat(40) + "deep",
];

async function withFixture(
  options: StateStoreContractOptions,
  fn: (fixture: StateStoreFixture) => Promise<void>,
): Promise<void> {
  const fixture = await options.setup();
  try {
    await fn(fixture);
  } finally {
    await fixture.cleanup();
  }
}

/** Registers the contract tests for one backend. */
export function testStateStoreContract(
  options: StateStoreContractOptions,
): void {
  const n = options.concurrency ?? 200;

  it("get() of a missing key is null; set()/get() round-trip JSON values", async () => {
    await withFixture(options, async ({ store }) => {
      assert.equal(await store.get("missing"), null);
      const values: unknown[] = [{ a: [1, "x", null] }, "text", 0, false, "", [
        1,
        2,
      ]];
      for (const [i, value] of values.entries()) {
        await store.set(`v:${i}`, value);
      }
      for (const [i, value] of values.entries()) {
        assert.deepEqual(await store.get(`v:${i}`), value);
      }
    });
  });

  it("remove() deletes and keys() lists only live keys under the prefix", async () => {
    await withFixture(options, async ({ store }) => {
      await store.set("tasks:1", 1);
      await store.set("tasks:2", 2);
      await store.set("tasks2", 3);
      await store.set("tokens:1", 4);
      assert.deepEqual((await store.keys("tasks:")).sort(), [
        "tasks:1",
        "tasks:2",
      ]);
      assert.deepEqual((await store.keys("tasks")).sort(), [
        "tasks2",
        "tasks:1",
        "tasks:2",
      ]);
      await store.remove("tasks:1");
      assert.equal(await store.get("tasks:1"), null);
      assert.deepEqual(await store.keys("tasks:"), ["tasks:2"]);
    });
  });

  it("hostile keys stay distinct and round-trip, and keys() returns them verbatim", async () => {
    await withFixture(options, async ({ store }) => {
      for (const [i, key] of HOSTILE_KEYS.entries()) {
        await store.set(`h:${key}`, i);
      }
      for (const [i, key] of HOSTILE_KEYS.entries()) {
        assert.equal(
          await store.get(`h:${key}`),
          i,
          `key ${JSON.stringify(key.slice(0, 40))}`,
        );
      }
      const listed = (await store.keys("h:")).sort();
      assert.deepEqual(listed, HOSTILE_KEYS.map((k) => `h:${k}`).sort());
      for (const key of HOSTILE_KEYS) await store.remove(`h:${key}`);
      assert.deepEqual(await store.keys("h:"), []);
    });
  });

  it("any two distinct keys never collide (property)", { timeout: 60_000 }, async () => {
    await withFixture(options, async ({ store }) => {
      const key = fc.string({ unit: "binary", maxLength: 80 }).filter((k) => k.isWellFormed());
      await fc.assert(
        fc.asyncProperty(key, key, async (a, b) => {
          fc.pre(a !== b);
          await store.set(`p:${a}`, "A");
          await store.set(`p:${b}`, "B");
          const ok = (await store.get(`p:${a}`)) === "A" &&
            (await store.get(`p:${b}`)) === "B";
          await store.remove(`p:${a}`);
          await store.remove(`p:${b}`);
          return ok;
        }),
        { numRuns: 40 },
      );
    });
  });

  it("rejects a key with a lone surrogate and a bad ttlMs", async () => {
    await withFixture(options, async ({ store }) => {
      await assert.rejects(store.set("bad\uD800", 1), TypeError);
      for (const ttlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        await assert.rejects(store.set("k", 1, { ttlMs }), RangeError);
        await assert.rejects(store.setIfAbsent("k", 1, { ttlMs }), RangeError);
      }
      assert.equal(await store.get("k"), null);
    });
  });

  it("keys expire after their TTL (get, keys, setIfAbsent)", async () => {
    await withFixture(options, async ({ store, advance }) => {
      await store.set("ttl:a", { a: 1 }, { ttlMs: TTL_MS });
      await store.set("ttl:keep", 1);
      assert.deepEqual(await store.get("ttl:a"), { a: 1 });
      assert.equal(await store.setIfAbsent("ttl:a", 2), false);
      await advance(PAST_TTL_MS);
      assert.equal(await store.get("ttl:a"), null);
      assert.deepEqual(await store.keys("ttl:"), ["ttl:keep"]);
      assert.equal(
        await store.setIfAbsent("ttl:a", 3, { ttlMs: 60_000 }),
        true,
      );
      assert.equal(await store.get("ttl:a"), 3);
    });
  });

  it("update() keeps the expiry unless given a new ttlMs", async () => {
    await withFixture(options, async ({ store, advance }) => {
      await store.set("u:ttl", 1, { ttlMs: TTL_MS });
      assert.equal(await store.update<number>("u:ttl", (c) => (c ?? 0) + 1), 2);
      await advance(PAST_TTL_MS);
      assert.equal(
        await store.get("u:ttl"),
        null,
        "update() must not make a key immortal",
      );
      await store.set("u:renew", 1, { ttlMs: TTL_MS });
      await store.update<number>("u:renew", (c) => (c ?? 0) + 1, {
        ttlMs: 60_000,
      });
      await advance(PAST_TTL_MS);
      assert.equal(await store.get("u:renew"), 2);
    });
  });

  it("update() with undefined leaves the value unchanged; on a missing key sees null", async () => {
    await withFixture(options, async ({ store }) => {
      let seen: unknown = "unset";
      assert.equal(
        await store.update("u:none", (c) => {
          seen = c;
          return undefined;
        }),
        null,
      );
      assert.equal(seen, null);
      assert.equal(await store.get("u:none"), null);
      await store.set("u:x", { n: 1 });
      assert.deepEqual(await store.update("u:x", () => undefined), { n: 1 });
    });
  });

  it("two instances share keys", async () => {
    await withFixture(options, async ({ store, peer }) => {
      await store.set("shared:token", { id: "t1" });
      assert.deepEqual(await peer.get("shared:token"), { id: "t1" });
      assert.deepEqual(await peer.keys("shared:"), ["shared:token"]);
      await peer.remove("shared:token");
      assert.equal(await store.get("shared:token"), null);
    });
  });

  it(`${n} concurrent setIfAbsent() claims across two instances: exactly one winner`, async () => {
    await withFixture(options, async ({ store, peer }) => {
      const results = await Promise.all(
        Array.from(
          { length: n },
          (_, i) =>
            (i % 2 === 0 ? store : peer).setIfAbsent("claim:task-1", i, {
              ttlMs: 60_000,
            }),
        ),
      );
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1);
      assert.equal(await store.get("claim:task-1"), winners[0]);
      assert.equal(await peer.get("claim:task-1"), winners[0]);
    });
  });

  it(`${n} concurrent update() increments across two instances add up to ${n}`, async () => {
    await withFixture(options, async ({ store, peer }) => {
      await Promise.all(
        Array.from(
          { length: n },
          (_, i) =>
            (i % 2 === 0 ? store : peer).update<number>(
              "counter",
              (c) => (c ?? 0) + 1,
            ),
        ),
      );
      assert.equal(await store.get("counter"), n);
      assert.equal(await peer.get("counter"), n);
    });
  });
}
