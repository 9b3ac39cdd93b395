import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createStateStoreFromUrl } from "../../lib/storage/from_url.ts";
import { probeStorage } from "../../lib/storage/probe_storage.ts";
import { sleep } from "../../lib/_internal/sleep.ts";
import { type LocalRedis, redisSkipReason, startRedis } from "../_utils/redis.ts";
import { testStateStoreContract } from "../_contract/state_store.ts";

const skip = redisSkipReason();
let redis: LocalRedis | undefined;
let counter = 0;

function url(): string {
  if (!redis) throw new Error("Redis did not start");
  return redis.url;
}

describe("createStateStoreFromUrl('redis://...') on a real redis-server", {
  skip,
}, () => {
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  describe("contract (two connections on one Redis)", () => {
    testStateStoreContract({
      async setup() {
        const prefix = `mc-test-${process.pid}-${++counter}`;
        const store = await createStateStoreFromUrl(url(), { prefix });
        const peer = await createStateStoreFromUrl(url(), { prefix });
        return {
          store,
          peer,
          // Redis expires keys by its own clock: real time is the behaviour here.
          advance: (ms) => sleep(ms),
          async cleanup() {
            await store.dispose();
            await peer.dispose();
          },
        };
      },
    });
  });

  it("keeps every key under the prefix and expires keys with Redis PX", async () => {
    const store = await createStateStoreFromUrl(`${url()}/2?prefix=fleet-a`);
    const raw = new Redis(`${url()}/2`);
    try {
      assert.equal(store.kind, "redis");
      await store.set("tokens:abc", { id: 1 }, { ttlMs: 60_000 });
      await store.setIfAbsent("claim:1", true, { ttlMs: 30_000 });
      await store.set("plain", 1);
      const keys = (await raw.keys("*")).sort();
      assert.deepEqual(keys, [
        "fleet-a:claim:1=",
        "fleet-a:plain=",
        "fleet-a:tokens:abc=",
      ]);
      const pttl = await raw.pttl("fleet-a:tokens:abc=");
      assert.ok(pttl > 0 && pttl <= 60_000, `PTTL ${pttl}`);
      assert.ok((await raw.pttl("fleet-a:claim:1=")) > 0);
      assert.equal(await raw.pttl("fleet-a:plain="), -1);
      await store.update<number>("plain", (n) => (n ?? 0) + 1, {
        ttlMs: 10_000,
      });
      assert.ok((await raw.pttl("fleet-a:plain=")) > 0);
    } finally {
      await store.dispose();
      raw.disconnect();
    }
  });

  it("separate prefixes are separate deployments", async () => {
    const a = await createStateStoreFromUrl(url(), { prefix: "deploy-a" });
    const b = await createStateStoreFromUrl(url(), { prefix: "deploy-b" });
    try {
      await a.set("tokens:x", "a");
      assert.equal(await b.get("tokens:x"), null);
      assert.deepEqual(await b.keys("tokens:"), []);
      assert.equal(await b.setIfAbsent("tokens:x", "b"), true);
      assert.equal(await a.get("tokens:x"), "a");
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it("probeStorage() reports a working Redis and never shows the password", async () => {
    const store = await createStateStoreFromUrl(url());
    try {
      const probe = await probeStorage(store);
      assert.equal(probe.ok, true, probe.detail);
      assert.match(probe.detail, /redis/);
    } finally {
      await store.dispose();
    }
  });
});

describe("createStateStoreFromUrl('redis://...') when Redis is unreachable", () => {
  it("fails with a clear E_STORAGE error naming MIKROCLAW_STORAGE, without the password", async () => {
    // Port 1 on loopback refuses connections.
    await assert.rejects(
      createStateStoreFromUrl("redis://user:s3cret@127.0.0.1:1/0", {
        connectTimeoutMs: 500,
      }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "E_STORAGE");
        assert.match(
          error.message,
          /^Cannot connect to MIKROCLAW_STORAGE redis:\/\/user:\*\*\*@127/,
        );
        assert.doesNotMatch(error.message, /s3cret/);
        return true;
      },
    );
  });
});
