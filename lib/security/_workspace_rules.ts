/**
 * What the workspace guard refuses beyond path text: protected names at any depth, the
 * operator's `FORBIDDEN_PATHS`, MikroClaw's own protected paths (by real path, letter case and
 * device and inode), and files with more than one hard link.
 * @module
 */
import { PolicyError } from "../errors.ts";
import { isInside, normalizeAbsolute, pathKey, relativeTo } from "./_workspace_paths.ts";

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

/** Most directory entries a recursive-listing check walks. */
const MAX_WALK_ENTRIES = 20_000;

/** Refuses a regular file with more than one hard link: one name may be outside. */
/** Refuses a regular file with more than one hard link: one name may be outside. */
export function linkCheck(
  st: { isFile(): boolean; nlink: number },
  shown: string,
  action: string,
): void {
  if (st.isFile() && st.nlink > 1) {
    throw new PolicyError(
      `Cannot ${action} "${shown}": the file has ${st.nlink} hard links (another name of it may be outside the workspace)`,
    );
  }
}

/** What {@linkcode createPathRules} needs. */
export interface PathRulesOptions {
  /** Relative `FORBIDDEN_PATHS` entries, lower-case. */
  extraRelative: readonly string[];
  /** Absolute `FORBIDDEN_PATHS` entries, normalised. */
  extraAbsolute: readonly string[];
  /** MikroClaw's own paths, absolute and normalised, each with what it is. */
  protectedPaths: readonly { path: string; what: string }[];
  /** The real workspace root. */
  realRoot(): Promise<string>;
  /** `node:fs`, loaded on first use. */
  loadFs(): Promise<typeof import("node:fs")>;
}

/** The checks of {@linkcode createPathRules}. */
export interface PathRules {
  /** Refuses a workspace-relative path holding a protected name or a forbidden entry. */
  forbiddenCheck(rel: string, shown: string, action: string): void;
  /** Refuses a real path (under the real root `base`) that any rule forbids or protects. */
  checkReal(base: string, real: string, shown: string, action: string): Promise<void>;
  /** What forbidden or protected path lies under `realDir`, if any. */
  forbiddenUnder(realDir: string): Promise<string | undefined>;
}

/** Builds the forbidden and protected path checks of one workspace. */
export function createPathRules(options: PathRulesOptions): PathRules {
  const { extraRelative, extraAbsolute, protectedPaths, realRoot, loadFs } = options;

  /** Refuses a workspace-relative path holding a protected name or a relative `FORBIDDEN_PATHS` entry. */
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

  /** Refuses a real path inside an absolute `FORBIDDEN_PATHS` entry. */
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
        if (isInside(p, base)) rootChain.add(pathKey(st));
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
        st && chain.some((c) => c.dev === st.dev && c.ino === st.ino) && !rootChain.has(pathKey(st))
      ) {
        return what;
      }
    }
    return undefined;
  }

  /** What forbidden or protected path lies under `realDir` (for recursive listings), if any. */
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

  async function checkReal(base: string, real: string, shown: string, action: string) {
    forbiddenCheck(relativeTo(base, real), shown, action);
    absoluteForbiddenCheck(real, shown, action);
    await protectedCheck(real, shown, action);
  }

  return { forbiddenCheck, checkReal, forbiddenUnder };
}
