import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { VERSION } from "../lib/version.ts";

const root = new URL("..", import.meta.url).pathname;

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const rel = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...await sourceFiles(rel));
    else if (entry.name.endsWith(".ts")) out.push(rel);
  }
  return out;
}

describe("project meta", () => {
  it("the images run Node with the heap flags the benchmarks measure", async () => {
    const { NODE_FLAGS } = await import("../bench/_util.ts");
    const { containerConfig, NODE_MEMORY_FLAGS } = await import("../scripts/image/_targets.ts");
    assert.deepEqual(NODE_MEMORY_FLAGS, NODE_FLAGS);
    assert.deepEqual(containerConfig({}).Entrypoint, [
      "/usr/local/bin/node",
      ...NODE_FLAGS,
      "/app/mikroclaw.mjs",
    ]);
  });

  it("keeps package.json, jsr.json and VERSION equal", async () => {
    const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
    const jsr = JSON.parse(await readFile(join(root, "jsr.json"), "utf8"));
    assert.equal(pkg.version, VERSION);
    assert.equal(jsr.version, VERSION);
  });

  it("every jsr.json export exists", async () => {
    const jsr = JSON.parse(await readFile(join(root, "jsr.json"), "utf8"));
    for (const target of Object.values(jsr.exports as Record<string, string>)) {
      await readFile(join(root, target), "utf8");
    }
  });

  it("lib/ never imports cli/, and lib/ reads no process state at module top level", async () => {
    for (const file of await sourceFiles("lib")) {
      const text = await readFile(join(root, file), "utf8");
      assert.doesNotMatch(text, /from\s+["'][./]*\/cli\//, `${file} imports cli/`);
      assert.doesNotMatch(
        text,
        /^(const|let|var)\s.*\bprocess\.env\b/m,
        `${file} reads env at top level`,
      );
    }
  });

  it("sources use only erasable TypeScript", async () => {
    const files = [...await sourceFiles("lib"), ...await sourceFiles("cli"), "mod.ts"];
    for (const file of files) {
      const text = await readFile(join(root, file), "utf8");
      assert.doesNotMatch(text, /^\s*(export\s+)?(const\s+)?enum\s/m, `${file} has an enum`);
      assert.doesNotMatch(text, /\bnamespace\s+\w+\s*\{/, `${file} has a namespace`);
      assert.doesNotMatch(
        text,
        /constructor\s*\(\s*(private|public|protected|readonly)\s/,
        `${file} has parameter properties`,
      );
    }
  });
});
