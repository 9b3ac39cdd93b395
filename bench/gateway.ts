/**
 * Gateway benchmark (figures 4 and 6a): requests/s and p99 latency of `GET /health/heartbeat`
 * and of an authenticated `GET /tasks`, against a bare one-route Hono app served the same way
 * (srvx) in the same rounds, plus the gateway process's RSS idle (2 s after its first answered
 * request) and after every request of the run (the leak check).
 *
 * The gateway (the deployable bundle, rate limit raised by its settings) and the baseline
 * (`bench/baseline_hono.ts`) each run in their own process on the runtime under test; the load
 * comes from a small bounded loader (fixed concurrency, keep-alive `node:http`) in a third
 * process, so neither the client's CPU nor its memory is counted against the server.
 *
 * Run alone: `node bench/gateway.ts [--quick] [--json] [--runtimes node,deno,bun]`.
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { bundleScript } from "./_bundle.ts";
import { buildBundle } from "../scripts/build.ts";
import { emit, type Report, type Row } from "./_table.ts";
import {
  binary,
  commandFor,
  isQuick,
  request,
  rssKiB,
  type RuntimeName,
  RUNTIMES,
  sleep,
  startChild,
} from "./_util.ts";

/** One measured target. */
export interface LoadResult {
  name: string;
  requests: number;
  concurrency: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses other than 200, plus network errors. */
  errors: number;
}

/** Everything one run measured. */
export interface GatewayBenchResult {
  runtime: string;
  results: LoadResult[];
  /** RSS of this (server) process before any load, MiB. */
  rssIdleMiB: number;
  /** RSS after `requestsForRss` requests to the gateway, MiB. */
  rssAfterMiB: number;
  requestsForRss: number;
}

// Plain JavaScript, so every runtime can run it without type stripping. It uses node:http
// with a keep-alive agent: Node's fetch (undici) client was measured ~5x slower than the
// servers under test, which would make the loader, not the server, the bottleneck.
const LOADER = `
import http from "node:http";
const { url, headers, total, concurrency } = JSON.parse(process.argv[process.argv.length - 1]);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = new Float64Array(total);
let next = 0, errors = 0;
function once() {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, headers }, (res) => {
      if (res.statusCode !== 200) errors++;
      res.on("data", () => {});
      res.on("end", resolve);
      res.on("error", () => { errors++; resolve(); });
    });
    req.on("error", () => { errors++; resolve(); });
  });
}
async function worker() {
  for (;;) {
    const i = next++;
    if (i >= total) return;
    const t0 = performance.now();
    await once();
    latencies[i] = performance.now() - t0;
  }
}
const start = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = performance.now() - start;
agent.destroy();
const sorted = Array.from(latencies).sort((a, b) => a - b);
const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
process.stdout.write(JSON.stringify({ rps: total / (elapsed / 1000), p50: pct(0.5), p99: pct(0.99), errors }));
`;

/** Raw result of one load run. */
export interface LoadRun {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Writes the load generator to `dir`; resolves its path. */
export async function writeLoader(dir: string): Promise<string> {
  const loaderPath = join(dir, "loader.mjs");
  await writeFile(loaderPath, LOADER);
  return loaderPath;
}

/** Runs the load generator (on Node) in a child process against `spec.url`. */
export function load(
  loaderPath: string,
  spec: { url: string; headers: Record<string, string>; total: number; concurrency: number },
): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary("node"), [loaderPath, JSON.stringify(spec)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`Cannot run the load generator: exit ${code}`));
      else resolve(JSON.parse(out));
    });
  });
}

function mib(kib: number): number {
  return Math.round((kib / 1024) * 10) / 10;
}

/** Everything one runtime's run measured, per round. */
export interface GatewayRounds {
  runtime: RuntimeName;
  /** Target name -> one load result per round. */
  rounds: Record<string, LoadResult[]>;
  rssIdleMiB: number;
  rssAfterMiB: number;
  /** Requests the gateway answered between the two RSS readings. */
  requestsForRss: number;
  /** RSS after the warm-up requests, MiB (tells one-time growth from steady growth). */
  rssWarmMiB: number;
  warmRequests: number;
}

