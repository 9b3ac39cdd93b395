/**
 * What the images are made of is pinned and named consistently: every input in the committed
 * lock has a version and a sha256, the image names and platforms are the ones the RouterOS
 * script uses, and the bundle check refuses a `dist/router` this commit did not build.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROUTER_IMAGES } from "../../lib/deploy/routeros_script.ts";
import { checkedBundle, compareBundles, hashBundle } from "../../scripts/image/_bundle.ts";
import { readLock } from "../../scripts/image/_inputs.ts";
import { TARGETS } from "../../scripts/image/_targets.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

test("every downloaded input is pinned by version and sha256", () => {
  const lock = readLock();
  for (const target of TARGETS) {
    const debs = lock.debian[target.debArch];
    assert.ok(debs && debs.length > 0, target.debArch);
    for (const pin of debs) {
      assert.match(pin.sha256, /^[0-9a-f]{64}$/, pin.name);
      assert.ok(pin.version !== "" && [target.debArch, "all"].includes(pin.arch), pin.name);
    }
    for (const lib of ["libc6", "libstdc++6", "libgcc-s1"]) {
      assert.ok(debs.some((p) => p.name === lib), `${target.debArch} ${lib}`);
    }
    const node = lock.npm[target.debArch];
    if (node) {
      assert.match(node.version, /^24\./);
      assert.match(node.sha256, /^[0-9a-f]{64}$/);
      assert.match(node.integrity, /^sha512-/);
    } else {
      assert.match(
        debs.find((p) => p.name === "nodejs")?.version ?? "",
        /^24\./,
        `${target.debArch} has no Node 24`,
      );
    }
  }
});

test("the images are the ones the RouterOS script picks by architecture-name", () => {
  assert.deepEqual(
    TARGETS.map((t) => ({
      architectureName: t.routerArch,
      file: `mikroclaw-${t.name}.tar`,
      platform: `linux/${t.architecture}${t.variant ? `/${t.variant}` : ""}`,
    })).sort((a, b) => a.file.localeCompare(b.file)),
    [...ROUTER_IMAGES].sort((a, b) => a.file.localeCompare(b.file)),
  );
});

test("compareBundles names missing, changed and extra files", () => {
  assert.deepEqual(compareBundles({ a: "1", b: "2" }, { a: "1", b: "2" }), []);
  assert.deepEqual(compareBundles({ a: "1", b: "2" }, { b: "3", c: "4" }), [
    "a: missing",
    "b: differs",
    "c: extra",
  ]);
});

test(
  "the image build refuses a dist/router that is not this commit's bundle, and accepts its own",
  {
    timeout: 180_000,
  },
  () => {
    const stale = mkdtempSync(join(tmpdir(), "mikroclaw-router-"));
    writeFileSync(join(stale, "mikroclaw.mjs"), "// an old build\n");
    assert.throws(
      () => checkedBundle(ROOT, stale),
      /Cannot pack .*: it is not the bundle this commit builds \(.*: (missing|differs).*\); run npm run build/,
    );
    const fresh = join(mkdtempSync(join(tmpdir(), "mikroclaw-router-")), "router");
    const manifest = checkedBundle(ROOT, fresh);
    assert.deepEqual(manifest.files, hashBundle(fresh));
    assert.ok(
      readdirSync(fresh).every((f) => f.endsWith(".mjs")),
      "no source maps in the router folder",
    );
    assert.match(manifest.commit, /^[0-9a-f]{40}$/);
    cpSync(fresh, stale, { recursive: true });
    writeFileSync(join(stale, "mikroclaw-extra.mjs"), "// not built\n");
    assert.throws(() => checkedBundle(ROOT, stale), /mikroclaw-extra\.mjs: extra/);
  },
);
