/**
 * `createStateStoreFromUrl`: the {@linkcode StateStore} that `MIKROCLAW_STORAGE` names.
 * `memory` (default) keeps everything in this process and writes nothing to disk; `fs:/path`
 * persists under a directory; `redis://host:port[/db]` shares state across a fleet.
 * Backends with Node or socket dependencies are imported lazily.
 * @module
 */
import { createStorage } from "unstorage";
import type { Logger } from "../_internal/logger.ts";
import { silentLogger } from "../_internal/logger.ts";
import { AgentError, ConfigError, ErrorCode, errorMessage } from "../errors.ts";
import { createStateStore } from "./state_store.ts";
import type { RedisClientLike } from "./redis_state_store.ts";
import type { StateStore } from "./types.ts";

/** A parsed `MIKROCLAW_STORAGE` value. */
export type StorageSpec =
  | { kind: "memory" }
  | { kind: "fs"; path: string }
  | {
    kind: "redis";
    /** Connection URL for ioredis (may hold a password: never log it). */
    url: string;
    /** The URL with any password replaced by `***`. */
    display: string;
    /** Key prefix from `?prefix=`, if given. */
    prefix?: string;
  };

/** Options of {@linkcode createStateStoreFromUrl}. */
export interface StateStoreFromUrlOptions {
  logger?: Logger;
  /**
   * Redis key prefix, so separate deployments can share one Redis (a `?prefix=` in the URL
   * wins). @default {"mikroclaw"}
   */
  prefix?: string;
  /** Redis connect and first-PING limit. @default {5000} */
  connectTimeoutMs?: number;
  /** Clock of the memory and fs backends (Redis expires keys itself), for tests. */
  now?: () => number;
}

const EXAMPLE =
  "use memory, fs:/var/lib/mikroclaw or redis://127.0.0.1:6379/0 (e.g. MIKROCLAW_STORAGE=redis://127.0.0.1:6379/0)";
const PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

