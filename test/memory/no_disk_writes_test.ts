import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createStateStoreFromUrl } from "../../lib/storage/from_url.ts";
import { probeStorage } from "../../lib/storage/probe_storage.ts";
import { loadIdentity, rotateIdentity } from "../../lib/identity/mod.ts";
import { createMemory } from "../../lib/memory/create_memory.ts";
import { storageMemoryDriver } from "../../lib/memory/storage_driver.ts";
import { recallContext, rememberTurn } from "../../lib/memory/context.ts";
import { memoryTools } from "../../lib/tools/memory.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";

describe("default `memory` storage", () => {
  it("a full store / identity / memory round trip writes no file in HOME or the cwd", async () => {
    const home = await mkdtemp(join(tmpdir(), "mc-home-"));
    const work = await mkdtemp(join(tmpdir(), "mc-cwd-"));
    const saved = { home: process.env.HOME, cwd: process.cwd() };
    process.env.HOME = home;
    process.chdir(work);
    try {
      const store = await createStateStoreFromUrl(
        process.env.MIKROCLAW_STORAGE_TEST_UNSET,
      );
      assert.equal(store.kind, "memory");
      await store.set("tasks:1", { status: "queued" }, { ttlMs: 60_000 });
      assert.equal(await store.setIfAbsent("claim:1", true), true);
      await store.update<number>("counter", (n) => (n ?? 0) + 1);
      assert.equal((await probeStorage(store)).ok, true);

      const identity = await loadIdentity(store);
      assert.ok((await identity.sign("hello")).length > 0);
      await store.set("tokens:abc", { id: "t" });
      const rotated = await rotateIdentity(store);
      assert.equal(rotated.revokedTokens, 1);

      const memory = createMemory({ driver: storageMemoryDriver({ store }) });
      const context = {
        signal: new AbortController().signal,
        requestedBy: "test",
        sessionKey: "test",
        logger: silentLogger,
      };
      const [storeTool, recallTool, forgetTool] = memoryTools(memory);
      await storeTool!.call({ key: "site", value: "branch office" }, context);
      assert.match(
        (await recallTool!.call({ key: "site" }, context)).content,
        /branch office/,
      );
      await rememberTurn(memory, "set up the branch office VPN");
      assert.match(await recallContext(memory, "branch VPN"), /branch office/);
      await forgetTool!.call({ key: "site" }, context);
      await store.dispose();

      assert.deepEqual(await readdir(home), [], "HOME must stay empty");
      assert.deepEqual(
        await readdir(work),
        [],
        "the working directory must stay empty",
      );
    } finally {
      process.chdir(saved.cwd);
      if (saved.home === undefined) delete process.env.HOME;
      else process.env.HOME = saved.home;
      await rm(home, { recursive: true, force: true });
      await rm(work, { recursive: true, force: true });
    }
  });
});
