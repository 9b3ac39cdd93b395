/**
 * `npm run build` writes three folders, each with one job:
 * - `dist/router/`: the bundle that goes onto the router — `mikroclaw.mjs` runs with
 *   `node|deno run -A|bun dist/router/mikroclaw.mjs <command>`: every dependency inside, minified,
 *   with optional parts (channels, RouterOS, changes, MCP, memU, Redis, fs storage, other
 *   commands) in `mikroclaw-*.mjs` files beside it that load only on a dynamic `import()`. Nothing
 *   else: no maps, no file the runtime does not load.
 * - `dist/router-maps/`: the source maps of those files.
 * - `dist/npm/`: `tsc -p tsconfig.build.json` output (JavaScript + `.d.ts`) for the npm package.
 * Plus `dist/mikroclaw.mjs`, one line importing `./router/mikroclaw.mjs` (CONTRACT §1's path).
 * Fails when the core (what `gateway` loads) is over the size budget and prints what fills it.
 *
 * Flags: `--bundle-only` (skip tsc), `--dist-only` (only tsc; what `prepack` runs, leaving the
 * bundle alone), `--outdir DIR` (bundle folder; default `dist/router`, maps in `DIR-maps`),
 * `--budget BYTES` (default 153600), `--json` (print the result as JSON on stdout).
 * @module
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build, type Metafile, type Plugin } from "esbuild";

/** Root of the repository. */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The size budget of the core bundle in bytes (150 KiB). */
export const BUNDLE_BUDGET: number = 153_600;

/** Where the npm package's `tsc` output goes (package.json `exports` and `bin` point here). */
export const NPM_DIR: string = join(ROOT, "dist/npm");

/** The router's folder: the bundle and nothing else. */
export const ROUTER_DIR: string = join(ROOT, "dist/router");

/** What one bundle build produced. */
export interface BundleResult {
  /** Path of the entry file, `dist/router/mikroclaw.mjs`. */
  core: string;
  /**
   * Bytes `mikroclaw gateway` loads on embedded defaults: the entry, the `gateway` command and
   * every file they import statically. Optional parts (channels, RouterOS, changes, MCP, memU,
   * Redis, fs storage, other commands) are separate files loaded only when used.
   */
  coreBytes: number;
  /** Files of the core: file name -> bytes. */
  coreFiles: Record<string, number>;
  /** Lazily loaded files beside the core: file name -> bytes. */
  split: Record<string, number>;
  /** Folder of the source maps (beside the bundle folder, never inside it). */
  mapsDir: string;
  /** Every file the runtime can load: the entry and all it imports, statically or lazily. */
  reachable: string[];
  /** Source files inside the core (for "is X out of the core" checks). */
  coreInputs: string[];
  /** Largest inputs of the core: `[path, bytes]`, biggest first. */
  top: [string, number][];
}

// A CJS dependency (ioredis, debug) calls require() for Node built-ins; ESM has no require.
const BANNER =
  `import { createRequire as __mcCreateRequire } from "node:module"; const require = __mcCreateRequire(import.meta.url);`;

// ofetch's "node" build wraps node-fetch-native (~115 KB) for keep-alive agents; its default
// build uses the runtime's own fetch, which Node >= 22, Deno and Bun all have.
const ALIASES: Readonly<Record<string, string>> = {
  ofetch: "node_modules/ofetch/dist/index.mjs",
};

function aliasPlugin(): Plugin {
  return {
    name: "mikroclaw-alias",
    setup(b) {
      b.onResolve({ filter: /^ofetch$/ }, (args) => ({ path: join(ROOT, ALIASES[args.path]!) }));
    },
  };
}

function group(path: string): string {
  const nm = path.lastIndexOf("node_modules/");
  if (nm < 0) return path;
  const parts = path.slice(nm + 13).split("/");
  return `npm:${parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]}`;
}

/**
 * Sources loaded by dynamic import whenever `gateway` starts: the CLI driver (the entry imports
 * it after turning on Node's compile cache) and Node's server adapter.
 */
const STARTUP_INPUTS = ["cli/_main.ts", "cli/_serve_node.ts"];

/** Outputs reached from `roots` through static imports, and dynamic ones too when `lazy`. */
function closure(metafile: Metafile, roots: string[], lazy = false): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const out = stack.pop()!;
    if (seen.has(out) || !metafile.outputs[out]) continue;
    seen.add(out);
    for (const imp of metafile.outputs[out]!.imports) {
      if (imp.external) continue;
      if (imp.kind === "import-statement" || (lazy && imp.kind === "dynamic-import")) {
        stack.push(imp.path);
      }
    }
  }
  return seen;
}

/** Removes what an earlier build wrote to `dir` (only files named like ours). */
function clearBuilt(dir: string, pattern: RegExp): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (pattern.test(f)) rmSync(join(dir, f));
}

/**
 * Bundles `cli/mikroclaw.ts` into `outdir/mikroclaw.mjs` with code splitting: every dynamic
 * `import()` (CLI commands, channels, RouterOS, changes, MCP, storage drivers) becomes a
 * `mikroclaw-*.mjs` file beside it, loaded only when that part is used. The source maps go to
 * `mapsDir`, so `outdir` holds only what runs.
 */
