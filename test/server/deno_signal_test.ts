/**
 * The real CLI `gateway` served by `Deno.serve` prints no `request.signal` legacy-behaviour
 * warning (issue #18): Deno prints it the first time a handler reads the signal of the request
 * it was given, and the gateway reads it for every request with a body and every `/chat`. The
 * gateway always runs under Deno here, whichever runtime runs this file; its stderr is checked
 * only after it exited, so nothing it printed can be missed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI } from "../_utils/cli.ts";

const DENO = fileURLToPath(
  new URL("../../node_modules/.bin/deno", import.meta.url),
);

describe("gateway under Deno: no request.signal legacy-behaviour warning", () => {
  let cwd = "";
  let child: ChildProcess;
  let stdout = "";
  let stderr = "";
  let exited: Promise<number | null>;
  let base = "";

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), "mikroclaw-deno-signal-"));
    child = spawn(DENO, ["run", "-A", CLI, "gateway", "--port", "0"], {
      cwd,
      env: {
        DENO_DIR: process.env.DENO_DIR ??
          join(tmpdir(), "mikroclaw-test-deno-dir"),
        PATH: process.env.PATH ?? "",
        HOME: cwd,
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    exited = new Promise((resolve) => child.on("close", (code) => resolve(code)));
    base = await new Promise<string>((resolve, reject) => {
      const look = () => {
        const m = stdout.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) resolve(m[1]!);
      };
      child.stdout!.on("data", look);
      child.on(
        "close",
        () => reject(new Error(`gateway exited:\n${stdout}${stderr}`)),
      );
    });
  });

  after(async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(child.pid, "SIGTERM");
    }
    await exited;
    await rm(cwd, { recursive: true, force: true });
  });

  it("answers requests with and without a body and a client that leaves early, then prints nothing about request.signal", async () => {
    const health = await fetch(`${base}/health/heartbeat`);
    assert.equal(health.status, 200);
    await health.body?.cancel();

    // a body: the gateway's body bound wraps the request, reading its signal
    const pair = await fetch(`${base}/pair`, {
      method: "POST",
      headers: {
        "x-pairing-code": "000000",
        "content-type": "application/json",
      },
      body: "{}",
    });
    assert.equal(pair.status, 403);
    await pair.body?.cancel();

    // a client that sends half a body and leaves: the server sees the request, then the abort
    const port = Number(new URL(base).port);
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.write(
          "POST /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
            'Content-Length: 1000\r\n\r\n{"message":"',
          () => socket.destroy(),
        );
      });
      socket.on("error", reject);
      socket.on("close", () => resolve());
    });

    // the gateway still answers after the abort
    const again = await fetch(`${base}/pair`, {
      method: "POST",
      headers: {
        "x-pairing-code": "000001",
        "content-type": "application/json",
      },
      body: "{}",
    });
    assert.equal(again.status, 403);
    await again.body?.cancel();

    process.kill(child.pid!, "SIGTERM");
    const code = await exited;
    assert.equal(code, 0, `${stdout}${stderr}`);
    assert.doesNotMatch(stderr, /request\.signal/);
    assert.doesNotMatch(stdout, /request\.signal/);
  });
});
