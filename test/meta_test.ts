import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
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

  it("lib/ imports point down the layer table of ARCHITECTURE.md, and every lib/ folder is in it", async () => {
    const table = await readFile(join(root, "ARCHITECTURE.md"), "utf8");
    const layer = new Map<string, number>();
    let row = 0;
    for (const line of table.split("\n")) {
      const m = /^\| *(base|state|outside services|agent|faces|wiring) *\| (.*?) \|/.exec(line);
      if (!m) continue;
      for (const [, name] of m[2]!.matchAll(/`lib\/([^`/]+)\/?`/g)) layer.set(name!, row);
      row++;
    }
    assert.equal(row, 6, "ARCHITECTURE.md has the six lib/ layers");
    const layerOf = (file: string): number | undefined => layer.get(file.split("/")[1]!);
    for (const file of await sourceFiles("lib")) {
      const from = layerOf(file);
      assert.notEqual(from, undefined, `${file} is in no layer of ARCHITECTURE.md`);
      const text = await readFile(join(root, file), "utf8");
      for (const [, spec] of text.matchAll(/(?:\bfrom|\bimport\(|^import)\s*"(\.[^"]+)"/gm)) {
        const target = normalize(join(dirname(file), spec!));
        if (!target.startsWith("lib/")) continue;
        const to = layerOf(target);
        assert.ok(
          to !== undefined && to <= from!,
          `${file} imports ${target}, from a layer later in ARCHITECTURE.md's table (imports point towards base)`,
        );
      }
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
