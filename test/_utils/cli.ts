/**
 * Runs the `mikroclaw` CLI as a child process with the current runtime (Node, Deno or Bun),
 * a clean environment and a chosen working directory.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitFor as pollUntil } from "./wait.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The CLI entry in this checkout. */
export const CLI: string = fileURLToPath(new URL("../../cli/mikroclaw.ts", import.meta.url));

/** Outcome of a finished run. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of a run. */
export interface CliOptions {
  cwd: string;
  env?: Record<string, string>;
  stdin?: string;
  /** Script to run instead of the checkout's CLI (e.g. the bundle). */
  script?: string;
}

/** Spawns the CLI; the environment holds only PATH, HOME, NO_COLOR, the runtimes' cache dirs and `env`. */
export function spawnCli(args: string[], options: CliOptions): ChildProcess {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  const script = options.script ?? CLI;
  const [cmd, pre] = deno ? [deno.execPath(), ["run", "-A", script]] : [process.execPath, [script]];
  const child = spawn(cmd, [...pre, ...args], {
    cwd: options.cwd,
    env: {
      // The runtimes' own caches stay out of HOME, so tests can prove HOME is untouched.
      DENO_DIR: process.env.DENO_DIR ?? join(tmpdir(), "mikroclaw-test-deno-dir"),
      BUN_INSTALL: process.env.BUN_INSTALL ?? join(tmpdir(), "mikroclaw-test-bun"),
      BUN_RUNTIME_TRANSPILER_CACHE_PATH: join(tmpdir(), "mikroclaw-test-bun-transpiler"),
      PATH: process.env.PATH ?? "",
      HOME: options.env?.HOME ?? process.env.HOME ?? options.cwd,
      NO_COLOR: "1",
      ...options.env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  return child;
}

/** Runs the CLI to completion. */
export function runCli(args: string[], options: CliOptions): Promise<CliRun> {
  const child = spawnCli(args, options);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: string) => (stdout += d));
  child.stderr!.on("data", (d: string) => (stderr += d));
  child.stdin!.end(options.stdin ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running CLI process (a server) and what it printed so far. */
export interface CliServer {
  child: ChildProcess;
  output(): string;
  /** Resolves the first match of `pattern` in stdout; rejects after `ms` or on exit. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Sends SIGTERM and resolves the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a long-running command (e.g. `gateway --port 0`). */
export function startCli(args: string[], options: CliOptions): CliServer {
  const child = spawnCli(args, options);
  child.stdin!.end();
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => resolve(code))
  );
  child.stdout!.on("data", (d: string) => (out += d));
  child.stderr!.on("data", (d: string) => (err += d));
  return {
    child,
    output: () => out + err,
    async waitFor(pattern, ms = 30_000) {
      try {
        return await pollUntil(() => {
          const match = out.match(pattern);
          if (!match && child.exitCode !== null) throw new Error("the CLI exited");
          return match;
        }, { timeout: ms, interval: 25 });
      } catch {
        throw new Error(`CLI did not print ${pattern} in time; output:\n${out}${err}`);
      }
    },
    async stop() {
      // process.kill, not child.kill: Deno's child_process then reports the real exit code.
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, "SIGTERM");
      return await exited;
    },
  };
}
