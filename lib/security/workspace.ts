/**
 * `createWorkspace`: the file-system guard of `file_read`, `file_write` and `shell_exec`.
 *
 * Every path is relative to one fixed root (resolved once, at creation, never the current
 * directory later). Refused: absolute paths, `..` segments (also after percent-decoding),
 * backslashes, NUL and control characters, protected names (`.git`, `.ssh`, `.env*`, …) and
 * the operator's `FORBIDDEN_PATHS`, and any path whose real location (symbolic links
 * resolved, or the deepest existing parent for a new file) is outside the real root.
 * Files are opened with `O_NOFOLLOW` and the opened file is verified again (its
 * `/proc/self/fd` link, or its real path with matching device and inode), so a symbolic link
 * swapped in between the check and the open cannot escape. Writes are atomic: a temporary
 * file in the same directory, then a rename, never following a link at the target.
 *
 * Also refused: a regular file with more than one hard link (a link made elsewhere to a file
 * outside the workspace looks like any other file inside it), the `protected` paths (the
 * configuration file, the state, storage, skills directories and an `MCP_SERVERS` file: the
 * model must not rewrite what configures it), whatever the spelling (links, `./`, `..`, letter
 * case: real paths are compared case-insensitively and by device and inode), and listing a
 * directory recursively when a forbidden or protected path lies under it.
 *
 * Residual risk (Node has no `openat`/`renameat`): a parent directory replaced by a link
 * in the instant between the last re-check and the final `rename` could still redirect the
 * rename. The window is re-checked right before renaming; the container is the real boundary.
 * @module
 */
import { AgentError, ErrorCode, PolicyError } from "../errors.ts";
import { processEnv } from "../_internal/env.ts";

/** Names refused anywhere in a path (case-insensitive); `.env` also covers `.env.*`. */
export const DEFAULT_FORBIDDEN: readonly string[] = [
  ".git",
  ".ssh",
  ".gnupg",
  ".aws",
  ".kube",
  ".docker",
  ".mikroclaw",
  ".netrc",
  ".npmrc",
  ".pgpass",
  ".env",
];

/** Options of {@linkcode createWorkspace}. */
export interface WorkspaceOptions {
  /** The root (`WORKSPACE_DIR`); a relative root is resolved now against the current directory. */
  root: string;
  /**
   * More forbidden paths (`FORBIDDEN_PATHS`): workspace-relative prefixes such as `secrets`
   * or `config/keys.json`, or absolute paths compared with the real location.
   */
  forbidden?: readonly string[];
  /** Largest file `readText` returns in full, in bytes. @default {262144} */
  maxReadBytes?: number;
  /** Largest content `writeText` accepts, in bytes. @default {1048576} */
  maxWriteBytes?: number;
  /**
   * Paths no tool may read, write or list inside, wherever they sit (absolute, or relative to
   * the current directory): the configuration file, `MIKROCLAW_STATE_DIR`, the `fs:` storage
   * directory, `SKILLS_DIR`, an `MCP_SERVERS` file.
   */
  protected?: readonly ProtectedPath[];
  /** Test seam: awaited after every check, right before a file is opened. */
  beforeOpen?: (realPath: string) => void | Promise<void>;
}

/** A path the tools must never touch, and what it is (named in the refusal). */
export interface ProtectedPath {
  /** Absolute, or relative to the current directory at creation. */
  path: string;
  /** What it is, e.g. `configuration file (--config)`. */
  what: string;
}

/** Result of {@linkcode Workspace.readText}. */
export interface ReadTextResult {
  /** The text, at most `maxReadBytes` bytes of it. */
  text: string;
  /** Size of the whole file in bytes. */
  size: number;
  /** True when the file was longer than `maxReadBytes`. */
  truncated: boolean;
}

