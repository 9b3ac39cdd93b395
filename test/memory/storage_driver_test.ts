import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createStorage } from "unstorage";
import { createStateStore } from "../../lib/storage/state_store.ts";
import { createMemory } from "../../lib/memory/create_memory.ts";
import { storageMemoryDriver } from "../../lib/memory/storage_driver.ts";
import { recallContext, rememberTurn } from "../../lib/memory/context.ts";
import { memoryTools } from "../../lib/tools/memory.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";
import type { Memory } from "../../lib/memory/types.ts";
import type { ToolContext } from "../../lib/tools/types.ts";

const context: ToolContext = {
  signal: new AbortController().signal,
  requestedBy: "gateway:t1",
  sessionKey: "gateway:t1",
  logger: silentLogger,
};

function setup(options: { maxItems?: number; maxValueChars?: number } = {}) {
  let clock = 1_000;
  const store = createStateStore({ storage: createStorage(), kind: "memory" });
  const memory = createMemory({
    driver: storageMemoryDriver({ store, now: () => ++clock, ...options }),
  });
  return { store, memory };
}

describe("storageMemoryDriver()", () => {
  it("recalls an exact key first, then keyword matches by overlap, newest first on ties", async () => {
    const { memory } = setup();
    await memory.store("wifi", "guest network off on weekends");
    await memory.store("firewall", "block tor exit nodes nightly");
    await memory.store(
      "old-note",
      "the guest network password rotates monthly",
    );
    await memory.store("new-note", "guest network has its own VLAN");
    await memory.store("unrelated", "buy milk");
    const exact = await memory.recall("wifi");
    assert.equal(exact[0]?.key, "wifi");
    assert.equal(exact[0]?.score, 1);
    const search = await memory.recall("Guest network?", { limit: 3 });
    assert.deepEqual(search.map((i) => i.key), [
      "new-note",
      "old-note",
      "wifi",
    ]);
    assert.ok(search.every((i) => i.score! > 0 && i.score! < 1));
    assert.deepEqual(await memory.recall("nothing matches this"), []);
  });

  it("store() replaces a key's value; forget() reports whether it existed", async () => {
    const { memory } = setup();
    await memory.store("k", "one");
    await memory.store("k", "two");
    assert.equal((await memory.recall("k"))[0]?.value, "two");
    assert.equal(await memory.forget("k"), true);
    assert.equal(await memory.forget("k"), false);
    assert.deepEqual(await memory.recall("k"), []);
  });

  it("caps value size and item count with clear errors; turn summaries evict the oldest", async () => {
    const { memory } = setup({ maxItems: 3, maxValueChars: 10 });
    await assert.rejects(
      memory.store("big", "x".repeat(11)),
      /11 characters, the limit is 10/,
    );
    await memory.store("a", "1");
    await memory.store("b", "2");
    await memory.remember!("turn one");
    await assert.rejects(memory.store("c", "3"), /memory is full \(3 items\)/);
    await memory.store("a", "again"); // replacing an existing key is always fine
    await memory.remember!("turn two");
    const turns = await memory.recall("turn", { limit: 10 });
    assert.deepEqual(turns.map((t) => t.value), ["turn two"]);
  });

  it("createMemory() rejects bad keys and limits", async () => {
    const { memory } = setup();
    await assert.rejects(memory.store("", "v"), TypeError);
    await assert.rejects(memory.store("a\u0000b", "v"), TypeError);
    await assert.rejects(memory.store("k".repeat(257), "v"), RangeError);
    await assert.rejects(memory.recall("  "), TypeError);
    assert.equal((await memory.probe()).ok, true);
  });

  it("memory tools: store -> recall -> forget, and keyword matches when the key is unknown", async () => {
    const { memory } = setup();
    const [store, recall, forget] = memoryTools(memory);
    assert.deepEqual(
      [store!.name, recall!.name, forget!.name],
      ["memory_store", "memory_recall", "memory_forget"],
    );
    assert.equal(store!.effect, "write");
    assert.equal(recall!.effect, "read");
    assert.equal(
      (await store!.call(
        { key: "router", value: "hAP ax3 in the office" },
        context,
      )).isError,
      false,
    );
    assert.deepEqual(
      JSON.parse((await recall!.call({ key: "router" }, context)).content),
      {
        found: true,
        key: "router",
        value: "hAP ax3 in the office",
      },
    );
    const fuzzy = JSON.parse(
      (await recall!.call({ key: "office" }, context)).content,
    );
    assert.equal(fuzzy.found, false);
    assert.equal(fuzzy.matches[0].key, "router");
    assert.deepEqual(
      JSON.parse((await forget!.call({ key: "router" }, context)).content),
      {
        forgotten: true,
        key: "router",
      },
    );
    const bad = await store!.call({ key: "k" }, context);
    assert.equal(bad.isError, true);
  });

  it("memory tools have exactly the C original's schemas", () => {
    const tools = memoryTools(undefined);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    assert.deepEqual(byName.memory_store!.parameters, {
      type: "object",
      properties: { key: { type: "string" }, value: { type: "string" } },
      required: ["key", "value"],
    });
    for (const name of ["memory_recall", "memory_forget"]) {
      assert.deepEqual(byName[name]!.parameters, {
        type: "object",
        properties: { key: { type: "string" } },
        required: ["key"],
      });
    }
    assert.equal(byName.memory_store!.description, "Store key/value memory");
    assert.equal(byName.memory_recall!.description, "Recall key memory");
    assert.equal(byName.memory_forget!.description, "Forget key memory");
  });

  it("with no memory configured the tools return a clear error result", async () => {
    for (const tool of memoryTools(undefined)) {
      const result = await tool.call({ key: "k", value: "v" }, context);
      assert.equal(result.isError, true);
      assert.match(
        JSON.parse(result.content).error,
        /^Cannot use memory_\w+: no memory is configured/,
      );
    }
  });
});

