import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import process from "node:process";
import { bin, ROOT } from "../examples/_spawn.ts";

const jsr = JSON.parse(readFileSync(join(ROOT, "jsr.json"), "utf8")) as {
  name: string;
  imports: Record<string, string>;
};
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts"))
    .map((e) => join(e.parentPath, e.name));
}

describe("jsr.json", () => {
  it("maps every package.json dependency to the same npm: range", () => {
    for (const [name, range] of Object.entries(pkg.dependencies)) {
      assert.equal(jsr.imports[name], `npm:${name}@${range}`, name);
    }
    const deps = new Set(Object.keys(pkg.dependencies));
    for (const key of Object.keys(jsr.imports)) {
      assert.ok(deps.has(key.replace(/\/$/, "")), `${key} is not a dependency`);
    }
  });

  it("resolves every bare specifier the published files import", () => {
    const files = [join(ROOT, "mod.ts"), ...sources(join(ROOT, "lib"))];
    const bare =
      /^\s*(?:import|export)\s[^;]*?\sfrom\s+"([^".][^"]*)"|import\(\s*"([^".][^"]*)"\)/gm;
    for (const file of files) {
      const text = readFileSync(file, "utf8").replace(/^\s*\*.*$/gm, ""); // not doc comments
      for (const [, fromSpec, lazySpec] of text.matchAll(bare)) {
        const spec = fromSpec ?? lazySpec;
        if (spec!.startsWith("node:")) continue;
        const ok = spec! in jsr.imports ||
          Object.keys(jsr.imports).some((k) => k.endsWith("/") && spec!.startsWith(k));
        assert.ok(ok, `${relative(ROOT, file)} imports "${spec}", not in jsr.json imports`);
      }
    }
  });
});

// Slow (Deno fetches the npm dependencies once into its cache) and spawns Deno itself.
const g = globalThis as { Deno?: unknown; Bun?: unknown };
const skip = g.Deno || g.Bun
  ? "imports the JSR package with Deno: runs under node --test only"
  : undefined;

describe("the JSR package, imported from a directory outside the repository", { skip }, () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), "mikroclaw-jsr-"));
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("resolves its dependencies (what `deno publish` uploads, linked into a scratch project)", () => {
    // the published files: mod.ts, lib/**/*.ts, and the config with its imports map
    const published = join(work, "package");
    mkdirSync(published);
    cpSync(join(ROOT, "mod.ts"), join(published, "mod.ts"));
    cpSync(join(ROOT, "lib"), join(published, "lib"), {
      recursive: true,
      filter: (src) => !src.endsWith("_test.ts"),
    });
    // Deno links a local package by its deno.json; jsr.json is that file for JSR
    cpSync(join(ROOT, "jsr.json"), join(published, "deno.json"));
    const scratch = join(work, "scratch");
    mkdirSync(scratch);
    writeFileSync(
      join(scratch, "deno.json"),
      JSON.stringify({ links: [published], imports: { [jsr.name]: `jsr:${jsr.name}@^0.1.0` } }),
    );
    writeFileSync(
      join(scratch, "main.ts"),
      `import { createAgent, createMockProvider, createStateStore } from "${jsr.name}";\n` +
        `const agent = createAgent({ provider: createMockProvider(["hi from jsr"]) });\n` +
        `await createStateStore().set("k", 1);\n` +
        `console.log((await agent.run({ input: "hi", sessionKey: "s" })).text);\n`,
    );
    const run = spawnSync(bin("deno"), ["run", "-A", "main.ts"], {
      cwd: scratch,
      encoding: "utf8",
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      timeout: 240_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), "hi from jsr");
  });
});
