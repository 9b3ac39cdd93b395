/**
 * `npm run build`: (a) `tsc -p tsconfig.build.json` -> `dist/` (JavaScript + `.d.ts` for npm),
 * (b) esbuild -> the single-file bundle `dist/mikroclaw.mjs` (+ source map) that runs with
 * `node|deno run -A|bun dist/mikroclaw.mjs <command>`, with heavy optional parts (Redis, the fs
 * storage driver, MCP) split into files beside it that the core loads only on a dynamic
 * `import()`. Fails when the core file is over the size budget and prints what fills it.
 *
 * Flags: `--bundle-only` (skip tsc), `--dist-only` (only tsc), `--outdir DIR` (bundle output; default `dist`),
 * `--budget BYTES` (default 204800), `--json` (print the result as JSON on stdout).
 * @module
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { build, type Metafile, type Plugin } from "esbuild";

/** Root of the repository. */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The size budget of the core bundle in bytes (200 KiB). */
export const BUNDLE_BUDGET: number = 204_800;

/**
 * Modules kept out of the core file when they are reached through a dynamic `import()`:
 * specifier (or prefix ending in `/`) -> file written beside the core.
 */
export const SPLIT_MODULES: Readonly<Record<string, string>> = {
  "unstorage/drivers/redis": "mikroclaw-redis.mjs",
  "ioredis": "mikroclaw-ioredis.mjs",
  "unstorage/drivers/fs": "mikroclaw-fs.mjs",
  "chokidar": "mikroclaw-chokidar.mjs",
  "tmcp": "mikroclaw-mcp.mjs",
  "@tmcp/": "mikroclaw-mcp-",
  "@modelcontextprotocol/sdk/": "mikroclaw-mcp-sdk-",
  "json-rpc-2.0": "mikroclaw-jsonrpc.mjs",
};

/** What one bundle build produced. */
export interface BundleResult {
  /** Path of the core file. */
  core: string;
  /** Size of the core file in bytes. */
  coreBytes: number;
  /** Split files beside the core: file name -> bytes. */
  split: Record<string, number>;
  /** Heavy modules imported statically (so they sit in the core): `importer -> module`. */
  staticHeavy: string[];
  /** Largest inputs of the core: `[path, bytes]`, biggest first. */
  top: [string, number][];
}

// A CJS dependency (ioredis, debug) calls require() for Node built-ins; ESM has no require.
const BANNER =
  `import { createRequire as __mcCreateRequire } from "node:module"; const require = __mcCreateRequire(import.meta.url);`;

/** File name of the split file for `specifier`, or `undefined` when it stays inline. */
export function splitFileFor(specifier: string): string | undefined {
  for (const [key, file] of Object.entries(SPLIT_MODULES)) {
    if (key.endsWith("/") ? specifier.startsWith(key) : specifier === key) {
      return key.endsWith("/")
        ? `${file}${
          specifier.slice(key.length).replace(/[^A-Za-z0-9]+/g, "-").replace(/-js$/, "")
        }.mjs`
        : file;
    }
  }
  return undefined;
}

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

function splitPlugin(wanted: Map<string, string>, staticHeavy: Set<string>): Plugin {
  return {
    name: "mikroclaw-split",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const file = splitFileFor(args.path);
        if (file === undefined) return undefined;
        if (args.kind !== "dynamic-import") {
          // A static import pulls the module into this file: report it, keep it working.
          if (args.kind === "import-statement" && !args.importer.includes("node_modules")) {
            staticHeavy.add(`${relative(ROOT, args.importer)} -> ${args.path}`);
          }
          return undefined;
        }
        wanted.set(file, args.path);
        return { path: `./${file}`, external: true };
      });
    },
  };
}

