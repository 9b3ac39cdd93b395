/**
 * Runs the shell commands of README.md's code blocks as a new user would: in a fresh checkout
 * (the tracked files only — no dist/, no workspace/), with the machine's own `node` first on
 * PATH (v20 here, older than the 22.18 the sources need), and checks each exits as the README
 * says. What the test changes, and why:
 * - `npm install` is replaced by a link to this checkout's node_modules (no network here, and
 *   the shared install must not change); everything else runs as written.
 * - The port 18789 becomes a free one, and `NNNNNN` the code the server printed.
 * - The servers' model is a local fake OpenAI-compatible server (`OPENROUTER_KEY` and
 *   `OPENROUTER_BASE_URL` set for them), so `/chat` answers offline; every other command runs
 *   with nothing configured, as on a fresh machine.
 * Blocks marked `skip` in the README say why; a server block (`serve until "…"`) is started,
 * waited for, used by the blocks after it and stopped before the next server starts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { ROOT } from "../examples/_spawn.ts";
import { freePort } from "../_utils/redis.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { expectedExit, type ReadmeBlock, readmeBlocks, shellCommands } from "./_blocks.ts";

// Spawns npm, shells and servers: slow, so under `node --test` only (it tests the machine's
// Node, not the runtime running the test).
const g = globalThis as { Deno?: unknown; Bun?: unknown };
const skip = g.Deno || g.Bun
  ? "runs the README's shell commands: under node --test only"
  : undefined;

const ANSWER = "The router has been up for 3 days.";
const SLOW = { timeout: 120_000 };

/** PATH without this checkout's node_modules/.bin, so `node` is the machine's own. */
const SYSTEM_PATH = (process.env.PATH ?? "").split(":")
  .filter((p) => p !== "" && !p.includes("node_modules")).join(":");

/** A fresh checkout: the files git tracks, as they are in the working tree. */
function freshCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), "mikroclaw-readme-"));
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
    .split("\0").filter(Boolean);
  for (const file of files) {
    const from = join(ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(from, join(dir, file));
    chmodSync(join(dir, file), statSync(from).mode);
  }
  symlinkSync(realpathSync(join(ROOT, "node_modules")), join(dir, "node_modules"));
  return dir;
}

/** Runs a bash script to its end; resolves what it printed. */
function runShellIn(
  cwd: string,
  env: Record<string, string>,
  script: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += String(d)));
  child.stderr.on("data", (d) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

interface Server {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

describe("README.md shell commands, in a fresh checkout with the machine's Node", { skip }, () => {
  let checkout = "";
  let home = "";
  let port = 0;
  let llm: FakeLLMServer;
  let env: Record<string, string> = {};
  let server: Server | undefined;
  const captured: Record<string, string> = {};
  const blocks = readmeBlocks().filter((b) => b.lang === "sh");

  before(async () => {
    checkout = freshCheckout();
    home = mkdtempSync(join(tmpdir(), "mikroclaw-readme-home-"));
    port = await freePort();
    llm = await startFakeOpenAI([], { onEmpty: { text: ANSWER } });
    env = {
      PATH: SYSTEM_PATH,
      HOME: home,
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      npm_config_update_notifier: "false",
      GATEWAY_PORT: String(port),
    };
  });
  after(async () => {
    await server?.stop();
    await llm?.close();
    if (checkout) rmSync(checkout, { recursive: true, force: true });
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** The command as the test runs it (see the file comment for each change). */
  function prepared(command: string): string {
    let text = command.replace(/^npm install && /, "").replaceAll("18789", String(port));
    for (const [name, value] of Object.entries(captured)) text = text.replaceAll(name, value);
    return text;
  }

  const runShell = (script: string) => runShellIn(checkout, env, script);

  function startServer(block: ReadmeBlock): Promise<Server> {
    const script = shellCommands(block.code).map(prepared).join("\n");
    // its own process group, so stopping it stops npm and the node it runs
    const child = spawn("bash", ["-c", script], {
      cwd: checkout,
      env: { ...env, OPENROUTER_KEY: "sk-or-test", OPENROUTER_BASE_URL: llm.baseURL },
      detached: true,
    });
    let text = "";
    child.stdout!.on("data", (d) => (text += String(d)));
    child.stderr!.on("data", (d) => (text += String(d)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(-child.pid!, "SIGTERM");
        await exited;
      }
    };
    const pattern = new RegExp(block.expect!.replace("NNNNNN", "(\\d{6})"));
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(text);
        if (m) {
          child.stdout!.off("data", check);
          child.stderr!.off("data", check);
          if (m[1] && block.expect!.includes("NNNNNN")) captured.NNNNNN = m[1];
          resolve({ child, output: () => text, stop });
        }
      };
      child.stdout!.on("data", check);
      child.stderr!.on("data", check);
      child.once(
        "exit",
        (code) => reject(new Error(`exited ${code} before "${block.expect}":\n${text}`)),
      );
    });
  }

  it("marks every shell block: run, serve or skip with a reason", () => {
    for (const block of blocks) {
      assert.ok(block.action, `README.md:${block.line}: a sh block without a readme-test comment`);
      if (block.action === "skip") {
        assert.match(block.note!, /skip \(.+\)/, `README.md:${block.line}`);
      }
      if (block.action === "serve") assert.ok(block.expect, `README.md:${block.line}`);
    }
    assert.ok(blocks.filter((b) => b.action !== "skip").length >= 4);
  });

  it("runs with the machine's own node first on PATH", () => {
    const r = spawnSync("node", ["--version"], { env, encoding: "utf8" });
    assert.equal(r.status, 0);
    const system = spawnSync("sh", ["-c", "command -v node"], { env, encoding: "utf8" }).stdout;
    assert.ok(!system.includes("node_modules"), system);
    console.log(`# system node: ${r.stdout.trim()} (${system.trim()})`);
  });

  for (const [index, block] of readmeBlocks().entries()) {
    if (block.lang !== "sh" || block.action === "skip" || !block.action) continue;
    const first = shellCommands(block.code)[0]!.split("\n")[0]!;
    it(`README.md:${block.line} ${block.action}: ${first}`, SLOW, async () => {
      if (block.action === "serve") {
        await server?.stop();
        server = await startServer(block);
        // up means answering: its own health route
        const health = await fetch(`http://127.0.0.1:${port}/health`);
        assert.equal(health.status, 200);
        return;
      }
      const commands = shellCommands(block.code);
      const marker = `readme-test-exit-${index}`;
      const script = commands.map((c) => `${prepared(c)}\necho "${marker}:$?" >&2`).join("\n");
      // asynchronously: the fake model answers from this process
      const r = await runShell(script);
      const codes = [...r.stderr.matchAll(new RegExp(`${marker}:(\\d+)`, "g"))].map((m) =>
        Number(m[1])
      );
      assert.deepEqual(codes, commands.map(expectedExit), `${r.stdout}\n${r.stderr}`);
      if (block.code.includes("/chat")) {
        assert.match(r.stdout, new RegExp(ANSWER.replace(".", "\\.")), r.stdout + r.stderr);
      }
      if (block.code.includes("> mikroclaw.rsc")) {
        assert.match(readFileSync(join(checkout, "mikroclaw.rsc"), "utf8"), /\/container/);
      }
    });
  }
});
