import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as v from "valibot";
import { loadConfig } from "../../lib/config/load_config.ts";
import { SETTING_DEFS } from "../../lib/config/_schema.ts";
import { isSecret } from "../../lib/secrets/secret.ts";

/** The `Config` fields no setting fills directly: derived from other fields. */
const DERIVED = new Set([
  "file",
  "storage.kind",
  "llm.providers.custom.apiKey",
  "llm.providers.custom.baseUrl",
]);

function leafPaths(value: unknown, prefix = ""): string[] {
  if (
    typeof value !== "object" || value === null || Array.isArray(value) || isSecret(value) ||
    "all" in value
  ) return [prefix];
  return Object.entries(value).flatMap(([k, item]) =>
    leafPaths(item, prefix ? `${prefix}.${k}` : k)
  );
}

function valueAt(config: unknown, path: string): unknown {
  return path.split(".").reduce((node: any, key) => node?.[key], config);
}

describe("settings table -> Config", () => {
  it("every Config field but the derived ones is the `at` of a setting", async () => {
    const config = await loadConfig({ env: {} });
    const placed = new Set<string>(SETTING_DEFS.map((d) => d.at));
    for (const path of leafPaths(config)) {
      if (DERIVED.has(path)) continue;
      assert.ok(placed.has(path), `no setting fills Config.${path}`);
    }
    for (const path of placed) {
      assert.ok(leafPaths(config).includes(path), `${path} is not a field of Config`);
    }
  });

  it("a setting's default is the Config value, with no second default in code", async () => {
    const config = await loadConfig({ env: { HOME: "/home/me" } });
    for (const def of SETTING_DEFS) {
      if (!def.default) continue;
      const expected = def.at === "storage.stateDir"
        ? "/home/me" + def.default.slice(1) // `~` is the home directory
        : v.parse(def.kind.schema, def.default);
      assert.deepEqual(valueAt(config, def.at), expected, `${def.name} -> ${def.at}`);
    }
  });

  it("only one setting fills each field, but a provider's key aliases", () => {
    const seen = new Map<string, string>();
    for (const def of SETTING_DEFS) {
      const before = seen.get(def.at);
      assert.ok(
        before === undefined || /^llm\.providers\.[a-z]+\.apiKey$/.test(def.at),
        `${def.name} and ${before} both fill ${def.at}`,
      );
      seen.set(def.at, def.name);
    }
  });

  it("the first alias set of a provider's key wins", async () => {
    const config = await loadConfig({
      env: { OPENROUTER_KEY: "first", OPENROUTER_API_KEY: "second" },
    });
    assert.equal(config.llm.providers.openrouter.apiKey?.reveal(), "first");
    assert.equal(config.llm.apiKey?.reveal(), "first");
  });
});
