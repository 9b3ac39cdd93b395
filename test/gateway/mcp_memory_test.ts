import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { CLI } from "../_utils/cli.ts";
import { waitFor } from "../_utils/wait.ts";

/** The container's memory flags, as each runtime takes them (Bun's JSC has no V8 flags). */
function gatewayCommand(): [string, string[]] {
  const g = globalThis as { Deno?: { execPath(): string }; Bun?: unknown };
  if (g.Deno) {
    return [g.Deno.execPath(), [
      "run",
      "-A",
      "--v8-flags=--max-old-space-size=96,--max-semi-space-size=2",
      CLI,
    ]];
  }
  if (g.Bun) return [process.execPath, ["--smol", CLI]];
  return [process.execPath, ["--max-old-space-size=96", "--max-semi-space-size=2", CLI]];
}

const BLOB = "x".repeat(900_000);
const initialize = (id: number) =>
  JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: { experimental: { blob: BLOB } },
      clientInfo: { name: `big-${id}-${BLOB.slice(0, 1000)}`, version: "1.0.0" },
    },
  });

describe("/mcp under a stream of large initialize requests, with the container's heap", () => {
  let cwd = "";
  let child: ChildProcess;
  let output = "";
  let base = "";
  let token = "";
  let exited: Promise<number | null>;

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), "mikroclaw-mcp-heap-"));
    const [cmd, args] = gatewayCommand();
    child = spawn(cmd, [...args, "gateway", "--port", "0"], {
      cwd,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: cwd,
        NO_COLOR: "1",
        DENO_DIR: process.env.DENO_DIR ?? join(tmpdir(), "mikroclaw-test-deno-dir"),
        GATEWAY_RATE_LIMIT: "100000",
        GATEWAY_RATE_BURST: "100000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (output += d));
    const seen = (pattern: RegExp) =>
      waitFor(() => {
        const m = output.match(pattern);
        if (!m && child.exitCode !== null) throw new Error(`gateway exited:\n${output}`);
        return m;
      }, { timeout: 60_000, interval: 25, message: `${pattern} in the gateway's output` });
    base = (await seen(/listening on (http:\/\/\S+)/))[1]!;
    const code = (await seen(/pairing code: (\d{6})/))[1]!;
    const paired = await fetch(`${base}/pair`, {
      method: "POST",
      headers: { "x-pairing-code": code },
    });
    token = (await paired.json() as { token: string }).token;
  });

  after(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
    await rm(cwd, { recursive: true, force: true });
  });

  it("keeps no session: 150 × 0.9 MB initialize (far over a 96 MiB heap) and it still serves", {
    timeout: 120_000,
  }, async () => {
    const headers = {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    for (let i = 0; i < 150; i++) {
      const res = await fetch(`${base}/mcp`, { method: "POST", headers, body: initialize(i) });
      assert.equal(res.status, 200, output);
      assert.equal(res.headers.get("mcp-session-id"), null, "a session was created");
      const body = await res.json() as { result: Record<string, unknown> };
      assert.equal((body.result.serverInfo as { name: string }).name, "mikroclaw");
      assert.equal("adapter" in body.result, false, "stray adapter in the initialize answer");
    }
    // A session id the server never issued: 404, and it is not adopted.
    const unknown = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: { ...headers, "mcp-session-id": crypto.randomUUID() },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
    const list = await fetch(`${base}/mcp`, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    assert.equal(list.status, 200);
    assert.ok(((await list.json()) as { result: { tools: unknown[] } }).result.tools.length > 0);
    assert.equal(child.exitCode, null, output);
    assert.doesNotMatch(output, /heap out of memory/i);
    process.kill(child.pid!, "SIGTERM");
    assert.equal(await exited, 0, output);
  });
});
