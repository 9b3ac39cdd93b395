/**
 * The baseline of the footprint, start-up and throughput figures: a bare one-route Hono app
 * (`GET /health/heartbeat` -> `{"heartbeat":"ok"}`) served by `cli/_serve.ts`, the adapter the
 * gateway uses (the runtime's own HTTP server), on whichever runtime runs it. Prints `listening on http://host:port`; SIGTERM stops it.
 *
 * Run alone: `node bench/baseline_hono.ts [--port N] [--host H]` (also `deno run -A`, `bun`).
 * @module
 */
import { Hono } from "hono";
import { listen } from "../cli/_serve.ts";

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
}

/** Serves the one-route app; resolves the URL it listens on. */
export async function startBaselineHono(port = 0, hostname = "127.0.0.1"): Promise<string> {
  const app = new Hono();
  app.get("/health/heartbeat", (c) => c.json({ heartbeat: "ok" }));
  return (await listen(app.fetch, hostname, port)).url;
}

if ((import.meta as { main?: boolean }).main) {
  const argv = (globalThis as { process?: { argv?: string[] } }).process?.argv ?? [];
  const url = await startBaselineHono(Number(flag(argv, "--port") ?? 0), flag(argv, "--host"));
  console.log(`listening on ${url}`);
}
