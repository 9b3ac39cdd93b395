import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { shellExecTool } from "../../lib/tools/shell_exec.ts";
import { createWorkspace } from "../../lib/security/workspace.ts";
import { toolContext } from "./_context.ts";

describe("shell_exec", () => {
  let tmp: string;
  let ws: string;
  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mc-se-")));
    ws = path.join(tmp, "ws");
    fs.mkdirSync(ws);
    fs.mkdirSync(path.join(tmp, "sibling"));
    fs.writeFileSync(path.join(ws, "hello.txt"), "hello\nworld\n");
    fs.writeFileSync(path.join(ws, "big.txt"), "0123456789\n".repeat(10_000));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const tool = (allowed: string[], extra: { maxOutputBytes?: number } = {}) =>
    shellExecTool({ allowed, workspace: createWorkspace({ root: ws }), timeoutMs: 5000, ...extra });

  it("runs an allowed ls in the workspace, not the current directory", async () => {
    const r = await tool(["ls", "cat"]).call({ command: "ls" }, toolContext());
    assert.equal(r.isError, false, r.content);
    assert.match(r.content, /^exit code: 0\n--- stdout ---\nbig\.txt\nhello\.txt$/);
  });

  it("passes quoted arguments as one word and reports a failing exit code", async () => {
    const r = await tool(["grep"]).call({ command: "grep -c 'world' hello.txt" }, toolContext());
    assert.equal(r.content, "exit code: 0\n--- stdout ---\n1");
    const miss = await tool(["grep"]).call(
      { command: 'grep "hello world" hello.txt' },
      toolContext(),
    );
    assert.equal(miss.content, "exit code: 1");
  });

  it("stops a process at the output cap", async () => {
    const r = await tool(["cat"], { maxOutputBytes: 1000 }).call(
      { command: "cat big.txt" },
      toolContext(),
    );
    assert.equal(r.isError, false);
    assert.match(r.content, /output cap reached: the process was stopped/);
    assert.ok(r.content.length < 1200, `too long: ${r.content.length}`);
  });

  it("refuses unset ALLOWED_SHELL_CMDS, injection and interpreters with clear results", async () => {
    const denyAll = await shellExecTool({ workspace: createWorkspace({ root: ws }) }).call(
      { command: "ls" },
      toolContext(),
    );
    assert.equal(denyAll.isError, true);
    assert.match(JSON.parse(denyAll.content).error, /set ALLOWED_SHELL_CMDS/);
    for (
      const command of [
        "ls; touch ../sibling/pwned",
        "cat hello.txt > ../sibling/pwned",
        "ls && sh -c 'touch ../sibling/pwned'",
        "sh -c 'touch ../sibling/pwned'",
        "cat ../sibling",
      ]
    ) {
      const r = await tool(["ls", "cat", "sh"]).call({ command }, toolContext());
      assert.equal(r.isError, true, command);
      assert.match(JSON.parse(r.content).error, /^Cannot /);
    }
    assert.deepEqual(fs.readdirSync(path.join(tmp, "sibling")), []);
  });
});