/** A guarded directory. */
export interface Workspace {
  /** The absolute root as configured (not yet symlink-resolved). */
  readonly root: string;
  /** Lexical checks only; the normalised relative path (`""` for the root itself). */
  checkPath(path: string, action?: string): string;
  /** The real absolute path of an existing file or directory inside the workspace. */
  resolveForRead(path: string, action?: string): Promise<string>;
  /** The absolute path a new or replaced file would have; parents must be inside. */
  resolveForWrite(path: string): Promise<string>;
  /** The real root directory (created if missing). */
  realRoot(): Promise<string>;
  /** Reads a text file (capped). */
  readText(path: string): Promise<ReadTextResult>;
  /** Writes a text file atomically, creating parent directories inside the workspace. */
  writeText(path: string, content: string): Promise<{ path: string; bytes: number }>;
  /**
   * The first forbidden or protected path under the directory `realDir` (a real path inside
   * the workspace), workspace-relative; `undefined` when none. Symbolic links are not followed.
   * A tree too large to walk counts as holding one.
   */
  forbiddenUnder(realDir: string): Promise<string | undefined>;
}

type Fs = typeof import("node:fs");

function fail(message: string, cause?: unknown): AgentError {
  return new AgentError(message, { code: ErrorCode.ToolExecution, cause });
}

function code(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/** POSIX normalisation of an absolute path (no file-system access). */
function normalizeAbsolute(path: string): string {
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return "/" + out.join("/");
}

function key(st: { dev: number; ino: number }): string {
  return `${st.dev}:${st.ino}`;
}

/** Most directory entries a recursive-listing check walks. */
const MAX_WALK_ENTRIES = 20_000;

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : root + "/");
}

function relativeTo(root: string, path: string): string {
  return path === root ? "" : path.slice(root.length + (root.endsWith("/") ? 0 : 1));
}

