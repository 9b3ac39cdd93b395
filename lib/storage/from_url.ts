/**
 * `createStateStoreFromUrl`: the {@linkcode StateStore} that `MIKROCLAW_STORAGE` names.
 * `memory` (default) keeps everything in this process and writes nothing to disk; `fs:/path`
 * persists under a directory; `redis://host:port[/db]` shares state across a fleet.
 * Backends with Node or socket dependencies are imported lazily.
 * @module
 */
import { createStorage } from "unstorage";
import type { Logger } from "../_internal/logger.ts";
import { ConfigError } from "../errors.ts";
import { createStateStore } from "./state_store.ts";
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
/** A Redis key prefix: 1-64 of A-Z a-z 0-9 _ . - */
export const REDIS_PREFIX: RegExp = /^[A-Za-z0-9_.-]{1,64}$/;

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
  if (parsed.kind === "memory") {
    return createStateStore({
      storage: createStorage(),
      kind: "memory",
      location: "memory (this process only, nothing written to disk)",
      now: options.now,
    });
  }
  const backend = await import("./_open_backend.ts");
  if (parsed.kind === "fs") return await backend.openFsStore(parsed.path, options.now);
  return await backend.openRedisStore(parsed, options);
}

// --- Internal helpers ---

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
    if (!REDIS_PREFIX.test(param)) {
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
