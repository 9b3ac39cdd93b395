/**
 * The load generator of the throughput and leak figures: autocannon (made for HTTP
 * benchmarking: pipelined keep-alive connections, HDR latency histograms), run in its own
 * Node process so its CPU and memory are not counted against the server. Reads one JSON spec
 * from its last argument, prints one JSON result: requests/s, p50/p99 latency, errors (non-2xx
 * unless `expectStatuses` lists others, timeouts, socket errors) and the share of one CPU core
 * the generator itself used — near 100 % means the generator, not the server, set the pace.
 *
 * A `mix` spec cycles through several requests per connection; `forwardedFor` gives each
 * request an `X-Forwarded-For` from a rotating pool of that many client ids.
 * @module
 */
import process from "node:process";
import autocannon from "autocannon";

/** What to load. */
export interface LoadSpec {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  /** Seconds to run (or `amount`). */
  duration?: number;
  /** Requests to send (instead of `duration`). */
  amount?: number;
  /** Requests cycled per connection (paths relative to `url`). */
  mix?: { method: string; path: string; headers?: Record<string, string>; body?: string }[];
  /** Rotating pool size of `X-Forwarded-For` client ids (0: none). */
  forwardedFor?: number;
  /** Statuses that count as answered, besides 2xx (a mix expects 401, 404, 429 ...). */
  expectStatuses?: number[];
}

/** What one load run measured. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  errors: number;
  /** Share of one core the generator used (0-1). */
  cpu: number;
}

const spec = JSON.parse(process.argv[process.argv.length - 1]!) as LoadSpec;
let next = 0;
const forwarded = spec.forwardedFor ?? 0;
const statuses: Record<number, number> = {};
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  ...(spec.amount ? { amount: spec.amount } : { duration: spec.duration ?? 5 }),
  ...(spec.headers ? { headers: spec.headers } : {}),
  ...(spec.mix
    ? {
      requests: spec.mix.map((r) => ({
        method: r.method,
        path: new URL(r.path, spec.url).pathname,
        ...(r.headers ? { headers: r.headers } : {}),
        ...(r.body ? { body: r.body } : {}),
        ...(forwarded
          ? {
            setupRequest: (req: { headers?: Record<string, string> }) => {
              const n = next++ % forwarded;
              req.headers = {
                ...req.headers,
                "x-forwarded-for": `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`,
              };
              return req;
            },
          }
          : {}),
      })),
    }
    : {}),
  setupClient: (client: { on(e: string, f: (status: number) => void): void }) => {
    client.on("response", (status: number) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  },
});
const wall = performance.now() - t0;
const used = process.cpuUsage(cpu0);
const allowed = new Set(spec.expectStatuses ?? []);
const unexpected = Object.entries(statuses)
  .filter(([s]) => !(Number(s) >= 200 && Number(s) < 300) && !allowed.has(Number(s)))
  .reduce((n, [, c]) => n + c, 0);
const out: LoadResult & { statuses: Record<number, number> } = {
  rps: result.requests.average,
  p50: result.latency.p50,
  p99: result.latency.p99,
  total: result.requests.total,
  errors: unexpected + result.errors + result.timeouts,
  cpu: (used.user + used.system) / 1000 / wall,
  statuses,
};
process.stdout.write(JSON.stringify(out));
