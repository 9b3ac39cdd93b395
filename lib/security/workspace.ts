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
import { PolicyError } from "../errors.ts";
import { processEnv } from "../_internal/env.ts";
import { checkPathText, errnoCode, fail, isInside, normalizeAbsolute } from "./_workspace_paths.ts";
import { createPathRules, linkCheck } from "./_workspace_rules.ts";
import { createFileAccess } from "./_workspace_files.ts";

export { DEFAULT_FORBIDDEN } from "./_workspace_rules.ts";

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
      if (errnoCode(error) === "ENOENT") {
        throw fail(`Cannot use workspace: directory ${root} does not exist (WORKSPACE_DIR)`);
      }
      throw fail(`Cannot use workspace: ${(error as Error).message}`, error);
    }
  }

  const rules = createPathRules({
    extraRelative,
    extraAbsolute,
    protectedPaths,
    realRoot: () => realRoot(),
    loadFs,
  });
  const forbiddenUnder = rules.forbiddenUnder;

  /** Checks a path's text and its protected names; returns it relative and clean. */
  function checkPath(path: string, action = "use"): string {
    const rel = checkPathText(path, action);
    rules.forbiddenCheck(rel, path.slice(0, 200), action);
    return rel;
  }

  /** Checks a path to read: its real location must be inside and allowed. */
  async function resolveForRead(path: string, action = "read"): Promise<string> {
    const rel = checkPath(path, action);
    const base = await realRoot();
    const fs = await loadFs();
    let real: string;
    try {
      real = await fs.promises.realpath(rel ? base + "/" + rel : base);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") {
        throw fail(`Cannot ${action} "${path}": no such file in the workspace`, error);
      }
      if (errnoCode(error) === "ELOOP") {
        throw new PolicyError(`Cannot ${action} "${path}": symbolic link loop`);
      }
      throw fail(`Cannot ${action} "${path}": ${(error as Error).message}`, error);
    }
    if (!isInside(base, real)) {
      throw new PolicyError(
        `Cannot ${action} "${path}": it resolves outside the workspace (through a symbolic link)`,
      );
    }
    await rules.checkReal(base, real, path, action);
    linkCheck(await fs.promises.stat(real), path, action);
    return real;
  }

  /** Checks a path to write, creating missing parent directories inside the root. */
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
        if (errnoCode(error) !== "ENOENT") {
          throw fail(`Cannot write "${path}": ${(error as Error).message}`, error);
        }
        try {
          await fs.promises.mkdir(next, { mode: 0o755 });
        } catch (mkdirError) {
          if (errnoCode(mkdirError) !== "EEXIST") {
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
    await rules.checkReal(base, target, path, "write");
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
      if (errnoCode(error) !== "ENOENT") throw error;
    }
    return target;
  }

  const { readText, writeText } = createFileAccess({
    resolveForRead,
    resolveForWrite,
    realRoot: () => realRoot(),
    loadFs,
    rules,
    maxReadBytes,
    maxWriteBytes,
    beforeOpen: options.beforeOpen,
  });

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
