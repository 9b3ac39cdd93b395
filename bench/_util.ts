/**
 * Shared helpers of the benchmark scripts: child processes on Node, Deno and Bun (every one
 * killed at exit, even on failure), free ports, polling for the first 200, RSS from
 * `/proc/<pid>/status`, and the statistics every figure reports.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** Root of the repository. */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** A JavaScript runtime the servers under test run on. */
export type RuntimeName = "node" | "deno" | "bun";

/** Every runtime, in report order. */
export const RUNTIMES: readonly RuntimeName[] = ["node", "deno", "bun"];

/** Path of a runtime binary from `node_modules/.bin` (the real executables, not wrappers). */
export function binary(runtime: RuntimeName): string {
  return join(ROOT, "node_modules/.bin", runtime);
}

/**
 * Command line running `script` with `args` on `runtime`: Node with the container's heap flags,
 * Deno with the same V8 flags; `gc` lets the script force a collection (`--expose-gc` on Node
 * and Deno; Bun has `Bun.gc`).
 */
export function commandFor(
  runtime: RuntimeName,
  script: string,
  args: readonly string[] = [],
  options: { gc?: boolean } = {},
): [string, string[]] {
  const gcFlags = options.gc ? ["--expose-gc"] : [];
  if (runtime === "deno") {
    return [binary("deno"), ["run", "-A", "--no-check", denoV8Flags(gcFlags), script, ...args]];
  }
  if (runtime === "node") return [binary("node"), [...NODE_FLAGS, ...gcFlags, script, ...args]];
  return [binary(runtime), [script, ...args]];
}

/**
 * The V8 flags the container's ENTRYPOINT runs Node with (a bounded heap); subject and
 * baseline both get them, so Node is measured as deployed. `test/meta_test.ts` keeps the
 * router images' ENTRYPOINT (scripts/image/_targets.ts) in step.
 */
export const NODE_FLAGS: readonly string[] = ["--max-old-space-size=96", "--max-semi-space-size=2"];

/**
 * {@linkcode NODE_FLAGS} as Deno takes them (`--v8-flags=`), with any `extra` V8 flags: Deno is
 * V8 too, and without a bounded heap it lets garbage pile up in proportion to the machine's
 * memory (the leak check's RSS after load was 1.96x idle without them, 1.3x with them).
 */
export function denoV8Flags(extra: readonly string[] = []): string {
  return `--v8-flags=${[...extra, ...NODE_FLAGS].join(",")}`;
}

const children = new Map<ChildProcess, NodeJS.Signals>();

// Benchmark scripts get SIGTERM so they can kill their own servers; servers get SIGKILL.
function killAll(): void {
  for (const [child, signal] of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
  children.clear();
}
process.once("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** A child process under test. */
export interface Child {
  readonly pid: number;
  /** Everything it wrote to stdout so far. */
  stdout(): string;
  /** Resolves with the first stdout match of `pattern` (rejects on exit or after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after 2 s; resolves once it exited. */
  stop(): Promise<void>;
}

/** Spawns a child (registered for kill-at-exit); stderr goes to ours unless `quiet`. */
export function startChild(
  command: string,
  args: readonly string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    quiet?: boolean;
    /** Killed with SIGTERM (not SIGKILL) at exit: a benchmark script that cleans up itself. */
    graceful?: boolean;
  } = {},
): Child {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? (process.env as Record<string, string>),
    stdio: ["ignore", "pipe", options.quiet ? "ignore" : "inherit"],
  });
  children.set(child, options.graceful ? "SIGTERM" : "SIGKILL");
  let out = "";
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  void exited.then(() => children.delete(child));
  return {
    pid: child.pid!,
    stdout: () => out,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((res, rej) => {
        const check = (): boolean => {
          const m = out.match(pattern);
          if (m) {
            cleanup();
            res(m);
          }
          return m !== null;
        };
        const onExit = (): void => {
          cleanup();
          rej(new Error(`Cannot wait for ${pattern}: ${command} exited; stdout: ${out}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          rej(new Error(`Cannot wait for ${pattern}: timed out; stdout: ${out}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          child.stdout!.off("data", check);
          child.off("exit", onExit);
        };
        if (check()) return;
        child.stdout!.on("data", check);
        child.once("exit", onExit);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = net.createServer();
    server.once("error", rej);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => res(port));
    });
  });
}

/** One HTTP request without keep-alive; resolves status and body. */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = http.request(url, {
      method: options.method ?? "GET",
      headers: options.headers,
      agent: false,
    }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (d: string) => (body += d));
      response.on("end", () => res({ status: response.statusCode ?? 0, body }));
      response.on("error", rej);
    });
    req.on("error", rej);
    req.end(options.body);
  });
}

/** Polls `url` every millisecond until it answers 200; resolves `performance.now()` then. */
export async function waitFor200(url: string, timeoutMs = 20_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const r = await request(url);
      if (r.status === 200) return performance.now();
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`Cannot reach ${url}: no 200 in time`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Resident set size of process `pid` in KiB (`VmRSS` of `/proc/<pid>/status`). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!m) throw new Error(`Cannot read RSS of ${pid}: no VmRSS line`);
  return Number(m[1]);
}

/**
 * CPU time `pid` has used so far (user + system), µs, from `/proc/<pid>/stat` (clock ticks of
 * 10 ms, the Linux default `CLK_TCK`): robust where the request rate is not, on a machine
 * shared with other work.
 */
export function cpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Forces a full GC: `Bun.gc`, or `gc` when started with `--expose-gc` (Deno: `--v8-flags=`). */
export function gc(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
}

/** The runtime running this process. */
export function currentRuntime(): RuntimeName {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
}

/** Whether the command line has `--quick`. */
export function isQuick(): boolean {
  return process.argv.includes("--quick");
}

/** Median of `values` (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
