/**
 * A `MIKROCLAW_STORAGE=fs:` path the process cannot use stops `gateway`, `identity` and `doctor`
 * at once with one line naming the path and the fix (exit 2 for the servers) — never a hang
 * (Node's recursive mkdir spins forever under /proc) nor a stack trace. Through the real CLI.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runCli } from "../_utils/cli.ts";

const cwd = mkdtempSync(join(tmpdir(), "mikroclaw-fs-path-"));
const aFile = join(cwd, "a-file");
writeFileSync(aFile, "not a directory");

const BAD_PATHS = [
  { path: "/proc/nope/state", reason: "it cannot be created there" },
  { path: `${aFile}/state`, reason: "a part of it is not a directory" },
];

for (const { path, reason } of BAD_PATHS) {
  for (const command of ["gateway", "identity"]) {
    test(`${command} with fs:${path} stops with exit 2 and one line naming the path and the fix`, async () => {
      const run = await runCli([command], {
        cwd,
        env: { MIKROCLAW_STORAGE: `fs:${path}`, GATEWAY_PORT: "0" },
      });
      assert.equal(run.code, 2, run.stderr);
      const lines = run.stderr.trim().split("\n");
      const line = lines.find((l) => l.includes(`fs:${path}`));
      assert.ok(line, run.stderr);
      assert.ok(line.includes(reason), line);
      assert.ok(line.includes("MIKROCLAW_STORAGE=memory"), line);
      assert.ok(!run.stderr.includes("    at "), run.stderr);
      assert.ok(!run.stdout.includes("listening"), run.stdout);
    });
  }

  test(`doctor with fs:${path} reports the storage check failed with the path`, async () => {
    const run = await runCli(["doctor"], { cwd, env: { MIKROCLAW_STORAGE: `fs:${path}` } });
    assert.notEqual(run.code, 0);
    const line = `${run.stdout}\n${run.stderr}`.split("\n").find((l) => l.includes("storage"));
    assert.ok(
      line?.startsWith("FAIL") && line.includes(`fs:${path}`) && line.includes(reason),
      line,
    );
  });
}

const isRoot = process.getuid?.() === 0;
test(
  "gateway with fs: under a directory it may not write stops with exit 2 naming permission denied",
  {
    skip: isRoot
      ? "root may write anywhere (the image verify step runs this case as uid 10001)"
      : false,
  },
  async () => {
    const locked = join(cwd, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const run = await runCli(["gateway"], {
      cwd,
      env: { MIKROCLAW_STORAGE: `fs:${locked}/state`, GATEWAY_PORT: "0" },
    });
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`fs:${locked}/state: permission denied; make it writable by uid \\d+`),
    );
  },
);