export async function buildBundle(
  outdir: string,
  mapsDir: string = `${outdir}-maps`,
): Promise<BundleResult> {
  clearBuilt(outdir, /^mikroclaw.*\.mjs(\.map)?$/);
  clearBuilt(mapsDir, /^mikroclaw.*\.mjs\.map$/);
  const result = await build({
    bundle: true,
    splitting: true,
    minify: true,
    // "external": maps without a sourceMappingURL comment, so moving them costs the bundle nothing
    sourcemap: "external",
    format: "esm",
    platform: "node",
    target: "node22",
    legalComments: "none",
    logLevel: "warning",
    banner: { js: BANNER },
    metafile: true,
    absWorkingDir: ROOT,
    entryPoints: { mikroclaw: join(ROOT, "cli/mikroclaw.ts") },
    outdir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "mikroclaw-[name]-[hash]",
    plugins: [aliasPlugin()],
  });
  const metafile = result.metafile;
  const outputs = Object.keys(metafile.outputs).filter((k) => k.endsWith(".mjs"));
  const entry = outputs.find((k) => metafile.outputs[k]!.entryPoint === "cli/mikroclaw.ts")!;
  const gateway = outputs.find((k) =>
    metafile.outputs[k]!.entryPoint === "cli/commands/gateway.ts"
  );
  for (const out of Object.keys(metafile.outputs).filter((k) => k.endsWith(".map"))) {
    renameSync(resolve(ROOT, out), join(mapsDir, basename(out)));
  }
  // What a runtime's server loads at start by dynamic import counts too: the core is what the
  // heaviest runtime (Node, with its adapter) loads before the first request.
  const startup = outputs.filter((k) =>
    STARTUP_INPUTS.some((input) => input in metafile.outputs[k]!.inputs)
  );
  const core = closure(metafile, [entry, ...(gateway ? [gateway] : []), ...startup]);
  const reachable = [...closure(metafile, [entry], true)].map((o) =>
    relative(outdir, resolve(ROOT, o))
  );
  const coreFiles: Record<string, number> = {};
  const split: Record<string, number> = {};
  const groups = new Map<string, number>();
  const coreInputs: string[] = [];
  for (const out of outputs) {
    const bytes = statSync(resolve(ROOT, out)).size;
    const name = relative(outdir, resolve(ROOT, out));
    if (!core.has(out)) {
      split[name] = bytes;
      continue;
    }
    coreFiles[name] = bytes;
    for (const [path, info] of Object.entries(metafile.outputs[out]!.inputs)) {
      coreInputs.push(path);
      groups.set(group(path), (groups.get(group(path)) ?? 0) + info.bytesInOutput);
    }
  }
  return {
    core: resolve(ROOT, entry),
    coreBytes: Object.values(coreFiles).reduce((a, b) => a + b, 0),
    coreFiles,
    split,
    mapsDir,
    reachable,
    coreInputs,
    top: [...groups].sort((a, b) => b[1] - a[1]).slice(0, 25),
  };
}

/** Runs tsc for the npm package into `dist/npm/` and makes the CLI entry executable. */
export function buildDist(): void {
  rmSync(NPM_DIR, { recursive: true, force: true });
  const tsc = join(ROOT, "node_modules/.bin/tsc");
  const run = spawnSync(tsc, ["-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  if (run.status !== 0) throw new Error(`Cannot build dist/npm/: tsc exited with ${run.status}`);
  const bin = join(NPM_DIR, "cli/mikroclaw.js");
  if (!existsSync(bin)) {
    throw new Error("Cannot build dist/npm/: tsc did not write dist/npm/cli/mikroclaw.js");
  }
  const text = readFileSync(bin, "utf8");
  if (!text.startsWith("#!/usr/bin/env node")) {
    writeFileSync(bin, `#!/usr/bin/env node\n${text}`);
  }
  chmodSync(bin, 0o755);
}

/** `dist/mikroclaw.mjs`: CONTRACT §1's path, one static import of the router folder's entry. */
function writeContractEntry(): void {
  writeFileSync(
    join(ROOT, "dist/mikroclaw.mjs"),
    'import "./router/mikroclaw.mjs"; // the bundle lives in dist/router/ (what the router needs)\n',
  );
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(argv: string[]): Promise<number> {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i < 0 ? undefined : argv[i + 1];
  };
  const bundleOnly = argv.includes("--bundle-only");
  const json = argv.includes("--json");
  const outdir = resolve(ROOT, flag("--outdir") ?? ROUTER_DIR);
  const budget = Number(flag("--budget") ?? BUNDLE_BUDGET);
  const log = json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => console.log(s);

  if (!bundleOnly) {
    buildDist();
    log("dist/npm/: tsc output written (npm package)");
    if (argv.includes("--dist-only")) return 0;
  }
  const result = await buildBundle(outdir);
  if (outdir === ROUTER_DIR) writeContractEntry();
  log(`${relative(ROOT, result.mapsDir) || result.mapsDir}: source maps`);
  const rel = relative(ROOT, result.core) || result.core;
  log(
    `${rel}: core (what \`gateway\` loads) ${result.coreBytes} bytes (${kb(result.coreBytes)}) in ${
      Object.keys(result.coreFiles).length
    } files, budget ${budget} bytes`,
  );
  const lazy = Object.values(result.split).reduce((a, b) => a + b, 0);
  log(`  loaded only when used: ${Object.keys(result.split).length} files, ${kb(lazy)}`);
  const over = result.coreBytes > budget;
  if (over || json) {
    log(`${over ? "Cannot build bundle: over budget; " : ""}largest parts of the core:`);
    for (const [path, bytes] of result.top) log(`  ${String(bytes).padStart(8)}  ${path}`);
  }
  if (json) process.stdout.write(`${JSON.stringify({ ...result, budget })}\n`);
  if (over) {
    console.error(
      `Cannot build bundle: ${rel} is ${result.coreBytes} bytes, over the budget of ${budget} bytes`,
    );
    return 1;
  }
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
