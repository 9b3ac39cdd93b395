import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runCli } from "../_utils/cli.ts";

/** Pids of live processes whose environment names this state directory and a daemon id. */
function daemonsOf(stateDir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, "utf8").split("\0");
      if (
        env.includes(`MIKROCLAW_STATE_DIR=${stateDir}`) &&
        env.some((e) => e.startsWith("MIKROCLAW_DAEMON_ID="))
      ) out.push(Number(name));
    } catch {
      // gone or not ours
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("mikroclaw daemon: the pid file is exclusive and only our process is signalled", {
  skip: !existsSync("/proc/self/environ") && "needs /proc",
}, () => {
  let cwd = "";
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), "mikroclaw-daemon-"));
  });
  after(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it("--stop with a stale pid file naming another live process leaves that process alone", {
    timeout: 120_000,
  }, async () => {
    const stateDir = join(cwd, "stale");
    await mkdir(stateDir, { recursive: true });
    // A harmless process that is not ours: the pid a container restart could hand to anyone.
    const bystander = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => bystander.once("exit", resolve));
    try {
      assert.ok(bystander.pid);
      const env = { MIKROCLAW_STATE_DIR: stateDir, GATEWAY_PORT: "0", HOME: cwd };
      for (const content of [`${bystander.pid}\n`, `${bystander.pid} ${"a".repeat(32)}\n`]) {
        await writeFile(join(stateDir, "mikroclaw.pid"), content);
        const stop = await runCli(["daemon", "--stop"], { cwd, env });
        assert.equal(stop.code, 1, stop.stdout + stop.stderr);
        assert.match(stop.stdout, /not a MikroClaw daemon/);
        assert.ok(alive(bystander.pid), "the bystander was signalled");
        assert.equal(existsSync(join(stateDir, "mikroclaw.pid")), false);
      }
    } finally {
      bystander.kill("SIGKILL");
      await exited;
    }
  });

  it(
    "six concurrent starts leave exactly one agent, and --stop stops it",
    { timeout: 120_000 },
    async () => {
      const stateDir = join(cwd, "race");
      const env = { MIKROCLAW_STATE_DIR: stateDir, GATEWAY_PORT: "0", HOME: cwd };
      try {
        const runs = await Promise.all(
          Array.from({ length: 6 }, () => runCli(["daemon"], { cwd, env })),
        );
        const codes = runs.map((r) => r.code);
        assert.equal(codes.filter((c) => c === 0).length, 1, JSON.stringify(runs));
        assert.equal(codes.filter((c) => c === 1).length, 5, JSON.stringify(runs));
        const agents = daemonsOf(stateDir);
        assert.equal(agents.length, 1, `agents: ${agents.join(", ")}`);
        const pid = Number((await readFile(join(stateDir, "mikroclaw.pid"), "utf8")).split(" ")[0]);
        assert.equal(pid, agents[0]);
        const stop = await runCli(["daemon", "--stop"], { cwd, env });
        assert.equal(stop.code, 0, stop.stdout + stop.stderr);
        assert.deepEqual(daemonsOf(stateDir), []);
        assert.equal(existsSync(join(stateDir, "mikroclaw.pid")), false);
      } finally {
        for (const pid of daemonsOf(stateDir)) process.kill(pid, "SIGKILL");
      }
    },
  );
});
