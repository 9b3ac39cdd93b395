import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createStorage } from "unstorage";
import { createStateStore } from "../../lib/storage/state_store.ts";
import { serveLocal } from "../_utils/serve.ts";
import { testStateStoreContract } from "../_contract/state_store.ts";

describe("createStateStore() on memory: contract", () => {
  testStateStoreContract({
    setup() {
      let clock = 1_000_000;
      const storage = createStorage();
      const now = () => clock;
      const store = createStateStore({ storage, kind: "memory", now });
      const peer = createStateStore({ storage, kind: "memory", now });
      return Promise.resolve({
        store,
        peer,
        advance: (ms: number) => {
          clock += ms;
          return Promise.resolve();
        },
        cleanup: () => store.dispose(),
      });
    },
  });
});

describe("createStateStore()", () => {
  it("setIfAbsent() lets exactly one of many concurrent callers win", async () => {
    const store = createStateStore({
      storage: createStorage(),
      kind: "memory",
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.setIfAbsent("claim:t1", i)),
    );
    assert.equal(results.filter(Boolean).length, 1);
  });

  it("expires keys after their TTL", async () => {
    let clock = 1000;
    const store = createStateStore({
      storage: createStorage(),
      kind: "memory",
      now: () => clock,
    });
    await store.set("k", { a: 1 }, { ttlMs: 50 });
    assert.deepEqual(await store.get("k"), { a: 1 });
    clock += 51;
    assert.equal(await store.get("k"), null);
  });

  it("update() serialises read-modify-write", async () => {
    const store = createStateStore({
      storage: createStorage(),
      kind: "memory",
    });
    await Promise.all(
      Array.from(
        { length: 100 },
        () => store.update<number>("n", (c) => (c ?? 0) + 1),
      ),
    );
    assert.equal(await store.get("n"), 100);
  });

  it("encodes keys so unstorage's normalisation cannot merge them", async () => {
    const storage = createStorage();
    const store = createStateStore({ storage, kind: "memory" });
    await store.set("a/b", 1);
    await store.set("a:b", 2);
    await store.set("a?q", 3);
    assert.deepEqual([
      await store.get("a/b"),
      await store.get("a:b"),
      await store.get("a?q"),
    ], [
      1,
      2,
      3,
    ]);
    assert.equal(await store.get("a"), null);
    for (const raw of await storage.getKeys()) {
      assert.match(raw, /^[A-Za-z0-9_%~:-]+=$/);
    }
  });

  it("serveLocal() answers on 127.0.0.1", async () => {
    const server = await serveLocal(() => Response.json({ ok: true }));
    try {
      const res = await fetch(`${server.url}/x`);
      assert.deepEqual(await res.json(), { ok: true });
    } finally {
      await server.close();
    }
  });
});
