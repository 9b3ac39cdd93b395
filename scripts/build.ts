/**
 * `npm run build`: (a) `tsc -p tsconfig.build.json` -> `dist/` (JavaScript + `.d.ts` for npm),
 * (b) esbuild -> the bundle `dist/mikroclaw.mjs` (+ source maps) that runs with
 * `node|deno run -A|bun dist/mikroclaw.mjs <command>`: every dependency inside, minified, with
 * optional parts (channels, RouterOS, changes, MCP, memU, Redis, fs storage, other commands) in
 * `mikroclaw-*.mjs` files beside it that load only on a dynamic `import()`. Fails when the core
 * (what `gateway` loads) is over the size budget and prints what fills it.
 *
 * Flags: `--bundle-only` (skip tsc), `--dist-only` (only tsc), `--outdir DIR` (bundle output; default `dist`),
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

/** The size budget of the core bundle in bytes (150 KiB). */
export const BUNDLE_BUDGET: number = 153_600;

/** What one bundle build produced. */
export interface BundleResult {
  /** Path of the entry file, `dist/mikroclaw.mjs`. */
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

/** Outputs reached from `roots` through static imports only. */
function staticClosure(metafile: Metafile, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const out = stack.pop()!;
    if (seen.has(out) || !metafile.outputs[out]) continue;
    seen.add(out);
    for (const imp of metafile.outputs[out]!.imports) {
      if (imp.kind === "import-statement" && !imp.external) stack.push(imp.path);
    }
  }
  return seen;
}

/**
 * Bundles `cli/mikroclaw.ts` into `outdir/mikroclaw.mjs` with code splitting: every dynamic
 * `import()` (CLI commands, channels, RouterOS, changes, MCP, storage drivers) becomes a
 * `mikroclaw-*.mjs` file beside it, loaded only when that part is used.
 */
export async function buildBundle(outdir: string): Promise<BundleResult> {
  mkdirSync(outdir, { recursive: true });
  for (const f of readdirSync(outdir)) {
    if (/^mikroclaw.*\.mjs(\.map)?$/.test(f)) rmSync(join(outdir, f));
  }
  const result = await build({
    bundle: true,
    splitting: true,
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
  const core = staticClosure(metafile, gateway ? [entry, gateway] : [entry]);
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
    coreInputs,
    top: [...groups].sort((a, b) => b[1] - a[1]).slice(0, 25),
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
