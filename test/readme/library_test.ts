/**
 * Runs the TypeScript blocks of README.md's Library section with the runtime running this test
 * (Node, Deno or Bun): each `run` block must print what its comment says and exit 0, the
 * `serve` block must answer `/health` on the port it names (18789 becomes a free one). The one change: `"mikroclaw"` is
 * imported from this checkout's `mod.ts` (the package is not installed here).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { ROOT } from "../examples/_spawn.ts";
import { freePort } from "../_utils/redis.ts";
import { readmeBlocks } from "./_blocks.ts";

const SLOW = { timeout: 60_000 };
const MOD = pathToFileURL(join(ROOT, "mod.ts")).href;
const blocks = readmeBlocks().filter((b) => b.lang === "ts" && b.action !== undefined);

function runtimeArgs(file: string): [string, string[]] {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  return deno ? [deno.execPath(), ["run", "-A", file]] : [process.execPath, [file]];
}

/** Starts `file`; resolves when its output matches `until` (or it exits), with a stop(). */
function start(file: string, until?: RegExp) {
  const [cmd, args] = runtimeArgs(file);
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  const ready = new Promise<RegExpMatchArray | null>((resolve, reject) => {
    const check = () => {
      const m = until?.exec(stdout);
      if (m) resolve(m);
    };
    child.stdout!.on("data", (d) => {
      stdout += String(d);
      check();
    });
    child.stderr!.on("data", (d) => (stderr += String(d)));
    exited.then((code) =>
      until
        ? reject(new Error(`exited ${code} before ${until}:\n${stdout}${stderr}`))
        : resolve(null)
    );
  });
  return {
    ready,
    exited,
    output: () => ({ stdout, stderr }),
    /** A server block has no shutdown of its own (the gateway's timers keep it alive). */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

describe("README.md Library blocks", () => {
  let dir = "";
  before(() => {
    // inside the checkout, so "valibot" and "srvx" resolve from its node_modules
    dir = mkdtempSync(join(ROOT, "test/readme/.snippets-"));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("has the agent, the gateway and the serving blocks, each marked", () => {
    assert.equal(blocks.length, 3, JSON.stringify(blocks.map((b) => b.line)));
    assert.match(blocks[0]!.code, /createMockProvider/);
    assert.match(blocks[0]!.code, /defineTool/);
    assert.match(blocks[1]!.code, /createGateway/);
    assert.match(blocks[1]!.code, /createStateStore\(\)/);
    assert.match(blocks[2]!.code, /serve\(/);
  });

  for (const block of blocks) {
    it(`README.md:${block.line} ${block.note}`, SLOW, async () => {
      let code = block.code.replaceAll('from "mikroclaw"', `from "${MOD}"`);
      if (block.action === "serve") {
        const port = await freePort();
        code = code.replaceAll("18789", String(port));
        const file = join(dir, `block_${block.line}.ts`);
        writeFileSync(file, code);
        const proc = start(file, /listening on (http:\/\/[^\s,]+)/);
        try {
          const [, url] = (await proc.ready)!;
          assert.match(url!, new RegExp(`:${port}/?$`));
          const health = await fetch(`http://127.0.0.1:${port}/health`);
          assert.equal(health.status, 200);
          assert.equal(
            (await health.json() as { components: { gateway: boolean } }).components.gateway,
            true,
          );
        } finally {
          await proc.stop();
        }
        return;
      }
      const file = join(dir, `block_${block.line}.ts`);
      writeFileSync(file, code);
      const proc = start(file);
      const exitCode = await proc.exited;
      const { stdout, stderr } = proc.output();
      assert.equal(exitCode, 0, stderr);
      assert.equal(stdout.trim(), block.expect, stderr);
    });
  }
});
