/**
 * Starts an unpacked image the way a router does, without a container engine: `runc` on the
 * bundle `umoci unpack` made (or, where runc cannot run, `unshare` + `chroot` on the layer's
 * files), as the image's user, with no network but loopback. A foreign architecture runs under
 * the static qemu user emulator, bind-mounted into the container (nothing is registered with
 * binfmt_misc, so nothing is left to undo).
 * @module
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** How to start one container. */
export interface RunOptions {
  /** The `umoci unpack` bundle (config.json + rootfs). */
  bundle: string;
  id: string;
  /** Extra environment (`KEY=value`). */
  env?: readonly string[];
  /** Host directory bind-mounted writable at `/data`; without it `/data` is a root-owned 0755 tmpfs. */
  dataDir?: string;
  /** Memory limit in bytes (cgroup), if any. */
  memoryBytes?: number;
  /** Static qemu to run a foreign architecture under. */
  qemu?: string;
}

/** A started container. */
export interface Running {
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first output line matching `pattern`, or rejects when it exits first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Runs a command inside it (as the image's user); resolves with exit code and output. */
  exec(
    args: readonly string[],
    env?: readonly string[],
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Sends a signal to its first process. */
  kill(signal: "TERM" | "KILL"): Promise<void>;
  /** Resolves with its exit code. */
  exited: Promise<number>;
  /** Host pid of runc's child (for RSS readings by the benchmark). */
  pid(): Promise<number>;
  /** Removes it (force). */
  remove(): Promise<void>;
}

/** Whether this kernel gives runc a memory cgroup. */
export function memoryCgroupAvailable(): boolean {
  try {
    return readFileSync("/proc/self/cgroup", "utf8").includes("memory") ||
      readFileSync("/sys/fs/cgroup/cgroup.controllers", "utf8").includes("memory");
  } catch {
    return false;
  }
}

/** Starts the bundle with `runc run` after adjusting its config.json for this run. */
export function runWithRunc(options: RunOptions): Running {
  const configPath = join(options.bundle, "config.json");
  // deno-lint-ignore no-explicit-any
  const config = JSON.parse(readFileSync(configPath, "utf8")) as any;
  config.process.terminal = false;
  config.process.env = [...config.process.env, ...(options.env ?? [])];
  config.mounts = config.mounts.filter((m: { destination: string }) => m.destination !== "/.qemu");
  // umoci's VOLUME tmpfs is mode 1777 (writable by anyone); a router mount of unknown owner is
  // modelled as what it may well be: root-owned 0755, not writable by the image's user.
  const data = options.dataDir !== undefined
    ? { destination: "/data", type: "bind", source: options.dataDir, options: ["rbind", "rw"] }
    : {
      destination: "/data",
      type: "tmpfs",
      source: "tmpfs",
      options: ["rw", "nosuid", "nodev", "noexec", "mode=755", "uid=0", "gid=0"],
    };
  config.mounts = [
    ...config.mounts.filter((m: { destination: string }) => m.destination !== "/data"),
    data,
  ];
  if (options.qemu !== undefined) {
    config.mounts.push({
      destination: "/.qemu",
      type: "bind",
      source: options.qemu,
      options: ["bind", "ro"],
    });
    if (config.process.args[0] !== "/.qemu") {
      config.process.args = ["/.qemu", ...config.process.args];
    }
  }
  config.linux.resources = { ...config.linux.resources };
  if (options.memoryBytes !== undefined) {
    config.linux.resources.memory = { limit: options.memoryBytes };
  } else delete config.linux.resources.memory;
  writeFileSync(configPath, JSON.stringify(config, null, 2));

  const child: ChildProcess = spawn("runc", ["run", "--bundle", options.bundle, options.id], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    text += chunk.toString("utf8");
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number>((resolve) =>
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  );
  const prefix = options.qemu !== undefined ? ["/.qemu"] : [];
  return {
    output: () => text,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`no output matching ${pattern} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = (): void => {
          const match = pattern.exec(text);
          if (match) finish(undefined, match);
        };
        const finish = (error?: Error, match?: RegExpMatchArray): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(match!);
        };
        listeners.add(check);
        exited.then((code) =>
          finish(
            new Error(
              `container exited (${code}) before ${pattern}: ${
                text.trim().split("\n").slice(-3).join(" | ")
              }`,
            ),
          )
        );
        check();
      });
    },
    exec(args, env = []) {
      const envArgs = env.flatMap((e) => ["--env", e]);
      return new Promise((resolve) => {
        execFile(
          "runc",
          ["exec", ...envArgs, options.id, ...prefix, ...args],
          { timeout: 120_000 },
          (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
      });
    },
    kill: (signal) =>
      new Promise((resolve, reject) =>
        execFile(
          "runc",
          ["kill", options.id, signal],
          (error) => (error ? reject(error) : resolve()),
        )
      ),
    exited,
    pid: () =>
      new Promise((resolve, reject) =>
        execFile(
          "runc",
          ["state", options.id],
          (
            error,
            stdout,
          ) => (error ? reject(error) : resolve((JSON.parse(stdout) as { pid: number }).pid)),
        )
      ),
    remove: () =>
      new Promise((resolve) => execFile("runc", ["delete", "-f", options.id], () => resolve())),
  };
}
