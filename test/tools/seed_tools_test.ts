import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { loadConfig } from "../../lib/config/mod.ts";
import { builtinTools } from "../../lib/runtime/builtin_tools.ts";
import { createMemory, storageMemoryDriver } from "../../lib/memory/mod.ts";
import { createStateStore } from "../../lib/storage/state_store.ts";
import { createStorage } from "unstorage";

// The 14 tools of mikroclaw-seed.txt: name, description and JSON Schema, copied verbatim.
const seed = JSON.parse(
  await readFile(new URL("../_fixtures/seed_tools.json", import.meta.url), "utf8"),
) as { name: string; description: string; parameters: Record<string, unknown> }[];

describe("the built-in tools", () => {
  it("offer the model exactly the seed's 14 names, descriptions and JSON schemas, in order", async () => {
    const config = await loadConfig({ env: {} });
    const store = createStateStore({ storage: createStorage(), kind: "memory" });
    const tools = builtinTools({
      config,
      memory: createMemory({ driver: storageMemoryDriver({ store }) }),
      executor: undefined,
      healthSource: async () => ({}),
    });
    assert.equal(tools.length, 14);
    assert.deepEqual(
      tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })),
      seed.map(({ name, description, parameters }) => ({ name, description, parameters })),
    );
  });

  it("say clearly what is missing when a tool's service is not configured", async () => {
    const config = await loadConfig({ env: {} });
    const tools = builtinTools({
      config,
      memory: undefined,
      executor: undefined,
      healthSource: async () => ({}),
    });
    const context = {
      signal: new AbortController().signal,
      requestedBy: "test",
      sessionKey: "test",
      logger: console,
    };
    const call = (name: string, args: unknown) =>
      tools.find((t) => t.name === name)!.call(args, context);
    const cases: [string, unknown, RegExp][] = [
      ["routeros_execute", { command: "/system/resource/print" }, /ROUTER_URL/],
      ["web_search", { query: "mikrotik" }, /WEB_SEARCH_PROVIDER/],
      ["web_scrape", { url: "https://example.com" }, /WEBSCRAPE_SERVICES/],
      ["shell_exec", { command: "ls" }, /ALLOWED_SHELL_CMDS/],
      ["skill_list", {}, /SKILLS_DIR/],
      ["composio_call", { tool: "x", input: "{}" }, /COMPOSIO_URL/],
      ["memory_store", { key: "k", value: "v" }, /memory/i],
    ];
    for (const [name, args, expected] of cases) {
      const result = await call(name, args);
      assert.equal(result.isError, true, name);
      assert.match(result.content, expected, name);
    }
  });
});
