import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { skillInvokeTool, skillListTool } from "../../lib/tools/skills.ts";
import { toolContext } from "./_context.ts";
import { waitFor } from "../_utils/wait.ts";

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** The pid a `sleeper` skill wrote to `file`, once it has written it. */
async function pidIn(file: string): Promise<number> {
  return await waitFor(() => fs.existsSync(file) && Number(fs.readFileSync(file, "utf8")), {
    message: `a pid in ${file}`,
  });
}

describe("skill_list / skill_invoke", () => {
  let tmp: string;
  let dir: string;
  before(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "mc-sk-")));
    dir = path.join(tmp, "skills");
    fs.mkdirSync(dir);
    const script = (name: string, body: string, mode = 0o755): void => {
      fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode });
      fs.chmodSync(path.join(dir, name), mode);
    };
    script("echo-params", `printf 'arg=%s\\n' "$1"; printf 'stdin=%s\\n' "$(cat)"; env | sort`);
    script("sleeper", `sleep 30 &\necho $! > "$1"\nwait`);
    script("flood", "while :; do echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; done");
    script("notexec", "echo no", 0o644);
    script("install.sh", `touch "${tmp}/prerequisites-ran"`);
    script("Bad_Name", "echo bad");
    fs.writeFileSync(path.join(dir, "SKILL.md"), "Prerequisite: run install.sh first\n");
    fs.symlinkSync("/bin/sh", path.join(dir, "escape"));
    fs.symlinkSync("echo-params", path.join(dir, "alias"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("says clearly when SKILLS_DIR is not configured", async () => {
    for (const tool of [skillListTool(), skillInvokeTool()]) {
      const r = await tool.call({ skill: "x" }, toolContext());
      assert.equal(r.isError, true);
      assert.match(JSON.parse(r.content).error, /set SKILLS_DIR/);
    }
  });

  it("lists runnable skills and says why the others are not, running nothing", async () => {
    const r = await skillListTool({ dir }).call({}, toolContext());
    assert.equal(r.isError, false);
    const lines = r.content.split("\n");
    assert.equal(lines[0], "skills: alias, echo-params, flood, sleeper");
    assert.ok(
      lines.includes('not runnable: "escape" (symbolic link leading out of the skills directory)'),
    );
    assert.ok(lines.includes('not runnable: "notexec" (not executable)'));
    assert.ok(lines.includes('not runnable: "install.sh" (name is not [a-z0-9_-]{1,64})'));
    assert.ok(lines.includes('not runnable: "SKILL.md" (name is not [a-z0-9_-]{1,64})'));
    assert.equal(fs.existsSync(path.join(tmp, "prerequisites-ran")), false);
  });

  it("runs a skill with params as one argument and on stdin, in a scrubbed environment", async () => {
    process.env.MIKROCLAW_TEST_SECRET = "sk-should-not-leak";
    try {
      const params = `{"a": "x; rm -rf / $(id)"}`;
      const r = await skillInvokeTool({ dir }).call(
        { skill: "echo-params", params },
        toolContext(),
      );
      assert.equal(r.isError, false, r.content);
      assert.ok(
        r.content.startsWith(`exit code: 0\n--- stdout ---\narg=${params}\nstdin=${params}\n`),
        r.content,
      );
      const env = r.content.split("\n").slice(4).filter((l) => /^[A-Z_]+=/.test(l)).map((l) =>
        l.split("=")[0]
      );
      assert.ok(!r.content.includes("sk-should-not-leak"));
      assert.ok(env.includes("PATH") && env.includes("MIKROCLAW_SKILL"), env.join(","));
      assert.ok(!env.includes("MIKROCLAW_TEST_SECRET") && !env.includes("HOME"), env.join(","));
      assert.match(r.content, /PATH=\/usr\/bin:\/bin:\/usr\/sbin:\/sbin/);
    } finally {
      delete process.env.MIKROCLAW_TEST_SECRET;
    }
    const viaAlias = await skillInvokeTool({ dir }).call({ skill: "alias" }, toolContext());
    assert.match(viaAlias.content, /^exit code: 0\n--- stdout ---\narg=\nstdin=\n/);
  });

  it("refuses bad names, links out, non-executables and install scripts", async () => {
    const tool = skillInvokeTool({ dir });
    const cases: [string, RegExp][] = [
      ["../../bin/sh", /names are 1-64 characters/],
      ["install.sh", /names are 1-64 characters/],
      ["Bad_Name", /names are 1-64 characters/],
      ["escape", /symbolic link leading out/],
      ["notexec", /not executable/],
      ["missing", /not found/],
      ["", /names are 1-64/],
    ];
    for (const [skill, pattern] of cases) {
      const r = await tool.call({ skill }, toolContext());
      assert.equal(r.isError, true, skill);
      assert.match(JSON.parse(r.content).error, pattern);
    }
    assert.equal(fs.existsSync(path.join(tmp, "prerequisites-ran")), false);
  });

  it("kills the whole process group on timeout", async () => {
    const pidFile = path.join(tmp, "sleeper.pid");
    // The timeout is the behaviour (no clock to inject): long enough for a busy machine to start
    // the script and its background child before the group is killed.
    const pending = skillInvokeTool({ dir, timeoutMs: 1000 }).call(
      { skill: "sleeper", params: pidFile },
      toolContext(),
    );
    const pid = await pidIn(pidFile);
    const r = await pending;
    assert.equal(r.isError, true);
    assert.match(JSON.parse(r.content).error, /timed out after 1000 ms \(process group killed\)/);
    await waitFor(() => !alive(pid), { message: `background child ${pid} gone` });
  });

  it("stops a skill at the output cap", async () => {
    const r = await skillInvokeTool({ dir, maxOutputBytes: 2000 }).call(
      { skill: "flood" },
      toolContext(),
    );
    assert.equal(r.isError, false);
    assert.match(
      r.content,
      /^killed by SIGKILL\noutput cap reached: the process was stopped\n--- stdout ---\na+/,
    );
    assert.ok(r.content.length < 2200);
  });

  it("stops a skill when the call is cancelled", async () => {
    const controller = new AbortController();
    const pidFile = path.join(tmp, "cancel.pid");
    const pending = skillInvokeTool({ dir }).call(
      { skill: "sleeper", params: pidFile },
      toolContext(controller.signal),
    );
    const pid = await pidIn(pidFile);
    controller.abort();
    const r = await pending;
    assert.equal(r.isError, true);
    assert.match(r.content, /cancelled/);
    await waitFor(() => !alive(pid), { message: `background child ${pid} gone` });
  });
});
