/**
 * Footprint benchmark, figures 1-3: the bundle's size (minified and gzipped, plus the split
 * files beside it), the idle RSS of the bundle running `gateway` 2 s after its first answered
 * request, and its start-up time (process start to the first 200 on `/health/heartbeat`), on
 * Node, Deno and Bun, each against a bare one-route Hono app served by the same adapter and the runtime's
 * own bare HTTP server, bundled the same way and measured in the same rounds.
 *
 * Run alone: `node bench/footprint.ts [--quick] [--json] [--bundle dist/mikroclaw.mjs]
 * [--runtimes node,deno,bun]` (default: builds the bundle into a temporary folder with
 * `scripts/build.ts`'s `buildBundle`, the same code `npm run build` runs).
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";
import { gzipSync } from "node:zlib";
import { buildBundle, BUNDLE_BUDGET } from "../scripts/build.ts";
import { bundleScript } from "./_bundle.ts";
import { emit, type Report, type Row } from "./_table.ts";
import {
  commandFor,
  freePort,
  isQuick,
  rssKiB,
  type RuntimeName,
  RUNTIMES,
  sleep,
  startChild,
  waitFor200,
} from "./_util.ts";

/** A server under test. */
type Subject = "gateway" | "hono" | "raw";

interface Sample {
  startupMs: number;
  rssMiB: number;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function sample(
  runtime: RuntimeName,
  script: string,
  extra: readonly string[],
  env: Record<string, string>,
  cwd: string,
  settleMs: number,
): Promise<Sample> {
  const port = await freePort();
  const [cmd, args] = commandFor(runtime, script, [
    ...extra,
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
  ]);
  const t0 = performance.now();
  const child = startChild(cmd, args, { env, cwd, quiet: true });
  try {
    const first = await waitFor200(`http://127.0.0.1:${port}/health/heartbeat`);
    await sleep(settleMs);
    return { startupMs: first - t0, rssMiB: rssKiB(child.pid) / 1024 };
  } finally {
    await child.stop();
  }
}

/** Runs figures 1-3; `quick` takes one round per runtime instead of four, 0.5 s settle time. */
export async function run(
  options: { quick?: boolean; bundle?: string; runtimes?: readonly RuntimeName[] } = {},
): Promise<Report> {
  const rounds = options.quick ? 1 : 4;
  // --quick only proves the script works: a shorter settle time, no warm-up starts
  const settleMs = options.quick ? 500 : 2000;
  const runtimes = options.runtimes ?? RUNTIMES;
  const work = mkdtempSync(join(tmpdir(), "mikroclaw-footprint-"));
  const rows: Row[] = [];
  try {
    // 1. bundle
    let core: string;
    let coreFiles: string[];
    if (options.bundle) {
      core = resolve(options.bundle);
      coreFiles = [basename(core)];
    } else {
      const built = await buildBundle(join(work, "dist"));
      core = built.core;
      // older build scripts had no coreFiles: then the entry file is the whole core
      const files = (built as { coreFiles?: Record<string, number> }).coreFiles;
      coreFiles = files ? Object.keys(files) : [basename(core)];
    }
    const dir = dirname(core);
    const read = (f: string) => readFileSync(join(dir, f));
    const all = readdirSync(dir).filter((f) => f.endsWith(".mjs"));
    const side = all.filter((f) => !coreFiles.includes(f));
    const size = (fs: string[]) => fs.reduce((n, f) => n + read(f).length, 0);
    // gzip of each file, summed: what a container image layer or a download compresses
    const gz = (fs: string[]) => fs.reduce((n, f) => n + gzipSync(read(f), { level: 9 }).length, 0);
    const largest = side.map((f) => [f, read(f).length] as const).sort((x, y) => y[1] - x[1])
      .slice(0, 3).map(([f, n]) => `${f} ${(n / 1024).toFixed(1)} KiB`).join(", ");
    rows.push({
      figure: "1 bundle",
      name: `core loaded by \`gateway\` (${coreFiles.length} files) minified`,
      unit: "bytes",
      values: [size(coreFiles)],
      baseline: { name: "budget", values: [BUNDLE_BUDGET] },
      target: { op: "<=", ratio: 1 },
    });
    rows.push({ figure: "1 bundle", name: "core gzip -9", unit: "bytes", values: [gz(coreFiles)] });
    rows.push({
      figure: "1 bundle",
      name: `side files loaded only when used (${side.length} files)`,
      unit: "bytes",
      values: [size(side)],
      note: largest ? `largest: ${largest}` : "none",
    });
    rows.push({
      figure: "1 bundle",
      name: `everything (${all.length} files) gzip -9`,
      unit: "bytes",
      values: [gz(all)],
    });

    // 2 + 3. idle memory and start-up
    const hono = join(work, "baseline_hono.mjs");
    const raw = join(work, "baseline_raw.mjs");
    await bundleScript("bench/baseline_hono.ts", hono);
    await bundleScript("bench/_baseline_raw.ts", raw);
    const home = join(work, "home");
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, LOG_LEVEL: "warn" };
    const cwd = work;
    const scripts: Record<Subject, [string, string[]]> = {
      gateway: [core, ["gateway"]],
      hono: [hono, []],
      raw: [raw, []],
    };
    for (const runtime of runtimes) {
      const samples: Record<Subject, Sample[]> = { gateway: [], hono: [], raw: [] };
      const order: Subject[] = ["gateway", "hono", "raw"];
      // one untimed start each so files are in the page cache (Deno also warms its code cache)
      if (!options.quick) {
        for (const s of order) await sample(runtime, scripts[s][0], scripts[s][1], env, cwd, 0);
      }
      for (let r = 0; r < rounds; r++) {
        const turn = [...order.slice(r % 3), ...order.slice(0, r % 3)];
        for (const s of turn) {
          samples[s].push(await sample(runtime, scripts[s][0], scripts[s][1], env, cwd, settleMs));
        }
        process.stderr.write(`footprint: ${runtime} round ${r + 1}/${rounds}\n`);
      }
      const rss = (s: Subject) => samples[s].map((x) => x.rssMiB);
      const up = (s: Subject) => samples[s].map((x) => x.startupMs);
      rows.push({
        figure: "2 idle memory",
        name: `${runtime}: gateway bundle RSS`,
        unit: "MiB",
        values: rss("gateway"),
        baseline: { name: "bare Hono", values: rss("hono") },
        target: { op: "<=", ratio: 1.15 },
      });
      rows.push({
        figure: "2 idle memory",
        name: `${runtime}: gateway bundle RSS vs bare server`,
        unit: "MiB",
        values: rss("gateway"),
        baseline: { name: "bare runtime server", values: rss("raw") },
      });
      rows.push({
        figure: "2 idle memory",
        name: `${runtime}: bare Hono RSS vs bare server`,
        unit: "MiB",
        values: rss("hono"),
        baseline: { name: "bare runtime server", values: rss("raw") },
      });
      rows.push({
        figure: "3 start-up",
        name: `${runtime}: gateway bundle to first 200`,
        unit: "ms",
        values: up("gateway"),
        baseline: { name: "bare Hono", values: up("hono") },
        target: { op: "<=", ratio: 1.3 },
      });
      rows.push({
        figure: "3 start-up",
        name: `${runtime}: bare Hono to first 200`,
        unit: "ms",
        values: up("hono"),
        baseline: { name: "bare runtime server", values: up("raw") },
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return {
    rows,
    methods: {
      "1 bundle":
        "`buildBundle` of `scripts/build.ts` (what `npm run build` runs) writes the bundle to a temporary folder; the core is the files `mikroclaw gateway` loads on defaults as that script reports them (`coreFiles`), counted as written (minified) and gzip -9 per file; the budget is 150 KiB minified for the core; source maps are not counted.",
      "2 idle memory":
        "Each server is started as its own process (`node`, `deno run -A`, `bun`) on a free port with HOME in a temporary folder and no other environment (so pairing is on and storage is memory); VmRSS of that process is read from /proc/<pid>/status 2 s after its first answered `GET /health/heartbeat`. The baselines are a one-route Hono app served by the same adapter and the runtime's bare HTTP server (`node:http` / `Deno.serve` / `Bun.serve` with a fixed body), both bundled with esbuild like the gateway bundle so all three load one minified file; subjects are started in rotating order after one untimed start each.",
      "3 start-up":
        "Wall time from spawning the process to the first 200 on `GET /health/heartbeat`, polled every millisecond with a fresh connection from the benchmark process; same processes and rounds as figure 2.",
    },
  };
}

if ((import.meta as { main?: boolean }).main) {
  const runtimes = flag("--runtimes")?.split(",") as RuntimeName[] | undefined;
  const bundle = flag("--bundle");
  emit(
    "Footprint and start-up",
    await run({
      quick: isQuick(),
      ...(bundle ? { bundle } : {}),
      ...(runtimes ? { runtimes } : {}),
    }),
    process.argv,
  );
}
