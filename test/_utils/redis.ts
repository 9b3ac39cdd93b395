/**
 * Starts a throwaway `redis-server` on a free loopback port for the Redis tests (no
 * persistence), on Node, Deno and Bun alike.
 * @module
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createConnection, createServer } from "node:net";
import { delimiter, join } from "node:path";
import process from "node:process";
import { waitFor } from "./wait.ts";

/** A running Redis. */
export interface LocalRedis {
  /** e.g. `redis://127.0.0.1:41234` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Path of `redis-server` on `PATH`, or `undefined`. */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  for (
    const candidate of ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
  ) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Why the Redis tests must be skipped here, or `undefined` when they must run. They are only
 * skipped when `redis-server` is missing AND `CI` is unset; in CI a missing server fails.
 */
export function redisSkipReason(): string | undefined {
  if (findRedisServer() !== undefined) return undefined;
  if (process.env.CI) return undefined;
  const reason =
    "redis-server is not installed (apt-get install -y redis-server); Redis tests skipped outside CI";
  console.warn(`# ${reason}`);
  return reason;
}

/** Spawns `redis-server` on 127.0.0.1 and resolves once it answers PING. */
export async function startRedis(
  options: { timeoutMs?: number } = {},
): Promise<LocalRedis> {
  const bin = findRedisServer();
  if (bin === undefined) {
    throw new Error(
      "Cannot start Redis: redis-server is not installed (CI installs it; locally: apt-get install -y redis-server)",
    );
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const port = await freePort();
  const child = spawn(bin, [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--protected-mode",
    "yes",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error("redis-server exited");
      return await ping(port);
    }, { timeout: timeoutMs, interval: 50 });
  } catch {
    child.kill("SIGKILL");
    throw new Error(`Cannot start Redis on port ${port}: ${stderr.trim() || "no PONG"}`);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A port free on 127.0.0.1 right now (for a process that cannot take port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// --- Internal helpers ---

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    let answer = "";
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1_000);
    socket.once("error", () => done(false));
    socket.on("data", (chunk) => {
      answer += String(chunk);
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
    socket.once("connect", () => socket.write("PING\r\n"));
  });
}
