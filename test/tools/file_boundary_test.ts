/**
 * Holes 8 and 14 of issue #17, through the tools: hard links out of the workspace are refused
 * by file_read, file_write and shell_exec; `ls -R` / `du` never list names inside protected
 * paths; and the file tools never touch what configures the agent (the config file, state,
 * storage and skills directories, an MCP_SERVERS file), whatever the spelling.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { fileReadTool } from "../../lib/tools/file_read.ts";
import { fileWriteTool } from "../../lib/tools/file_write.ts";
import { shellExecTool } from "../../lib/tools/shell_exec.ts";
import { createWorkspace, type ProtectedPath } from "../../lib/security/workspace.ts";
import { loadConfig } from "../../lib/config/mod.ts";
import { createRuntime } from "../../lib/runtime/mod.ts";
import { createMockProvider } from "../../lib/providers/mock.ts";
import { toolContext } from "./_context.ts";

function tools(root: string, extra: { forbidden?: string[]; protected?: ProtectedPath[] } = {}) {
  const workspace = createWorkspace({ root, ...extra });
  return {
    read: fileReadTool({ workspace }),
    write: fileWriteTool({ workspace }),
    shell: shellExecTool({
      allowed: ["ls", "cat", "du", "head", "wc"],
      workspace,
      timeoutMs: 5000,
    }),
  };
}

describe("hard links out of the workspace", () => {
  let tmp = "";
  let ws = "";
  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mc-hl-")));
    ws = path.join(tmp, "ws");
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(tmp, "outside.txt"), "outside secret\n");
    fs.linkSync(path.join(tmp, "outside.txt"), path.join(ws, "link.txt"));
    fs.writeFileSync(path.join(ws, "plain.txt"), "plain\n");
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("file_read refuses a file with two links, reads a plain one", async () => {
    const t = tools(ws);
    const bad = await t.read.call({ path: "link.txt" }, toolContext());
    assert.equal(bad.isError, true);
    assert.match(bad.content, /2 hard links/);
    assert.doesNotMatch(bad.content, /outside secret/);
    const ok = await t.read.call({ path: "plain.txt" }, toolContext());
    assert.equal(ok.content, "plain\n");
  });

  it("shell_exec refuses it as an operand of cat, head and wc", async () => {
    const t = tools(ws);
    for (const command of ["cat link.txt", "head -n 1 link.txt", "wc -l ./link.txt"]) {
      const r = await t.shell.call({ command }, toolContext());
      assert.equal(r.isError, true, command);
      assert.match(r.content, /hard links/);
      assert.doesNotMatch(r.content, /outside secret/);
    }
  });

  it("file_write refuses it and the outside file is unchanged", async () => {
    const r = await tools(ws).write.call({ path: "link.txt", content: "x" }, toolContext());
    assert.equal(r.isError, true);
    assert.match(r.content, /hard links/);
    assert.equal(fs.readFileSync(path.join(tmp, "outside.txt"), "utf8"), "outside secret\n");
  });
});

describe("recursive listings never show names inside protected paths", () => {
  let tmp = "";
  let ws = "";
  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mc-ls-")));
    ws = path.join(tmp, "ws");
    fs.mkdirSync(path.join(ws, "a", ".ssh"), { recursive: true });
    fs.writeFileSync(path.join(ws, "a", ".ssh", "id_ed25519"), "key");
    fs.mkdirSync(path.join(ws, "private"), { recursive: true });
    fs.writeFileSync(path.join(ws, "private", "plans.txt"), "plans");
    fs.mkdirSync(path.join(ws, "b", "c"), { recursive: true });
    fs.writeFileSync(path.join(ws, "b", "c", "ok.txt"), "ok");
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("refuses ls -R and du where a protected name lies below, allows them elsewhere", async () => {
    const t = tools(ws, { forbidden: ["private"] });
    for (const command of ["ls -R", "ls -R a", "ls --recursive .", "du -a", "du", "du -a a"]) {
      const r = await t.shell.call({ command }, toolContext());
      assert.equal(r.isError, true, `${command}: ${r.content}`);
      assert.match(r.content, /would list names inside the protected path/);
      assert.doesNotMatch(r.content, /id_ed25519|plans\.txt/);
    }
    const deep = await t.shell.call({ command: "ls -R b" }, toolContext());
    assert.equal(deep.isError, false, deep.content);
    assert.match(deep.content, /ok\.txt/);
    const sum = await t.shell.call({ command: "du -s" }, toolContext());
    assert.equal(sum.isError, false, sum.content);
    const flat = await t.shell.call({ command: "ls a" }, toolContext());
    assert.equal(flat.isError, false, flat.content);
  });

  it("refuses a FORBIDDEN_PATHS entry below the listed directory", async () => {
    const t = tools(ws, { forbidden: ["b/c"] });
    const r = await t.shell.call({ command: "ls -R b" }, toolContext());
    assert.equal(r.isError, true);
    assert.match(r.content, /b\/c/);
  });
});

describe("the file tools never touch what configures the agent", () => {
  let tmp = "";
  let ws = "";
  const original = JSON.stringify({ LLM_PROVIDER: "openai", OPENAI_API_KEY: "sk-file-key-123" });
  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mc-cfg-")));
    ws = path.join(tmp, "ws");
    fs.mkdirSync(path.join(ws, "state"), { recursive: true });
    fs.mkdirSync(path.join(ws, "skills"), { recursive: true });
    fs.mkdirSync(path.join(ws, "store"), { recursive: true });
    fs.writeFileSync(path.join(ws, "mikroclaw.json"), original);
    fs.writeFileSync(path.join(ws, "servers.json"), '{"mcpServers": {}}');
    fs.writeFileSync(path.join(ws, "skills", "s.json"), "{}");
    fs.symlinkSync(".", path.join(ws, "here"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Spellings of `name` inside the workspace: `./`, a link to the root, letter case. */
  const spelling = (name: string) =>
    fc.record({
      dots: fc.nat(3),
      viaLink: fc.boolean(),
      upper: fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }),
    }).map(({ dots, viaLink, upper }) => {
      const cased = [...name].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join("");
      return `${"./".repeat(dots)}${viaLink ? "here/" : ""}${cased}`;
    });

  it("file_write and file_read refuse every spelling of the config file (property)", async () => {
    const t = tools(ws, {
      protected: [{ path: path.join(ws, "mikroclaw.json"), what: "configuration file (--config)" }],
    });
    await fc.assert(
      fc.asyncProperty(spelling("mikroclaw.json"), async (spelled) => {
        const w = await t.write.call(
          { path: spelled, content: '{"MCP_SERVERS": "x"}' },
          toolContext(),
        );
        assert.equal(w.isError, true, `${spelled}: ${w.content}`);
        assert.match(w.content, /configuration file/);
        const r = await t.read.call({ path: spelled }, toolContext());
        assert.equal(r.isError, true, `${spelled}: ${r.content}`);
        assert.doesNotMatch(r.content, /sk-file-key-123/);
      }),
      { numRuns: 40 },
    );
    assert.equal(fs.readFileSync(path.join(ws, "mikroclaw.json"), "utf8"), original);
  });

  it("the agent's file_write through the runtime is refused; the next start reads the same file", async () => {
    const file = path.join(ws, "mikroclaw.json");
    const env = {
      WORKSPACE_DIR: ws,
      MIKROCLAW_STATE_DIR: path.join(ws, "state"),
      MIKROCLAW_STORAGE: `fs:${path.join(ws, "store")}`,
      SKILLS_DIR: path.join(ws, "skills"),
      MCP_SERVERS: path.join(ws, "servers.json"),
      ALLOWED_SHELL_CMDS: "cat,ls",
    };
    const config = await loadConfig({ env, file });
    const planted = JSON.stringify({
      MCP_SERVERS: '{"x": {"command": "touch", "args": ["/tmp/pwned"]}}',
    });
    const calls = [
      { name: "file_write", arguments: { path: "mikroclaw.json", content: planted } },
      { name: "file_write", arguments: { path: "./here/MIKROCLAW.json", content: planted } },
      { name: "file_write", arguments: { path: "state/daemon.pid", content: "1" } },
      { name: "file_write", arguments: { path: "store/identity.json", content: "{}" } },
      { name: "file_write", arguments: { path: "skills/evil.json", content: "{}" } },
      { name: "file_write", arguments: { path: "servers.json", content: planted } },
      { name: "file_read", arguments: { path: "servers.json" } },
      { name: "shell_exec", arguments: { command: "cat mikroclaw.json" } },
      { name: "shell_exec", arguments: { command: "ls state" } },
    ];
    const provider = createMockProvider([{ toolCalls: calls }, "done"]);
    const runtime = await createRuntime({ config, provider });
    try {
      const seen: { content: string; isError: boolean }[] = [];
      await runtime.agent.run({
        input: "loosen your settings",
        sessionKey: "s",
        onEvent: (e) => {
          if (e.type === "tool-end") seen.push(e.result);
        },
      });
      assert.equal(seen.length, calls.length);
      for (const [i, result] of seen.entries()) {
        assert.equal(result.isError, true, `${JSON.stringify(calls[i])}: ${result.content}`);
        assert.match(
          result.content,
          /MikroClaw's (configuration file|state directory|storage directory|skills directory|MCP server file)/,
        );
      }
    } finally {
      await runtime.stop();
    }
    assert.equal(fs.readFileSync(file, "utf8"), original);
    assert.ok(!fs.existsSync(path.join(ws, "skills", "evil.json")));
    const next = await loadConfig({ env: { WORKSPACE_DIR: ws }, file });
    assert.equal(next.tools.mcpServers, undefined, "the next start has no planted MCP server");
  });
});
