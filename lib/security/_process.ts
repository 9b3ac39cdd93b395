/**
 * Runs a program with an argv (never a shell), a scrubbed environment, a time limit, an
 * output cap and a process-group kill (internal; used by `shell_exec` and `skill_invoke`).
 * @module
 */

/** Options of {@linkcode runProcess}. */
export interface RunProcessOptions {
  /** Absolute path of the program. */
  file: string;
  args: readonly string[];
  cwd: string;
  /** The complete environment of the child (nothing is inherited). */
  env: Record<string, string>;
  /** Written to the child's stdin, which is then closed. */
  stdin?: string | undefined;
  timeoutMs: number;
  /** Cap of stdout + stderr together, in bytes; the group is killed beyond it. */
  maxOutputBytes: number;
  signal?: AbortSignal;
}

/** What a finished (or killed) process produced. */
export interface ProcessResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Output went over `maxOutputBytes` and the process group was killed. */
  truncated: boolean;
  timedOut: boolean;
  aborted: boolean;
}

/** Starts `file` with `args` and resolves when it has exited (or been killed). */
export async function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const { spawn } = await import("node:child_process");
  const proc = (await import("node:process")).default;
  options.signal?.throwIfAborted();
  const child = spawn(options.file, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
    shell: false,
    windowsHide: true,
  });
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  let timedOut = false;
  let aborted = false;
  let exited = false;

  // After the leader has exited, a group kill still reaches any children it left behind (the
  // group id cannot be reused while members remain).
  const killGroup = (force = false): void => {
    if ((exited && !force) || child.pid === undefined) return;
    try {
      proc.kill(-child.pid, "SIGKILL");
    } catch {
      if (!exited) {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  };
  const collect = (into: Uint8Array[]) => (chunk: Uint8Array): void => {
    if (truncated) return;
    const room = options.maxOutputBytes - size;
    if (chunk.byteLength > room) {
      into.push(chunk.subarray(0, Math.max(0, room)));
      size = options.maxOutputBytes;
      truncated = true;
      killGroup();
      return;
    }
    into.push(chunk);
    size += chunk.byteLength;
  };
  child.stdout?.on("data", collect(stdout));
  child.stderr?.on("data", collect(stderr));
  child.stdin?.on("error", () => {}); // the child may exit without reading stdin
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  else child.stdin?.end();

  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, options.timeoutMs);
  const onAbort = (): void => {
    aborted = true;
    killGroup();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    const [exitCode, signal] = await new Promise<[number | null, string | null]>(
      (resolve, reject) => {
        child.once("error", reject);
        child.once("exit", (code, sig) => {
          exited = true;
          // Give the pipes a moment to drain; a grandchild that escaped the group must not
          // hold us forever.
          let done = false;
          const finish = (): void => {
            if (done) return;
            done = true;
            child.stdout?.destroy();
            child.stderr?.destroy();
            resolve([code, sig]);
          };
          child.once("close", finish);
          setTimeout(finish, 200);
        });
      },
    );
    const decode = (chunks: Uint8Array[]): string => {
      const decoder = new TextDecoder();
      return chunks.map((c) => decoder.decode(c, { stream: true })).join("") + decoder.decode();
    };
    return {
      exitCode,
      signal,
      stdout: decode(stdout),
      stderr: decode(stderr),
      truncated,
      timedOut,
      aborted,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    killGroup(true);
  }
}

/** The text a tool returns for a process result. */
export function formatProcessResult(result: ProcessResult): string {
  const lines: string[] = [];
  lines.push(
    result.exitCode !== null ? `exit code: ${result.exitCode}` : `killed by ${result.signal}`,
  );
  if (result.truncated) lines.push("output cap reached: the process was stopped");
  if (result.stdout) lines.push("--- stdout ---", result.stdout.replace(/\n$/, ""));
  if (result.stderr) lines.push("--- stderr ---", result.stderr.replace(/\n$/, ""));
  return lines.join("\n");
}
