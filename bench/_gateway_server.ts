/**
 * The gateway as the throughput and leak figures drive it: `createGateway` with memory
 * storage and pairing on (what `mikroclaw gateway` serves), its per-client rate limit raised
 * so one load generator is not throttled, served by srvx like the CLI. A stub agent answers
 * (no LLM is called by `/health/heartbeat` or `GET /tasks`). Prints `listening on <url>` and
 * `pairing code: NNNNNN`; SIGTERM stops it.
 *
 * Run: `node bench/_gateway_server.ts [--port N]` (also `deno run -A`, `bun`).
 * @module
 */
import process from "node:process";
import { serve } from "srvx";
import { createStorage } from "unstorage";
import { createGateway } from "../lib/gateway/mod.ts";
import { createStateStore } from "../lib/storage/state_store.ts";
import type { Agent } from "../lib/agent/types.ts";

const i = process.argv.indexOf("--port");
const port = i < 0 ? 0 : Number(process.argv[i + 1]);
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
const server = serve({ fetch: gateway.fetch, hostname: "127.0.0.1", port, silent: true });
await server.ready();
console.log(`listening on ${server.url!.replace(/\/$/, "")}`);
console.log(`pairing code: ${gateway.pairingCode()}`);
