import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { withSettingsTable } from "../scripts/readme_settings.ts";
import { SETTINGS } from "../lib/config/settings.ts";
import { PROVIDERS } from "../lib/providers/registry.ts";

const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");

describe("README.md", () => {
  it("has the settings table of the current schema (run node scripts/readme_settings.ts)", () => {
    assert.equal(readme, withSettingsTable(readme));
    for (const setting of SETTINGS) assert.ok(readme.includes(`\`${setting.name}\``), setting.name);
  });

  it("shows the two first commands on its first screen", () => {
    const first = readme.split("\n").slice(0, 40).join("\n");
    assert.match(first, /npm install && npm start/);
    assert.match(first, /npm test/);
  });

  it("counts and lists the providers the registry has", () => {
    const said = /\*\*(\d+) LLM providers \+ custom\*\*: ([^.]*?), any/.exec(readme);
    assert.ok(said, "the providers line");
    const named = PROVIDERS.map((p) => p.name).filter((n) => n !== "custom");
    assert.equal(Number(said[1]), named.length);
    for (const name of named) assert.match(said[2]!, new RegExp(`\\b${name}\\b`), name);
  });
});
