/**
 * Spawns a long-running process and waits for lines on its stdout (for the examples and
 * bundle tests on Node, Deno and Bun alike).
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";

/** Repository root. */
export const ROOT: string = join(
  import.meta.dirname ?? new URL(".", import.meta.url).pathname,
  "../..",
);

/** A runtime binary from node_modules/.bin. */
export function bin(name: "node" | "deno" | "bun"): string {
  return join(ROOT, "node_modules/.bin", name);
}

/** A spawned process whose output is collected. */
export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** Resolves the first match of `pattern` in stdout+stderr; rejects after `timeoutMs` or on exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM (then SIGKILL after 5 s); resolves the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `command args` in the repository root with `env` added to a scrubbed environment. */
export function spawnProcess(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Spawned {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const waiters = new Set<() => void>();
  const onData = (chunk: unknown) => {
    text += String(chunk);
    for (const w of waiters) w();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      for (const w of waiters) w();
      resolve(code);
    })
  );
  return {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = text.match(pattern);
          if (m) done(() => resolve(m));
          else if (child.exitCode !== null || child.signalCode !== null) {
            done(() => reject(new Error(`process exited before ${pattern}:\n${text}`)));
          }
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`timed out waiting for ${pattern}:\n${text}`))),
          timeoutMs,
        );
        const done = (fn: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          fn();
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return await exited;
    },
  };
}
