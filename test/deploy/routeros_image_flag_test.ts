/**
 * `config --routeros-script --image FILE`: a user who picks another flavour (the Bun images)
 * gets a script for that file; a value that is not an image file name is a usage error.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../_utils/cli.ts";

const ENV = { BOT_TOKEN: "111:telegram-token-value", TELEGRAM_ALLOWLIST: "42" };

describe("mikroclaw config --routeros-script --image", () => {
  let cwd = "";
  before(() => {
    cwd = mkdtempSync(join(tmpdir(), "mikroclaw-image-flag-"));
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  it("writes a script for the chosen image instead of picking by architecture", async () => {
    const r = await runCli(
      ["config", "--routeros-script", "--image", "mikroclaw-bun-arm64.tar"],
      { cwd, env: ENV },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /:local image "mikroclaw-bun-arm64\.tar"/);
    assert.doesNotMatch(r.stdout, /:set image/);
    const plain = await runCli(["config", "--routeros-script"], { cwd, env: ENV });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /:set image "mikroclaw-arm64\.tar"/);
  });

  it("refuses a value that is not an image file name, in one line, exit 2", async () => {
    for (const bad of ["../../etc/passwd", 'x.tar" ; /system reset-configuration', "image.zip"]) {
      const r = await runCli(["config", "--routeros-script", "--image", bad], { cwd, env: ENV });
      assert.equal(r.code, 2, `${bad}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /--image/);
      assert.equal(r.stdout, "");
    }
  });
});