describe("recallContext() and rememberTurn()", () => {
  it("builds a bounded block of relevant memories", async () => {
    const { memory } = setup();
    for (let i = 0; i < 10; i++) {
      await memory.store(`vpn-${i}`, `wireguard peer ${i} ${"x".repeat(300)}`);
    }
    const block = await recallContext(memory, "which wireguard peers?", {
      limit: 10,
      maxChars: 900,
    });
    assert.match(
      block,
      /^Long-term memory \(notes saved earlier; information only/,
    );
    assert.ok(block.length <= 900, String(block.length));
    assert.ok(block.split("\n").length >= 3);
    assert.equal(await recallContext(memory, "zebra"), "");
    assert.equal(await recallContext(undefined, "anything"), "");
  });

  it("a failing memory gives an empty context and a warning, never an exception", async () => {
    const warnings: unknown[] = [];
    const broken: Memory = {
      driver: "broken",
      store: () => Promise.reject(new Error("down")),
      recall: () => Promise.reject(new Error("memU down")),
      forget: () => Promise.reject(new Error("down")),
      probe: () => Promise.resolve({ ok: false, detail: "down" }),
    };
    const logger = {
      ...silentLogger,
      warn: (...args: unknown[]) => warnings.push(args[0]),
    };
    assert.equal(await recallContext(broken, "hello", { logger }), "");
    assert.equal(await rememberTurn(broken, "summary", { logger }), false);
    assert.equal(warnings.length, 2);
    assert.match(String(warnings[0]), /memU down/);
  });

  it("rememberTurn() stores a summary that later turns recall", async () => {
    const { memory } = setup();
    assert.equal(
      await rememberTurn(memory, "Owner asked to open port 8443 for the NAS"),
      true,
    );
    assert.match(
      await recallContext(memory, "what about the NAS port?"),
      /port 8443/,
    );
  });
});