const TARGETS = [
  "bare hono /health/heartbeat",
  "gateway /health/heartbeat",
  "gateway GET /tasks (bearer)",
];

/** Runs the rounds on one runtime; `quick` uses 2 rounds of 500 requests instead of 5 of 4 000. */
export async function runOn(
  runtime: RuntimeName,
  options: { quick?: boolean } = {},
): Promise<GatewayRounds> {
  const rounds = options.quick ? 2 : 5;
  const total = options.quick ? 500 : 4000;
  const warmup = options.quick ? 200 : 500;
  const concurrency = 32;
  const dir = await mkdtemp(join(tmpdir(), "mikroclaw-bench-"));
  const bareScript = join(dir, "baseline_hono.mjs");
  const built = await buildBundle(join(dir, "dist"));
  await bundleScript("bench/baseline_hono.ts", bareScript);
  const [gwCmd, gwArgs] = commandFor(runtime, built.core);
  const [bareCmd, bareArgs] = commandFor(runtime, bareScript);
  // The deployable bundle itself; one loader process is one client, so its rate limit is raised.
  const gw = startChild(gwCmd, [...gwArgs, "gateway", "--port", "0"], {
    env: {
      ...(process.env as Record<string, string>),
      MIKROCLAW_STORAGE: "memory",
      GATEWAY_RATE_LIMIT: "1000000",
      GATEWAY_RATE_BURST: "1000000",
    },
  });
  const bare = startChild(bareCmd, bareArgs);
  try {
    const loaderPath = await writeLoader(dir);
    const gwUrl = (await gw.waitFor(/listening on (\S+)/))[1]!;
    const code = (await gw.waitFor(/pairing code: (\d{6})/))[1]!;
    const bareUrl = (await bare.waitFor(/listening on (\S+)/))[1]!;
    const paired = await request(`${gwUrl}/pair`, {
      method: "POST",
      headers: { "x-pairing-code": code },
    });
    if (paired.status !== 200) {
      throw new Error(`Cannot pair with the gateway: ${paired.status} ${paired.body}`);
    }
    const { token } = JSON.parse(paired.body) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const targets = [
      { name: TARGETS[0]!, url: `${bareUrl}/health/heartbeat`, headers: {} },
      { name: TARGETS[1]!, url: `${gwUrl}/health/heartbeat`, headers: {} },
      { name: TARGETS[2]!, url: `${gwUrl}/tasks`, headers: auth },
    ];
    await sleep(options.quick ? 500 : 2000);
    const rssIdle = rssKiB(gw.pid);
    let gwRequests = 0;
    for (const t of targets) {
      await load(loaderPath, { url: t.url, headers: t.headers, total: warmup, concurrency });
      if (t.name.startsWith("gateway")) gwRequests += warmup;
    }
    const rssWarm = rssKiB(gw.pid);
    const warmRequests = gwRequests;
    const results: Record<string, LoadResult[]> = Object.fromEntries(TARGETS.map((n) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      // rotate the order so no target always runs first or last
      const order = [...targets.slice(r % 3), ...targets.slice(0, r % 3)];
      for (const t of order) {
        const x = await load(loaderPath, { url: t.url, headers: t.headers, total, concurrency });
        if (t.name.startsWith("gateway")) gwRequests += total;
        results[t.name]!.push({
          name: t.name,
          requests: total,
          concurrency,
          rps: Math.round(x.rps),
          p50Ms: Math.round(x.p50 * 100) / 100,
          p99Ms: Math.round(x.p99 * 100) / 100,
          errors: x.errors,
        });
      }
    }
    const rssAfter = rssKiB(gw.pid);
    return {
      runtime,
      rounds: results,
      rssIdleMiB: mib(rssIdle),
      rssAfterMiB: mib(rssAfter),
      requestsForRss: gwRequests,
      rssWarmMiB: mib(rssWarm),
      warmRequests,
    };
  } finally {
    await gw.stop();
    await bare.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the benchmark on Node only (the shape the suite had before `runOn`). */
export async function run(options: { quick?: boolean } = {}): Promise<GatewayBenchResult> {
  const r = await runOn("node", options);
  return {
    runtime: r.runtime,
    results: TARGETS.map((n) => {
      const xs = r.rounds[n]!;
      const mid = [...xs].sort((a, b) => a.rps - b.rps)[xs.length >> 1]!;
      return { ...mid, errors: xs.reduce((s, x) => s + x.errors, 0) };
    }),
    rssIdleMiB: r.rssIdleMiB,
    rssAfterMiB: r.rssAfterMiB,
    requestsForRss: r.requestsForRss,
  };
}

/** Figures 4 and 6a as report rows, on `runtimes`. */
export async function report(
  options: { quick?: boolean; runtimes?: readonly RuntimeName[] } = {},
): Promise<Report> {
  const rows: Row[] = [];
  for (const runtime of options.runtimes ?? RUNTIMES) {
    const r = await runOn(runtime, options);
    process.stderr.write(`gateway: ${runtime} done\n`);
    const bare = r.rounds[TARGETS[0]!]!;
    const errors = (n: string) => r.rounds[n]!.reduce((s, x) => s + x.errors, 0);
    for (const n of TARGETS.slice(1)) {
      const xs = r.rounds[n]!;
      const note = `${xs.length} x ${xs[0]!.requests} requests, ${
        xs[0]!.concurrency
      } connections, ${errors(n)} errors`;
      rows.push({
        figure: "4 throughput",
        name: `${runtime}: ${n}`,
        unit: "req/s",
        values: xs.map((x) => x.rps),
        baseline: { name: "bare Hono", values: bare.map((x) => x.rps) },
        ...(n === TARGETS[1] ? { target: { op: ">=", ratio: 0.8 } } : {}),
        note,
      });
      rows.push({
        figure: "4 throughput",
        name: `${runtime}: ${n} p99`,
        unit: "ms",
        values: xs.map((x) => x.p99Ms),
        baseline: { name: "bare Hono", values: bare.map((x) => x.p99Ms) },
      });
    }
    rows.push({
      figure: "6 leak check",
      name: `${runtime}: gateway RSS after ${r.requestsForRss} requests`,
      unit: "MiB",
      values: [r.rssAfterMiB],
      baseline: { name: "idle", values: [r.rssIdleMiB] },
      target: { op: "<=", ratio: 1.2 },
    });
    rows.push({
      figure: "6 leak check",
      name:
        `${runtime}: gateway RSS after ${r.requestsForRss} requests vs after ${r.warmRequests} warm-up requests`,
      unit: "MiB",
      values: [r.rssAfterMiB],
      baseline: { name: "after warm-up", values: [r.rssWarmMiB] },
    });
  }
  return {
    rows,
    methods: {
      "4 throughput":
        "The deployable bundle running `gateway` (memory storage, pairing on, `GATEWAY_RATE_LIMIT`/`GATEWAY_RATE_BURST` raised to 1e6 because every request comes from one loader) and the bare one-route Hono app (bundled with esbuild the same way) each run in their own process, served by the same adapter (`cli/_serve.ts`: the runtime's own HTTP server) on the runtime under test; a keep-alive `node:http` loader with 32 concurrent requests runs in a third process (on Node), rounds rotate the order of the targets, each target gets an untimed warm-up first; `GET /tasks` carries the bearer token from `POST /pair` with the printed code.",
      "6 leak check":
        "Gateway: VmRSS of the gateway process 2 s after its first answered request (the pairing) against VmRSS after every warm-up and measured request of figure 4 (heartbeat and authenticated `GET /tasks`), no forced GC; one reading per runtime. A second row compares with the RSS right after the warm-up requests, to tell one-time growth (JIT, heap sizing) from growth that continues with load.",
    },
  };
}

if ((import.meta as { main?: boolean }).main) {
  const i = process.argv.indexOf("--runtimes");
  const runtimes = i < 0 ? undefined : process.argv[i + 1]!.split(",") as RuntimeName[];
  emit(
    "Gateway throughput",
    await report({ quick: isQuick(), ...(runtimes ? { runtimes } : {}) }),
    process.argv,
  );
}