function topInputs(metafile: Metafile, outfile: string): [string, number][] {
  const key = Object.keys(metafile.outputs).find((k) => resolve(ROOT, k) === outfile);
  const inputs = key ? metafile.outputs[key]!.inputs : {};
  const groups = new Map<string, number>();
  for (const [path, info] of Object.entries(inputs)) {
    let group = path;
    const nm = path.lastIndexOf("node_modules/");
    if (nm >= 0) {
      const parts = path.slice(nm + 13).split("/");
      group = `npm:${parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]}`;
    }
    groups.set(group, (groups.get(group) ?? 0) + info.bytesInOutput);
  }
  return [...groups].sort((a, b) => b[1] - a[1]);
}

/** Bundles `cli/mikroclaw.ts` into `outdir/mikroclaw.mjs` plus the split files. */
export async function buildBundle(outdir: string): Promise<BundleResult> {
  mkdirSync(outdir, { recursive: true });
  const core = join(outdir, "mikroclaw.mjs");
  const wanted = new Map<string, string>();
  const staticHeavy = new Set<string>();
  const common = {
    bundle: true,
    minify: true,
    sourcemap: true,
    format: "esm",
    platform: "node",
    target: "node22",
    legalComments: "none",
    logLevel: "warning",
    banner: { js: BANNER },
    metafile: true,
    absWorkingDir: ROOT,
  } as const;
  const result = await build({
    ...common,
    entryPoints: [join(ROOT, "cli/mikroclaw.ts")],
    outfile: core,
    plugins: [aliasPlugin(), splitPlugin(wanted, staticHeavy)],
  });
  const split: Record<string, number> = {};
  // Split files may themselves reach other heavy modules: build until nothing new appears.
  const done = new Set<string>();
  while ([...wanted.keys()].some((f) => !done.has(f))) {
    for (const [file, specifier] of [...wanted]) {
      if (done.has(file)) continue;
      done.add(file);
      const outfile = join(outdir, file);
      await build({
        ...common,
        stdin: {
          contents: `export * from ${JSON.stringify(specifier)};\n` +
            `import * as m from ${JSON.stringify(specifier)};\nexport default m.default;\n`,
          resolveDir: ROOT,
          sourcefile: `${file}.entry.js`,
        },
        outfile,
        plugins: [aliasPlugin(), splitPlugin(wanted, new Set())],
      });
      split[file] = statSync(outfile).size;
    }
  }
  return {
    core,
    coreBytes: statSync(core).size,
    split,
    staticHeavy: [...staticHeavy],
    top: topInputs(result.metafile, core).slice(0, 25),
  };
}

/** Runs tsc for the npm `dist/` and makes the CLI entry executable. */
export function buildDist(): void {
  const tsc = join(ROOT, "node_modules/.bin/tsc");
  const run = spawnSync(tsc, ["-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  if (run.status !== 0) throw new Error(`Cannot build dist/: tsc exited with ${run.status}`);
  const bin = join(ROOT, "dist/cli/mikroclaw.js");
  if (!existsSync(bin)) {
    throw new Error("Cannot build dist/: tsc did not write dist/cli/mikroclaw.js");
  }
  const text = readFileSync(bin, "utf8");
  if (!text.startsWith("#!/usr/bin/env node")) {
    writeFileSync(bin, `#!/usr/bin/env node\n${text}`);
  }
  chmodSync(bin, 0o755);
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
  const outdir = resolve(ROOT, flag("--outdir") ?? "dist");
  const budget = Number(flag("--budget") ?? BUNDLE_BUDGET);
  const log = json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => console.log(s);

  if (!bundleOnly) {
    rmSync(join(ROOT, "dist"), { recursive: true, force: true });
    buildDist();
    log("dist/: tsc output written (npm package)");
    if (argv.includes("--dist-only")) return 0;
  }
  const result = await buildBundle(outdir);
  const rel = relative(ROOT, result.core) || result.core;
  log(`${rel}: ${result.coreBytes} bytes (${kb(result.coreBytes)}), budget ${budget} bytes`);
  for (const [file, bytes] of Object.entries(result.split)) {
    log(`  split, loaded only when used: ${file} ${bytes} bytes (${kb(bytes)})`);
  }
  for (const s of result.staticHeavy) {
    log(`  warning: static import keeps a heavy module in the core: ${s} (use a dynamic import())`);
  }
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
