import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { createStateStoreFromUrl } from "../../lib/storage/from_url.ts";
import { HOSTILE_KEYS, testStateStoreContract } from "../_contract/state_store.ts";

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (
    const entry of await readdir(dir, { withFileTypes: true, recursive: true })
  ) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

describe("createStateStoreFromUrl('fs:...'): contract", () => {
  testStateStoreContract({
    async setup() {
      const dir = await mkdtemp(join(tmpdir(), "mc-fs-"));
      let clock = 1_000_000;
      const now = () => clock;
      const store = await createStateStoreFromUrl(`fs:${dir}/state`, { now });
      const peer = await createStateStoreFromUrl(`fs:${dir}/state`, { now });
      return {
        store,
        peer,
        advance: (ms: number) => {
          clock += ms;
          return Promise.resolve();
        },
        async cleanup() {
          await store.dispose();
          await peer.dispose();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  });
});

describe("fs storage", () => {
  it("keeps hostile keys inside its directory, as private files, with no temp files left", async () => {
    const root = await mkdtemp(join(tmpdir(), "mc-fs-"));
    const base = join(root, "a", "b", "state");
    const store = await createStateStoreFromUrl(`fs:${base}`);
    try {
      assert.equal(store.kind, "fs");
      for (const [i, key] of HOSTILE_KEYS.entries()) {
        await store.set(key, i);
        await store.set(`tokens:${key}`, i);
      }
      const files = await listFiles(root);
      assert.ok(files.length >= HOSTILE_KEYS.length);
      for (const file of files) {
        const rel = relative(base, file);
        assert.ok(
          !rel.startsWith("..") && !rel.startsWith(sep),
          `${file} escaped ${base}`,
        );
        assert.doesNotMatch(file, /\.tmp$/);
        assert.equal(
          (await stat(file)).mode & 0o077,
          0,
          `${file} is readable by others`,
        );
        for (const part of rel.split(sep)) assert.ok(part.length <= 255);
      }
      assert.equal((await stat(base)).mode & 0o077, 0);
      for (const [i, key] of HOSTILE_KEYS.entries()) {
        assert.equal(await store.get(key), i);
      }
    } finally {
      await store.dispose();
      await rm(root, { recursive: true, force: true });
    }
  });

  it("persists across instances (a restart keeps the state)", async () => {
    const root = await mkdtemp(join(tmpdir(), "mc-fs-"));
    try {
      const first = await createStateStoreFromUrl(`fs:${root}`);
      await first.set("identity:device", { id: "dev-1" });
      await first.dispose();
      const second = await createStateStoreFromUrl(`fs:${root}`);
      assert.deepEqual(await second.get("identity:device"), { id: "dev-1" });
      await second.dispose();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("overwrites by rename: a reader never sees a torn value", async () => {
    const root = await mkdtemp(join(tmpdir(), "mc-fs-"));
    const writer = await createStateStoreFromUrl(`fs:${root}`);
    const reader = await createStateStoreFromUrl(`fs:${root}`);
    try {
      const big = (n: number) => ({ n, pad: String(n).repeat(200_000) });
      await writer.set("big", big(1));
      const writes = Promise.all(
        [2, 3, 4, 5].map((n) => writer.set("big", big(n))),
      );
      for (let i = 0; i < 20; i++) {
        const value = await reader.get<{ n: number; pad: string }>("big");
        assert.ok(value !== null, "value vanished during an overwrite");
        assert.equal(value.pad, String(value.n).repeat(200_000));
      }
      await writes;
    } finally {
      await writer.dispose();
      await reader.dispose();
      await rm(root, { recursive: true, force: true });
    }
  });
});
