import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../lib/errors.ts";
import { createStateStoreFromUrl, parseStorageSpec } from "../../lib/storage/from_url.ts";
import { probeStorage } from "../../lib/storage/probe_storage.ts";

describe("parseStorageSpec()", () => {
  it("defaults to memory", () => {
    for (const spec of [undefined, "", "  ", "memory"]) {
      assert.deepEqual(parseStorageSpec(spec), { kind: "memory" });
    }
  });

  it("parses fs: and redis:// specs", () => {
    assert.deepEqual(parseStorageSpec("fs:/var/lib/mc"), {
      kind: "fs",
      path: "/var/lib/mc",
    });
    assert.deepEqual(
      parseStorageSpec("redis://:pw@10.0.0.5:6380/3?prefix=site-1"),
      {
        kind: "redis",
        url: "redis://:pw@10.0.0.5:6380/3",
        display: "redis://:***@10.0.0.5:6380/3",
        prefix: "site-1",
      },
    );
    assert.equal(parseStorageSpec("rediss://cache.example:6379").kind, "redis");
  });

  it("rejects bad specs with a ConfigError naming MIKROCLAW_STORAGE, with an example", () => {
    for (
      const spec of [
        "sqlite:/x",
        "fs:",
        "fs://host/x",
        "redis://",
        "redis://h:6379/db",
        "redis://h:6379/0?family=6",
        "redis://h:6379/0?prefix=bad prefix",
        "/var/lib/mc",
      ]
    ) {
      assert.throws(() => parseStorageSpec(spec), (error: unknown) => {
        assert.ok(error instanceof ConfigError, spec);
        assert.equal(error.issues[0]?.key, "MIKROCLAW_STORAGE");
        assert.match(error.message, /^MIKROCLAW_STORAGE: Cannot use/);
        return true;
      });
    }
    assert.throws(
      () => parseStorageSpec("nope"),
      /redis:\/\/127\.0\.0\.1:6379\/0/,
    );
  });

  it("never repeats a password in an error", () => {
    for (
      const spec of ["redis://u:hunter2@h:1/x", "redis://u:hunter2@h:1/0?x=1"]
    ) {
      assert.throws(() => parseStorageSpec(spec), (error: Error) => {
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      });
    }
  });
});

describe("createStateStoreFromUrl()", () => {
  it("opens the memory store by default and probeStorage() passes", async () => {
    const store = await createStateStoreFromUrl(undefined);
    try {
      assert.equal(store.kind, "memory");
      const probe = await probeStorage(store);
      assert.equal(probe.ok, true);
      assert.match(probe.detail, /memory/);
      assert.deepEqual(
        await store.keys(""),
        [],
        "the probe leaves nothing behind",
      );
    } finally {
      await store.dispose();
    }
  });

  it("probeStorage() reports a failing store with a fix, never throwing", async () => {
    const store = await createStateStoreFromUrl("memory");
    const broken = {
      ...store,
      set: () => Promise.reject(new Error("disk full")),
    };
    const probe = await probeStorage(broken);
    assert.equal(probe.ok, false);
    assert.match(probe.detail, /disk full; check MIKROCLAW_STORAGE/);
    await store.dispose();
  });

  it("rejects a bad Redis key prefix", async () => {
    await assert.rejects(
      createStateStoreFromUrl("redis://127.0.0.1:1", { prefix: "a b" }),
      TypeError,
    );
  });
});
