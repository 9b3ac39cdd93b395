/**
 * The disk and network backends of `MIKROCLAW_STORAGE` (`fs:` and `redis://`), loaded only when
 * configured: a gateway on the default `memory` store never loads them.
 * @module
 */
import { createStorage } from "unstorage";
import { AgentError, ConfigError, ErrorCode, errorMessage } from "../errors.ts";
import { silentLogger } from "../_internal/logger.ts";
import { REDIS_PREFIX, type StateStoreFromUrlOptions, type StorageSpec } from "./from_url.ts";
import { createStateStore } from "./state_store.ts";
import type { RedisClientLike } from "./redis_state_store.ts";
import type { StateStore } from "./types.ts";

/** Opens an `fs:` store under `path`; an unusable path is a one-line error with the fix. */
export async function openFsStore(path: string, now?: () => number): Promise<StateStore> {
  const { safeFsDriver } = await import("./_fs_driver.ts");
  let opened;
  try {
    opened = await safeFsDriver(path);
  } catch (error) {
    throw fsPathError(path, error);
  }
  return createStateStore({
    storage: createStorage({ driver: opened.driver }),
    kind: "fs",
    location: `fs ${opened.root}`,
    now,
  });
}

/** Connects to Redis (first PING within the timeout) and opens the fleet store. */
export async function openRedisStore(
  parsed: Extract<StorageSpec, { kind: "redis" }>,
  options: StateStoreFromUrlOptions,
): Promise<StateStore> {
  const logger = options.logger ?? silentLogger;
  const prefix = parsed.prefix ?? options.prefix ?? "mikroclaw";
  if (!REDIS_PREFIX.test(prefix)) {
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
