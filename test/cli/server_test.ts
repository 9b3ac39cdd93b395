import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CliServer, runCli, startCli } from "../_utils/cli.ts";
import { waitFor } from "../_utils/wait.ts";

describe("mikroclaw gateway / status / daemon", () => {
  let cwd = "";
  let home = "";
  let server: CliServer;
  let base = "";
  let code = "";

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), "mikroclaw-srv-"));
    home = await mkdtemp(join(tmpdir(), "mikroclaw-home-"));
    server = startCli(["gateway", "--port", "0"], { cwd, env: { HOME: home } });
    base = (await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    code = (await server.waitFor(/pairing code: (\d{6})/))[1]!;
  });

  after(async () => {
    await server?.stop();
    await rm(cwd, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it("serves /health on loopback with embedded defaults and pairs once with the printed code", async () => {
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    const body = await health.json() as { components: Record<string, boolean> };
    assert.equal(body.components.gateway, true);

    const paired = await fetch(`${base}/pair`, {
      method: "POST",
      headers: { "x-pairing-code": code },
    });
    assert.equal(paired.status, 200);
    const { token } = await paired.json() as { token: string };
    const again = await fetch(`${base}/pair`, {
      method: "POST",
      headers: { "x-pairing-code": code },
    });
    assert.equal(again.status, 403);

    const tasks = await fetch(`${base}/tasks`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(tasks.status, 200);
    assert.equal((await fetch(`${base}/tasks`)).status, 401);

    const status = await runCli(["status", "--json", "--url", base], {
      cwd,
      env: { HOME: home, MIKROCLAW_TOKEN: token },
    });
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout) as { up: boolean; version: string };
    assert.equal(report.up, true);
    assert.match(report.version, /^\d+\.\d+\.\d+/);
  });

  it("exits 78 with a clear message when the port is in use", async () => {
    const port = new URL(base).port;
    const second = await runCli(["gateway", "--port", port], { cwd, env: { HOME: home } });
    assert.equal(second.code, 78);
    assert.match(second.stderr, /already in use/);
  });

  it("status exits 1 when no gateway answers", async () => {
    const down = await runCli(["status", "--url", "http://127.0.0.1:9"], {
      cwd,
      env: { HOME: home },
    });
    assert.equal(down.code, 1);
    assert.match(down.stdout, /is down/);
  });

  it("writes nothing to disk with the default memory storage", async () => {
    assert.deepEqual(await readdir(cwd), []);
    assert.deepEqual(await readdir(home), []);
  });

  it("daemon starts the agent detached, refuses a second start, and --stop stops it", {
    timeout: 120_000,
  }, async () => {
    const stateDir = join(cwd, "state");
    const env = { HOME: home, MIKROCLAW_STATE_DIR: stateDir, GATEWAY_PORT: "0" };
    let pid = 0;
    try {
      const started = await runCli(["daemon"], { cwd, env });
      assert.equal(started.code, 0, started.stdout + started.stderr);
      pid = Number((await readFile(join(stateDir, "mikroclaw.pid"), "utf8")).split(" ")[0]);
      assert.ok(pid > 0);
      // The detached agent may need a few seconds on a busy machine: wait for its line.
      const log = () => readFile(join(stateDir, "mikroclaw.log"), "utf8").catch(() => "");
      await waitFor(
        async () => /pairing code: \d{6}/.test(await log()),
        { timeout: 60_000, interval: 50, message: "the pairing code in the daemon's log" },
      );
      const twice = await runCli(["daemon"], { cwd, env });
      assert.equal(twice.code, 1);
      assert.match(twice.stdout, /already running/);
      const stopped = await runCli(["daemon", "--stop"], { cwd, env });
      assert.equal(stopped.code, 0, stopped.stdout);
      assert.throws(() => process.kill(pid, 0));
      assert.equal((await runCli(["daemon", "--stop"], { cwd, env })).code, 1);
    } finally {
      // A failed assertion must not leave the detached agent running.
      if (pid > 0) await runCli(["daemon", "--stop"], { cwd, env });
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it("drains and exits 0 on SIGTERM", async () => {
    const other = startCli(["gateway", "--port", "0"], { cwd, env: { HOME: home } });
    await other.waitFor(/pairing code/);
    assert.equal(await other.stop(), 0);
  });
});