/** Builds a {@linkcode Workspace}. */
export function createWorkspace(options: WorkspaceOptions): Workspace {
  if (typeof options.root !== "string" || options.root === "" || options.root.includes("\0")) {
    throw new TypeError("Cannot create workspace: root must be a non-empty path");
  }
  let root = options.root;
  const cwd = (globalThis as { process?: { cwd?(): string } }).process?.cwd?.() ??
    processEnv().PWD;
  if (!root.startsWith("/")) {
    if (!cwd) throw new TypeError("Cannot create workspace: root must be absolute here");
    root = cwd + "/" + root;
  }
  root = normalizeAbsolute(root);
  if (root === "/") throw new TypeError("Cannot create workspace: the root must not be /");
  const maxReadBytes = options.maxReadBytes ?? 262_144;
  const maxWriteBytes = options.maxWriteBytes ?? 1_048_576;
  const extraRelative: string[] = [];
  const extraAbsolute: string[] = [];
  for (const raw of options.forbidden ?? []) {
    const entry = raw.trim();
    if (!entry) continue;
    if (entry.startsWith("/")) extraAbsolute.push(normalizeAbsolute(entry));
    else {
      const rel = entry.split(/[\\/]+/).filter((s) => s && s !== ".").join("/").toLowerCase();
      if (rel) extraRelative.push(rel);
    }
  }

  const protectedPaths = (options.protected ?? []).filter((p) => p.path.trim() !== "").map((p) => ({
    path: normalizeAbsolute(p.path.startsWith("/") ? p.path : `${cwd ?? ""}/${p.path.trim()}`),
    what: p.what,
  }));

  let fsPromise: Promise<Fs> | undefined;
  const loadFs = (): Promise<Fs> => (fsPromise ??= import("node:fs"));
  let realRootPromise: Promise<string> | undefined;

  async function realRoot(create = false): Promise<string> {
    const fs = await loadFs();
    if (create) await fs.promises.mkdir(root, { recursive: true });
    realRootPromise ??= fs.promises.realpath(root);
    try {
      return await realRootPromise;
    } catch (error) {
      realRootPromise = undefined;
      if (code(error) === "ENOENT") {
        throw fail(`Cannot use workspace: directory ${root} does not exist (WORKSPACE_DIR)`);
      }
      throw fail(`Cannot use workspace: ${(error as Error).message}`, error);
    }
  }

  function forbiddenCheck(rel: string, shown: string, action: string): void {
    const lower = rel.toLowerCase();
    for (const seg of lower.split("/")) {
      for (const name of DEFAULT_FORBIDDEN) {
        if (seg === name || (name === ".env" && seg.startsWith(".env"))) {
          throw new PolicyError(
            `Cannot ${action} "${shown}": "${seg}" is a protected path (secrets and repository data are never exposed to tools)`,
          );
        }
      }
    }
    for (const entry of extraRelative) {
      if (lower === entry || lower.startsWith(entry + "/")) {
        throw new PolicyError(`Cannot ${action} "${shown}": the path is listed in FORBIDDEN_PATHS`);
      }
    }
  }

  function absoluteForbiddenCheck(real: string, shown: string, action: string): void {
    for (const entry of extraAbsolute) {
      if (isInside(entry, real)) {
        throw new PolicyError(`Cannot ${action} "${shown}": the path is listed in FORBIDDEN_PATHS`);
      }
    }
  }

  /** The real form of `path`: realpath, or that of its deepest existing parent plus the rest. */
  async function realOrDeepest(path: string): Promise<string> {
    const fs = await loadFs();
    const rest: string[] = [];
    let current = path;
    for (;;) {
      try {
        const real = await fs.promises.realpath(current);
        return normalizeAbsolute([real, ...rest.reverse()].join("/"));
      } catch {
        if (current === "/" || current === "") return path;
        rest.push(current.slice(current.lastIndexOf("/") + 1));
        current = current.slice(0, current.lastIndexOf("/")) || "/";
      }
    }
  }

  /** Refuses `real` (a real absolute path) when it is, or lies inside, a protected path. */
  async function protectedCheck(real: string, shown: string, action: string): Promise<void> {
    if (protectedPaths.length === 0) return;
    const hit = await protectedHit(real);
    if (hit !== undefined) {
      throw new PolicyError(
        `Cannot ${action} "${shown}": it is or lies in MikroClaw's ${hit} (what configures the agent is never exposed to its tools)`,
      );
    }
  }

  /** Which protected path `real` is or lies in (case-insensitive, and by device and inode). */
  async function protectedHit(real: string): Promise<string | undefined> {
    const fs = await loadFs();
    const lowerReal = real.toLowerCase();
    // The target and its ancestors, by identity: another spelling of the same file or directory.
    const chain: { dev: number; ino: number }[] = [];
    const rootChain = new Set<string>();
    const base = await realRoot();
    for (let p = real;; p = p.slice(0, p.lastIndexOf("/")) || "/") {
      const st = await fs.promises.stat(p).catch(() => undefined);
      if (st) {
        chain.push({ dev: st.dev, ino: st.ino });
        if (isInside(p, base)) rootChain.add(key(st));
      }
      if (p === "/") break;
    }
    const lowerRoot = (await realRoot()).toLowerCase();
    for (const { path, what } of protectedPaths) {
      const resolved = (await realOrDeepest(path)).toLowerCase();
      // A protected directory holding the whole workspace (the container's /data holds
      // /data/workspace) cannot be refused as a whole; its parts are listed on their own.
      if (isInside(resolved, lowerRoot)) continue;
      if (isInside(resolved, lowerReal) || isInside(path.toLowerCase(), lowerReal)) return what;
      const st = await fs.promises.stat(path).catch(() => undefined);
      if (
        st && chain.some((c) => c.dev === st.dev && c.ino === st.ino) && !rootChain.has(key(st))
      ) {
        return what;
      }
    }
    return undefined;
  }

  /** Refuses a regular file with more than one hard link: one name may be outside. */
  function linkCheck(st: { isFile(): boolean; nlink: number }, shown: string, action: string) {
    if (st.isFile() && st.nlink > 1) {
      throw new PolicyError(
        `Cannot ${action} "${shown}": the file has ${st.nlink} hard links (another name of it may be outside the workspace)`,
      );
    }
  }

  async function forbiddenUnder(realDir: string): Promise<string | undefined> {
    const base = await realRoot();
    const fs = await loadFs();
    if (!isInside(base, realDir)) return relativeTo(base, realDir) || ".";
    const lowerDir = realDir.toLowerCase();
    // Protected and absolute forbidden paths: is one of them under the directory?
    const lowerRoot = base.toLowerCase();
    for (const { path } of protectedPaths) {
      const real = (await realOrDeepest(path)).toLowerCase();
      if (isInside(real, lowerRoot)) continue; // holds the whole workspace (see protectedHit)
      if (isInside(lowerDir, real)) return relativeTo(lowerDir, real) || ".";
    }
    for (const entry of extraAbsolute) {
      const real = (await realOrDeepest(entry)).toLowerCase();
      if (isInside(lowerDir, real)) return relativeTo(lowerDir, real) || ".";
    }
    const relDir = relativeTo(base, realDir).toLowerCase();
    for (const entry of extraRelative) {
      if (relDir === "" || entry.startsWith(relDir + "/")) return entry;
    }
    // Protected names (.git, .ssh, .env* …) may sit at any depth: walk, without following links.
    let budget = MAX_WALK_ENTRIES;
    const queue = [realDir];
    while (queue.length > 0) {
      const dir = queue.shift()!;
      let entries: import("node:fs").Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch {
        continue; // unreadable: the program cannot list it either
      }
      for (const entry of entries) {
        if (--budget < 0) return `(more than ${MAX_WALK_ENTRIES} entries to check)`;
        const path = `${dir}/${entry.name}`;
        const rel = relativeTo(base, path);
        try {
          forbiddenCheck(rel, rel, "list");
        } catch {
          return rel;
        }
        if (entry.isDirectory()) queue.push(path);
      }
    }
    return undefined;
  }

  function checkPath(path: string, action = "use"): string {
    if (typeof path !== "string") throw new TypeError("Cannot check path: not a string");
    const shown = path.slice(0, 200);
    if (path.length > 4096) {
      throw new PolicyError(`Cannot ${action} path: longer than 4096 characters`);
    }
    const layers = [path];
    let current = path;
    for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(current); i++) {
      try {
        current = decodeURIComponent(current);
      } catch {
        break;
      }
      layers.push(current);
    }
    for (const [i, layer] of layers.entries()) {
      const how = i === 0 ? "" : " (after percent-decoding)";
      if (layer.includes("\0")) {
        throw new PolicyError(`Cannot ${action} "${shown}": the path contains a NUL byte${how}`);
      }
      // deno-lint-ignore no-control-regex
      if (/[\x01-\x1f\x7f]/.test(layer)) {
        throw new PolicyError(
          `Cannot ${action} "${shown}": the path contains control characters${how}`,
        );
      }
      if (layer.includes("\\")) {
        throw new PolicyError(
          `Cannot ${action} "${shown}": backslashes are not allowed in paths${how}; use "/"`,
        );
      }
      if (layer.startsWith("/") || /^[a-zA-Z]:/.test(layer)) {
        throw new PolicyError(
          `Cannot ${action} "${shown}": absolute paths are not allowed${how}; use a path relative to the workspace`,
        );
      }
      if (layer.split("/").includes("..")) {
        throw new PolicyError(
          `Cannot ${action} "${shown}": ".." segments are not allowed${how}; paths stay inside the workspace`,
        );
      }
      if (layer.startsWith("~")) {
        throw new PolicyError(
          `Cannot ${action} "${shown}": "~" is not expanded; use a path relative to the workspace`,
        );
      }
    }
    const rel = path.split("/").filter((s) => s !== "" && s !== ".").join("/");
    forbiddenCheck(rel, shown, action);
    return rel;
  }

  async function resolveForRead(path: string, action = "read"): Promise<string> {
    const rel = checkPath(path, action);
    const base = await realRoot();
    const fs = await loadFs();
    let real: string;
    try {
      real = await fs.promises.realpath(rel ? base + "/" + rel : base);
    } catch (error) {
      if (code(error) === "ENOENT") {
        throw fail(`Cannot ${action} "${path}": no such file in the workspace`, error);
      }
      if (code(error) === "ELOOP") {
        throw new PolicyError(`Cannot ${action} "${path}": symbolic link loop`);
      }
      throw fail(`Cannot ${action} "${path}": ${(error as Error).message}`, error);
    }
    if (!isInside(base, real)) {
      throw new PolicyError(
        `Cannot ${action} "${path}": it resolves outside the workspace (through a symbolic link)`,
      );
    }
    forbiddenCheck(relativeTo(base, real), path, action);
    absoluteForbiddenCheck(real, path, action);
    await protectedCheck(real, path, action);
    linkCheck(await fs.promises.stat(real), path, action);
    return real;
  }

  async function resolveForWrite(path: string): Promise<string> {
    const rel = checkPath(path, "write");
    if (!rel) throw new PolicyError(`Cannot write "${path}": a file name is required`);
    const base = await realRoot(true);
    const fs = await loadFs();
    const segments = rel.split("/");
    const name = segments.pop()!;
    let dir = base;
    for (const seg of segments) {
      const next = dir + "/" + seg;
      let st: import("node:fs").Stats;
      try {
        st = await fs.promises.lstat(next);
      } catch (error) {
        if (code(error) !== "ENOENT") {
          throw fail(`Cannot write "${path}": ${(error as Error).message}`, error);
        }
        try {
          await fs.promises.mkdir(next, { mode: 0o755 });
        } catch (mkdirError) {
          if (code(mkdirError) !== "EEXIST") {
            throw fail(`Cannot write "${path}": ${(mkdirError as Error).message}`, mkdirError);
          }
        }
        st = await fs.promises.lstat(next);
      }
      let real = next;
      if (st.isSymbolicLink()) real = await fs.promises.realpath(next).catch(() => "");
      if (!real || !isInside(base, real)) {
        throw new PolicyError(
          `Cannot write "${path}": a parent directory resolves outside the workspace (through a symbolic link)`,
        );
      }
      const realStat = await fs.promises.stat(real);
      if (!realStat.isDirectory()) {
        throw fail(`Cannot write "${path}": "${seg}" is not a directory`);
      }
      dir = real;
    }
    const target = dir + "/" + name;
    forbiddenCheck(relativeTo(base, target), path, "write");
    absoluteForbiddenCheck(target, path, "write");
    await protectedCheck(target, path, "write");
    try {
      const st = await fs.promises.lstat(target);
      if (st.isSymbolicLink()) {
        throw new PolicyError(
          `Cannot write "${path}": the target is a symbolic link (links are never followed or replaced)`,
        );
      }
      if (!st.isFile()) {
        throw fail(`Cannot write "${path}": the target exists and is not a regular file`);
      }
      linkCheck(st, path, "write");
    } catch (error) {
      if (code(error) !== "ENOENT") throw error;
    }
    return target;
  }

  /** Verifies the file behind `handle` is the checked one and inside the root. */
  async function verifyOpened(
    handle: import("node:fs/promises").FileHandle,
    checkedPath: string,
    base: string,
    shown: string,
    action: string,
  ): Promise<void> {
    const fs = await loadFs();
    const st = await handle.stat();
    let actual: string | undefined;
    try {
      const viaProc = await fs.promises.readlink(`/proc/self/fd/${handle.fd}`);
      const procStat = await fs.promises.stat(viaProc);
      if (procStat.dev === st.dev && procStat.ino === st.ino) actual = viaProc;
    } catch {
      // no /proc here (or a runtime whose fd numbers are not the OS's): use the real path
    }
    if (actual === undefined) {
      const real = await fs.promises.realpath(checkedPath).catch(() => "");
      const realStat = real ? await fs.promises.stat(real).catch(() => undefined) : undefined;
      if (!realStat || realStat.dev !== st.dev || realStat.ino !== st.ino) {
        throw new PolicyError(
          `Cannot ${action} "${shown}": the file changed while it was opened (possible symbolic link swap)`,
        );
      }
      actual = real;
    }
    if (!isInside(base, actual)) {
      throw new PolicyError(
        `Cannot ${action} "${shown}": the opened file is outside the workspace (symbolic link swapped in)`,
      );
    }
    forbiddenCheck(relativeTo(base, actual), shown, action);
    absoluteForbiddenCheck(actual, shown, action);
    await protectedCheck(actual, shown, action);
  }

  async function readText(path: string): Promise<ReadTextResult> {
    const real = await resolveForRead(path, "read");
    const base = await realRoot();
    const fs = await loadFs();
    await options.beforeOpen?.(real);
    const { O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants;
    let handle: import("node:fs/promises").FileHandle;
    try {
      handle = await fs.promises.open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
      if (code(error) === "ELOOP" || code(error) === "EMLINK") {
        throw new PolicyError(
          `Cannot read "${path}": it became a symbolic link (links are not followed)`,
        );
      }
      if (code(error) === "ENOENT") {
        throw fail(`Cannot read "${path}": no such file in the workspace`, error);
      }
      throw fail(`Cannot read "${path}": ${(error as Error).message}`, error);
    }
    try {
      const st = await handle.stat();
      if (st.isDirectory()) {
        throw fail(`Cannot read "${path}": it is a directory (use shell_exec ls to list)`);
      }
      if (!st.isFile()) throw new PolicyError(`Cannot read "${path}": not a regular file`);
      linkCheck(st, path, "read");
      await verifyOpened(handle, real, base, path, "read");
      const want = Math.min(st.size, maxReadBytes);
      const buffer = new Uint8Array(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await handle.read(buffer, got, want - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      const bytes = buffer.subarray(0, got);
      if (bytes.includes(0)) throw fail(`Cannot read "${path}": it looks like a binary file`);
      return {
        text: new TextDecoder().decode(bytes),
        size: st.size,
        truncated: st.size > got,
      };
    } finally {
      await handle.close().catch(() => {});
    }
  }

  async function writeText(
    path: string,
    content: string,
  ): Promise<{ path: string; bytes: number }> {
    const data = new TextEncoder().encode(content);
    if (data.byteLength > maxWriteBytes) {
      throw new PolicyError(
        `Cannot write "${path}": content is ${data.byteLength} bytes, over the ${maxWriteBytes}-byte limit`,
      );
    }
    const target = await resolveForWrite(path);
    const base = await realRoot();
    const fs = await loadFs();
    const dir = target.slice(0, target.lastIndexOf("/"));
    await options.beforeOpen?.(target);
    const random = Array.from(
      crypto.getRandomValues(new Uint8Array(8)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const temp = `${dir}/.mikroclaw-tmp-${random}`;
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW = 0 } = fs.constants;
    let handle: import("node:fs/promises").FileHandle | undefined;
    let renamed = false;
    try {
      try {
        handle = await fs.promises.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
      } catch (error) {
        throw fail(`Cannot write "${path}": ${(error as Error).message}`, error);
      }
      await verifyOpened(handle, temp, base, path, "write");
      await handle.writeFile(data);
      await handle.sync().catch(() => {});
      await handle.close();
      handle = undefined;
      // Re-check right before the rename: the directory is still the checked one, and the
      // target has not become a link.
      const dirNow = await fs.promises.realpath(dir).catch(() => "");
      if (dirNow !== dir || !isInside(base, dirNow)) {
        throw new PolicyError(
          `Cannot write "${path}": the directory changed during the write (possible symbolic link swap)`,
        );
      }
      const targetNow = await fs.promises.lstat(target).catch(() => undefined);
      if (targetNow?.isSymbolicLink()) {
        throw new PolicyError(
          `Cannot write "${path}": the target is a symbolic link (links are never followed or replaced)`,
        );
      }
      if (targetNow && !targetNow.isFile()) {
        throw fail(`Cannot write "${path}": the target exists and is not a regular file`);
      }
      await fs.promises.rename(temp, target);
      renamed = true;
      return { path: relativeTo(base, target), bytes: data.byteLength };
    } finally {
      if (handle) await handle.close().catch(() => {});
      if (!renamed) await fs.promises.unlink(temp).catch(() => {});
    }
  }

  return {
    root,
    checkPath,
    resolveForRead: (path, action = "read") => resolveForRead(path, action),
    resolveForWrite,
    realRoot: () => realRoot(true),
    readText,
    writeText,
    forbiddenUnder,
  };
}
