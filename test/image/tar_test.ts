/**
 * The image tar writer is deterministic and GNU tar reads what it writes: names sorted, one
 * mtime, numeric owners per path, modes kept (1777 /tmp), long names through ustar prefixes and
 * pax headers. On a tiny synthetic root filesystem, so it runs in the normal suite.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectTree, writeTar } from "../../scripts/image/_tar.ts";

function tinyRootfs(): string {
  const root = mkdtempSync(join(tmpdir(), "mikroclaw-tar-"));
  mkdirSync(join(root, "usr/lib"), { recursive: true });
  mkdirSync(join(root, "tmp"));
  chmodSync(join(root, "tmp"), 0o1777);
  mkdirSync(join(root, "data"));
  writeFileSync(join(root, "usr/lib/libc.so.6"), "not really libc\n");
  writeFileSync(join(root, "b-file"), "b\n");
  writeFileSync(join(root, "a-file"), "a\n");
  chmodSync(join(root, "a-file"), 0o755);
  symlinkSync("usr/lib", join(root, "lib"));
  const deep = join(root, "x".repeat(90), "y".repeat(90));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, "z".repeat(60)), "deep\n");
  return root;
}

const owner = (path: string) => (path === "data" ? { uid: 10001, gid: 10001 } : { uid: 0, gid: 0 });

test("two writes of the same tree give the same bytes; another mtime gives other bytes", async () => {
  const root = tinyRootfs();
  const out = mkdtempSync(join(tmpdir(), "mikroclaw-tar-out-"));
  const first = await writeTar(await collectTree(root, owner), join(out, "1.tar"), 1_700_000_000);
  const second = await writeTar(await collectTree(root, owner), join(out, "2.tar"), 1_700_000_000);
  assert.equal(first, second);
  assert.deepEqual(readFileSync(join(out, "1.tar")), readFileSync(join(out, "2.tar")));
  const other = await writeTar(await collectTree(root, owner), join(out, "3.tar"), 1_700_000_001);
  assert.notEqual(first, other);
  const hex = execFileSync("sha256sum", [join(out, "1.tar")], { encoding: "utf8" }).split(" ")[0];
  assert.equal(first, hex);
});

test("GNU tar lists sorted names, numeric owners, the fixed mtime and the modes", async () => {
  const root = tinyRootfs();
  const out = join(mkdtempSync(join(tmpdir(), "mikroclaw-tar-out-")), "t.tar");
  await writeTar(await collectTree(root, owner), out, 1_700_000_000);
  const listing = execFileSync("tar", ["-tvf", out, "--numeric-owner", "--full-time"], {
    encoding: "utf8",
    env: { TZ: "UTC" },
  }).trim().split("\n");
  const names = listing.map((l) => l.split(/\s+/).slice(5).join(" ").replace(/ -> .*/, ""));
  assert.deepEqual(
    names,
    [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
  );
  for (const line of listing) assert.match(line, / 2023-11-14 22:13:20 /);
  const lineOf = (name: string) =>
    listing.find((l) => l.endsWith(` ${name}`) || l.includes(` ${name} -> `))!;
  assert.match(lineOf("tmp/"), /^drwxrwxrwt 0\/0 /);
  assert.match(lineOf("data/"), /^drwx.* 10001\/10001 /);
  assert.match(lineOf("a-file"), /^-rwxr-xr-x 0\/0 /);
  assert.match(lineOf("lib"), /^lrwxrwxrwx 0\/0 .* lib -> usr\/lib$/);
});

test("names longer than 100 bytes round-trip through GNU tar", async () => {
  const root = tinyRootfs();
  const dir = mkdtempSync(join(tmpdir(), "mikroclaw-tar-out-"));
  const entries = await collectTree(root, owner);
  const long = `${"p".repeat(120)}/${"q".repeat(120)}`;
  entries.push({
    path: long,
    type: "file",
    mode: 0o644,
    uid: 0,
    gid: 0,
    source: new TextEncoder().encode("pax\n"),
  });
  await writeTar(entries, join(dir, "t.tar"), 1_700_000_000);
  mkdirSync(join(dir, "x"));
  execFileSync("tar", ["-xf", join(dir, "t.tar"), "-C", join(dir, "x")]);
  const deep = join("x".repeat(90), "y".repeat(90), "z".repeat(60));
  assert.equal(readFileSync(join(dir, "x", deep), "utf8"), "deep\n");
  assert.equal(readFileSync(join(dir, "x", long), "utf8"), "pax\n");
});
