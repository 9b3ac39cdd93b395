/**
 * The baseline of the footprint, start-up and throughput figures: a bare one-route Hono app
 * (`GET /health/heartbeat` -> `{"heartbeat":"ok"}`) on each runtime's usual server —
 * `@hono/node-server` on Node, `Deno.serve` on Deno, `Bun.serve` on Bun — as the issue's
 * outside measurement used. Prints `listening on http://host:port`; SIGTERM stops it.
 *
 * `--delay-us N` makes every request busy-wait N microseconds first: the slowed server of the
 * throughput figure, which shows the ratios move when a server gets slower (so the load
 * generator is not what they measure). `--security-headers` answers with the six headers the
 * gateway sets on every answer (`lib/gateway/_security_headers.ts`), set the cheapest way Hono
 * offers: what those headers cost a bare app.
 *
 * Run alone: `node bench/baseline_hono.ts [--port N] [--host H] [--delay-us N]
 * [--security-headers]` (also `deno run -A`, `bun`).
 * @module
 */
import { Hono } from "hono";

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
}

interface Servers {
  Deno?: {
    serve(
      o: { port: number; hostname: string; onListen?: (a: { port: number }) => void },
      h: (r: Request) => Response | Promise<Response>,
    ): unknown;
  };
  Bun?: {
    serve(o: {
      port: number;
      hostname: string;
      fetch: (r: Request) => Response | Promise<Response>;
    }): { port: number };
  };
}

/** Serves the one-route app; resolves the URL it listens on. */
export async function startBaselineHono(
  port = 0,
  hostname = "127.0.0.1",
  delayUs = 0,
  securityHeaders = false,
): Promise<string> {
  const app = new Hono();
  // loaded only when asked for, so the plain baseline's bundle carries nothing more
  const headers = securityHeaders
    ? Object.fromEntries((await import("../lib/gateway/_security_headers.ts")).SECURITY_HEADERS)
    : undefined;
  app.get("/health/heartbeat", (c) => {
    if (delayUs > 0) {
      const until = performance.now() + delayUs / 1000;
      while (performance.now() < until) {
        // busy: a server that needs this much CPU per request
      }
    }
    return headers ? c.json({ heartbeat: "ok" }, 200, headers) : c.json({ heartbeat: "ok" });
  });
  const g = globalThis as Servers;
  if (g.Deno) {
    const deno = g.Deno;
    return await new Promise((resolve) => {
      deno.serve(
        { port, hostname, onListen: (a) => resolve(`http://${hostname}:${a.port}`) },
        app.fetch,
      );
    });
  }
  if (g.Bun) return `http://${hostname}:${g.Bun.serve({ port, hostname, fetch: app.fetch }).port}`;
  const { serve } = await import("@hono/node-server");
  return await new Promise((resolve) => {
    serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve(`http://${hostname}:${info.port}`);
    });
  });
}

if ((import.meta as { main?: boolean }).main) {
  const argv = (globalThis as { process?: { argv?: string[] } }).process?.argv ?? [];
  const url = await startBaselineHono(
    Number(flag(argv, "--port") ?? 0),
    flag(argv, "--host"),
    Number(flag(argv, "--delay-us") ?? 0),
    argv.includes("--security-headers"),
  );
  console.log(`listening on ${url}`);
}
