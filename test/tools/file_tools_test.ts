import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileReadTool } from "../../lib/tools/file_read.ts";
import { fileWriteTool } from "../../lib/tools/file_write.ts";
import { createWorkspace } from "../../lib/security/workspace.ts";
import { toolContext } from "./_context.ts";

describe("file_read / file_write", () => {
  let tmp: string;
  let ws: string;
  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mc-ft-")));
    ws = path.join(tmp, "workspace");
    fs.mkdirSync(path.join(tmp, "sibling"));
    fs.writeFileSync(path.join(tmp, "sibling", "secret.txt"), "SECRET");
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("write then read round-trips inside a workspace created on first write", async () => {
    const workspace = createWorkspace({ root: ws });
    const write = fileWriteTool({ workspace });
    const read = fileReadTool({ workspace });
    const w = await write.call({ path: "notes/today.md", content: "# hi\n" }, toolContext());
    assert.deepEqual(w, { content: "wrote 5 bytes to notes/today.md", isError: false });
    const r = await read.call({ path: "notes/today.md" }, toolContext());
    assert.deepEqual(r, { content: "# hi\n", isError: false });
  });

  it("returns refusals as readable error results, never a crash", async () => {
    const workspace = createWorkspace({ root: ws });
    const read = fileReadTool({ workspace });
    const write = fileWriteTool({ workspace });
    for (const p of ["../sibling/secret.txt", "/etc/passwd", "..%2fsibling%2fsecret.txt", "a\0b"]) {
      const r = await read.call({ path: p }, toolContext());
      assert.equal(r.isError, true);
      assert.match(JSON.parse(r.content).error, /^Cannot read /);
      const w = await write.call({ path: p, content: "pwned" }, toolContext());
      assert.equal(w.isError, true);
      assert.match(JSON.parse(w.content).error, /^Cannot write /);
    }
    const bad = await write.call({ path: 42 }, toolContext());
    assert.equal(bad.isError, true);
    assert.match(bad.content, /Invalid arguments/);
    assert.equal(fs.readFileSync(path.join(tmp, "sibling", "secret.txt"), "utf8"), "SECRET");
    assert.deepEqual(fs.readdirSync(path.join(tmp, "sibling")), ["secret.txt"]);
  });

  it("caps an oversized file with a note", async () => {
    const workspace = createWorkspace({ root: ws, maxReadBytes: 100 });
    fs.writeFileSync(path.join(ws, "big.log"), "z".repeat(1000));
    const r = await fileReadTool({ workspace }).call({ path: "big.log" }, toolContext());
    assert.equal(r.isError, false);
    assert.match(
      r.content,
      /^z{100}\n…\[file is 1000 bytes; only the first 100 bytes were read\]$/,
    );
  });
});
