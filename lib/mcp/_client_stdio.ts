/**
 * The stdio transport of an MCP client session: a child process MikroClaw starts, with a
 * scrubbed environment, one JSON-RPC message a line.
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import { processEnv } from "../_internal/env.ts";
import { MAX_MESSAGE_BYTES, type Wire } from "./_client_wire.ts";

/** Environment variables a stdio server inherits; everything else is scrubbed. */
const INHERITED_ENV = ["PATH", "HOME", "LANG"];

/** Starts the server's command and resolves once it runs; messages go to `incoming`. */
export async function openStdio(
  name: string,
  entry: { command: string; args?: string[]; env?: Record<string, string> },
  incoming: (message: unknown) => void,
  onClosed: (reason: string) => void,
  logger: Logger,
): Promise<Wire> {
  const { spawn } = await import("node:child_process");
  const parent = processEnv();
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, entry.env ?? {});
  const child = spawn(entry.command, entry.args ?? [], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
    windowsHide: true,
  });
  const wire: Wire = {
    closed: undefined,
    send(payload: unknown): Promise<void> {
      return new Promise((resolve, reject) => {
        if (wire.closed || !child.stdin.writable) {
          reject(new Error(wire.closed ?? "stdin is closed"));
          return;
        }
        child.stdin.write(
          JSON.stringify(payload) + "\n",
          (error) => error ? reject(error) : resolve(),
        );
      });
    },
    async close(): Promise<void> {
      if (exited) return;
      wire.closed ??= "was closed";
      child.stdin.end();
      if (await waitExit(500)) return;
      child.kill("SIGTERM");
      if (await waitExit(1000)) return;
      child.kill("SIGKILL");
      await waitExit(1000);
    },
  };
  let exited = false;
  const exitWaiters = new Set<() => void>();
  function waitExit(ms: number): Promise<boolean> {
    if (exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        exitWaiters.delete(done);
        resolve(false);
      }, ms);
      exitWaiters.add(done);
    });
  }
  function gone(reason: string): void {
    if (!wire.closed) wire.closed = reason;
    onClosed(wire.closed);
  }
  child.on("exit", (code, signal) => {
    exited = true;
    gone(signal ? `exited (signal ${signal})` : `exited with code ${code}`);
    for (const w of exitWaiters) w();
  });
  child.stdin.on("error", () => {}); // EPIPE after the child died; "exit" reports it.

  let buffer = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) {
        try {
          incoming(JSON.parse(line));
        } catch {
          logger.debug(`MCP server "${name}" wrote a non-JSON line on stdout (ignored)`);
        }
      }
      newline = buffer.indexOf("\n");
    }
    if (buffer.length > MAX_MESSAGE_BYTES) {
      buffer = "";
      logger.warn(`MCP server "${name}" sent a message over ${MAX_MESSAGE_BYTES} bytes; dropped`);
    }
  });
  let stderrBytes = 0;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderrBytes += chunk.length;
    if (stderrBytes < 64 * 1024) {
      logger.debug(`MCP server "${name}": ${chunk.trimEnd().slice(0, 500)}`);
    }
  });

  // Spawn failures (ENOENT, EACCES) arrive as an "error" event.
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (error) => {
      gone(`could not start: ${errorMessage(error)}`);
      exited = true;
      reject(new Error(`Cannot start "${entry.command}": ${errorMessage(error)}`));
    });
  });
  child.on("error", (error) => gone(`failed: ${errorMessage(error)}`));
  return wire;
}
