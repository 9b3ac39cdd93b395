/**
 * Gateway benchmark: requests/s and p99 latency of `GET /health/heartbeat` and of an
 * authenticated `GET /tasks`, against a bare one-route Hono app served the same way (srvx)
 * in the same run, plus the server process's RSS idle and after the load.
 *
 * The load comes from a small bounded loader (fixed concurrency, keep-alive `node:http`) in a
 * child process, so the client's own CPU and memory are not counted against the server.
 *
 * Run alone: `node bench/gateway.ts [--quick]` (Deno: `deno run -A`, Bun: `bun`).
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { serve } from "srvx";
import { createStorage } from "unstorage";
import { createGateway } from "../lib/gateway/mod.ts";
import { createStateStore } from "../lib/storage/state_store.ts";
import type { Agent } from "../lib/agent/types.ts";

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

function runtimeName(): string {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Bun) return `bun ${(process.versions as Record<string, string>).bun}`;
  if (g.Deno) return `deno ${(process.versions as Record<string, string>).deno}`;
  return `node ${process.versions.node}`;
}

function load(
  loaderPath: string,
  spec: { url: string; headers: Record<string, string>; total: number; concurrency: number },
): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const g = globalThis as { Deno?: unknown };
  const args = g.Deno ? ["run", "-A", loaderPath] : [loaderPath];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, JSON.stringify(spec)], {
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

function mib(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Runs the benchmark; `quick` uses 2 000 requests per target instead of 20 000. */
export async function run(options: { quick?: boolean } = {}): Promise<GatewayBenchResult> {
  const total = options.quick ? 2000 : 20_000;
  const concurrency = 32;
  const agent: Agent = {
    run: async (input) => ({ text: input.input, steps: 1, stopReason: "stop", toolCalls: 0 }),
    stream: async function* () {},
    reset() {},
  };
  const gateway = createGateway({
    agent,
    store: createStateStore({ storage: createStorage(), kind: "memory" }),
    rateLimit: { rps: 1e9, burst: 1e9 },
  });
  await gateway.start();
  const gwServer = serve({ fetch: gateway.fetch, hostname: "127.0.0.1", port: 0, silent: true });
  const bare = new Hono();
  bare.get("/health/heartbeat", (c) => c.json({ heartbeat: "ok" }));
  const bareServer = serve({ fetch: bare.fetch, hostname: "127.0.0.1", port: 0, silent: true });
  await gwServer.ready();
  await bareServer.ready();
  const dir = await mkdtemp(join(tmpdir(), "mikroclaw-bench-"));
  const loaderPath = join(dir, "loader.mjs");
  await writeFile(loaderPath, LOADER);
  try {
    const gwUrl = gwServer.url!.replace(/\/$/, "");
    const bareUrl = bareServer.url!.replace(/\/$/, "");
    const paired = await fetch(`${gwUrl}/pair`, {
      method: "POST",
      headers: { "x-pairing-code": gateway.pairingCode()! },
    });
    const { token } = await paired.json() as { token: string };
    const auth = { authorization: `Bearer ${token}` };

    gc();
    const rssIdle = process.memoryUsage().rss;
    const targets = [
      { name: "bare hono /health/heartbeat", url: `${bareUrl}/health/heartbeat`, headers: {} },
      { name: "gateway /health/heartbeat", url: `${gwUrl}/health/heartbeat`, headers: {} },
      { name: "gateway GET /tasks (bearer)", url: `${gwUrl}/tasks`, headers: auth },
    ];
    const results: LoadResult[] = [];
    let rssAfter = 0;
    for (const t of targets) {
      await load(loaderPath, { url: t.url, headers: t.headers, total: 500, concurrency }); // warm-up
      const r = await load(loaderPath, { url: t.url, headers: t.headers, total, concurrency });
      results.push({
        name: t.name,
        requests: total,
        concurrency,
        rps: Math.round(r.rps),
        p50Ms: Math.round(r.p50 * 100) / 100,
        p99Ms: Math.round(r.p99 * 100) / 100,
        errors: r.errors,
      });
      if (t.name === "gateway /health/heartbeat") rssAfter = process.memoryUsage().rss;
    }
    return {
      runtime: runtimeName(),
      results,
      rssIdleMiB: mib(rssIdle),
      rssAfterMiB: mib(rssAfter),
      requestsForRss: total + 500,
    };
  } finally {
    await gwServer.close(true);
    await bareServer.close(true);
    await gateway.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function print(r: GatewayBenchResult): void {
  console.log(`gateway benchmark (${r.runtime})`);
  console.log("| target | requests | conc. | req/s | p50 ms | p99 ms | errors |");
  console.log("|---|---|---|---|---|---|---|");
  for (const x of r.results) {
    console.log(
      `| ${x.name} | ${x.requests} | ${x.concurrency} | ${x.rps} | ${x.p50Ms} | ${x.p99Ms} | ${x.errors} |`,
    );
  }
  console.log(
    `RSS idle: ${r.rssIdleMiB} MiB; after ${r.requestsForRss} gateway requests: ${r.rssAfterMiB} MiB (server process, both apps)`,
  );
}

if ((import.meta as { main?: boolean }).main) {
  print(await run({ quick: process.argv.includes("--quick") }));
}