/** Parses a `MIKROCLAW_STORAGE` value; throws {@linkcode ConfigError} naming the variable. */
export function parseStorageSpec(spec: string | undefined): StorageSpec {
  const value = (spec ?? "").trim();
  if (value === "" || value === "memory") return { kind: "memory" };
  if (value.startsWith("fs:")) {
    const path = value.slice(3);
    if (path === "" || path.startsWith("//") || path.includes("\0")) {
      throw bad(
        `Cannot use "${value}": fs: needs a directory path such as fs:/var/lib/mikroclaw`,
      );
    }
    return { kind: "fs", path };
  }
  if (/^rediss?:\/\//i.test(value)) return parseRedis(value);
  throw bad(`Cannot use "${redactUrl(value)}": unknown storage; ${EXAMPLE}`);
}

/** Opens the {@linkcode StateStore} that `spec` (a `MIKROCLAW_STORAGE` value) names. */
export async function createStateStoreFromUrl(
  spec: string | undefined,
  options: StateStoreFromUrlOptions = {},
): Promise<StateStore> {
  const parsed = parseStorageSpec(spec);
  const logger = options.logger ?? silentLogger;
  if (parsed.kind === "memory") {
    return createStateStore({
      storage: createStorage(),
      kind: "memory",
      location: "memory (this process only, nothing written to disk)",
      ...(options.now ? { now: options.now } : {}),
    });
  }
  if (parsed.kind === "fs") {
    const { safeFsDriver } = await import("./_fs_driver.ts");
    let opened;
    try {
      opened = await safeFsDriver(parsed.path);
    } catch (error) {
      throw fsPathError(parsed.path, error);
    }
    return createStateStore({
      storage: createStorage({ driver: opened.driver }),
      kind: "fs",
      location: `fs ${opened.root}`,
      ...(options.now ? { now: options.now } : {}),
    });
  }
  const prefix = parsed.prefix ?? options.prefix ?? "mikroclaw";
  if (!PREFIX.test(prefix)) {
    throw new TypeError(
      `Cannot use Redis key prefix "${prefix}": use 1-64 of A-Z a-z 0-9 _ . -`,
    );
  }
  const timeoutMs = options.connectTimeoutMs ?? 5_000;
  const { default: redisDriver } = await import("unstorage/drivers/redis");
  const driver = redisDriver({
    url: parsed.url,
    base: prefix,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 2,
  });
  const client = driver.getInstance!() as unknown as RedisClientLike & {
    on(event: "error", listener: (error: unknown) => void): void;
    ping(): Promise<string>;
    disconnect(): void;
  };
  let lastError = "";
  let connected = false;
  client.on("error", (error) => {
    const message = errorMessage(error);
    if (message === lastError) return;
    lastError = message;
    // Before the first PING answers, the one start-up error below says it all.
    if (connected) logger.warn(`storage: Redis ${parsed.display}: ${message}`);
  });
  try {
    await withTimeout(client.ping(), timeoutMs);
  } catch (error) {
    client.disconnect();
    const { redisFailureReason } = await import("./redis_state_store.ts");
    throw new AgentError(
      `Cannot connect to MIKROCLAW_STORAGE ${parsed.display}: ${
        redisFailureReason(lastError || errorMessage(error), timeoutMs)
      }`,
      { code: ErrorCode.Storage, cause: error },
    );
  }
  connected = true;
  lastError = "";
  const { createRedisStateStore } = await import("./redis_state_store.ts");
  return createRedisStateStore({
    storage: createStorage({ driver }),
    redis: client,
    prefix,
    location: `redis ${parsed.display} prefix ${prefix}:`,
  });
}

// --- Internal helpers ---

/** The one-line error of an fs storage path this process cannot use, with the fix. */
function fsPathError(path: string, error: unknown): AgentError {
  const code = (error as { code?: unknown })?.code;
  const at = (error as { path?: unknown })?.path;
  const where = typeof at === "string" && at !== path ? ` (at ${at})` : "";
  const uid = globalThis.process?.getuid?.();
  const user = uid === undefined ? "this process" : `uid ${uid}`;
  const fix =
    `make it writable by ${user} (on a router: the owner of the container's mount) or use MIKROCLAW_STORAGE=memory`;
  const reasons: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "permission denied",
    EROFS: "read-only file system",
    ENOTDIR: "a part of it is not a directory",
    ENOENT: "it cannot be created there",
    ENOSPC: "no space left",
    EEXIST: "it is not a directory",
  };
  const reason = typeof code === "string" ? reasons[code] : undefined;
  if (reason === undefined) {
    return new AgentError(
      `Cannot open MIKROCLAW_STORAGE directory ${path}: ${errorMessage(error)}`,
      { code: ErrorCode.Storage, cause: error },
    );
  }
  return new ConfigError([{
    key: "MIKROCLAW_STORAGE",
    message: `Cannot use fs:${path}: ${reason}${where}; ${fix}`,
  }], {
    cause: error,
  });
}

function bad(message: string): ConfigError {
  return new ConfigError([{ key: "MIKROCLAW_STORAGE", message }]);
}

function parseRedis(value: string): StorageSpec {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad(`Cannot use "${redactUrl(value)}": not a valid URL; ${EXAMPLE}`);
  }
  const display = redactUrl(value);
  if (url.hostname === "") {
    throw bad(`Cannot use "${display}": no host; ${EXAMPLE}`);
  }
  const db = url.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d{1,2}$/.test(db)) {
    throw bad(
      `Cannot use "${display}": the database must be a number such as /0; ${EXAMPLE}`,
    );
  }
  let prefix: string | undefined;
  for (const [name, param] of url.searchParams) {
    if (name !== "prefix") {
      throw bad(
        `Cannot use "${display}": unknown parameter "${name}" (only ?prefix=)`,
      );
    }
    if (!PREFIX.test(param)) {
      throw bad(
        `Cannot use "${display}": prefix must be 1-64 of A-Z a-z 0-9 _ . -`,
      );
    }
    prefix = param;
  }
  url.search = "";
  url.hash = "";
  const spec: StorageSpec = {
    kind: "redis",
    url: url.toString(),
    display: redactUrl(url.toString()),
  };
  if (prefix !== undefined) spec.prefix = prefix;
  return spec;
}

/** The URL with any password replaced by `***`. */
function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password !== "") url.password = "***";
    return url.toString();
  } catch {
    return value.replace(/\/\/([^/@]*)@/, "//***@");
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
