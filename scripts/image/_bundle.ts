/**
 * The router bundle an image carries, and the check that it is the one `npm run build` made
 * from this commit: the bundle is built afresh into a scratch folder and every `*.mjs` file's
 * sha256 must equal `dist/router/`'s. The result is the manifest written beside the images.
 * @module
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** `dist/images/bundle-manifest.json`: which bundle went into the images. */
export interface BundleManifest {
  /** Git commit the bundle was built from. */
  commit: string;
  /** Whether the worktree had uncommitted changes. */
  dirty: boolean;
  /** sha256 (hex) of each bundle file, by file name. */
  files: Record<string, string>;
}

/** sha256 of each `*.mjs` file in `dir` (source maps and anything else are left out). */
export function hashBundle(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".mjs")).sort()) {
    files[name] = createHash("sha256").update(readFileSync(join(dir, name))).digest("hex");
  }
  return files;
}

/**
 * Differences between two bundles, as lines (`name: missing`, `name: differs`, `name: extra`);
 * empty when they are the same.
 */
export function compareBundles(
  expected: Record<string, string>,
  actual: Record<string, string>,
): string[] {
  const lines: string[] = [];
  for (const [name, hash] of Object.entries(expected)) {
    if (!(name in actual)) lines.push(`${name}: missing`);
    else if (actual[name] !== hash) lines.push(`${name}: differs`);
  }
  for (const name of Object.keys(actual)) if (!(name in expected)) lines.push(`${name}: extra`);
  return lines;
}

/**
 * Builds the bundle from the source (as `npm run build` does) and checks `routerDir` against
 * it; a missing `routerDir` is filled from the fresh build. Throws naming the stale files.
 */
export function checkedBundle(root: string, routerDir: string): BundleManifest {
  // Built beside dist/router, at the same depth: esbuild's chunk names hash the source map's
  // relative paths, so a scratch folder elsewhere would name chunks by the checkout's location.
  const scratch = join(root, "dist/.router-check");
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    // The build script runs on Node 24 (the devDependency), whichever runtime calls this.
    const node = existsSync(join(root, "node_modules/.bin/node"))
      ? join(root, "node_modules/.bin/node")
      : process.execPath;
    execFileSync(node, [join(root, "scripts/build.ts"), "--bundle-only", "--outdir", scratch], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const fresh = hashBundle(scratch);
    if (!existsSync(routerDir)) {
      mkdirSync(routerDir, { recursive: true });
      for (const name of Object.keys(fresh)) cpSync(join(scratch, name), join(routerDir, name));
    }
    const differences = compareBundles(fresh, hashBundle(routerDir));
    if (differences.length > 0) {
      throw new Error(
        `Cannot pack ${routerDir}: it is not the bundle this commit builds (${
          differences.slice(0, 3).join(", ")
        }${differences.length > 3 ? ", ..." : ""}); run npm run build`,
      );
    }
    const git = (...args: string[]): string =>
      execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
    return {
      commit: git("rev-parse", "HEAD"),
      dirty: git("status", "--porcelain", "--untracked-files=no") !== "",
      files: fresh,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
