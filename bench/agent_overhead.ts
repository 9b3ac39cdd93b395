/**
 * Agent overhead benchmark (figures 5 and 6b): one agent turn with three sequential tool
 * calls (a trivial `defineTool` tool) against a zero-latency local fake LLM, non-streaming and
 * streaming, against the four raw `fetch` requests that turn implies, with the same bodies;
 * and the RSS of this process after 500 turns against its idle RSS.
 *
 * Runs on Node, Deno and Bun (`bench/run.ts` runs it on each; the fake LLM is always Node).
 * Run alone: `node --expose-gc bench/agent_overhead.ts [--quick] [--json]`.
 * @module
 */
import process from "node:process";
import * as v from "valibot";
import { createAgent } from "../lib/agent/create_agent.ts";
import { createProvider } from "../lib/providers/mod.ts";
import type { Provider } from "../lib/providers/types.ts";
import { defineTool } from "../lib/tools/define_tool.ts";
import { emit, type Report, type Row } from "./_table.ts";
import { commandFor, currentRuntime, gc, isQuick, rssKiB, sleep, startChild } from "./_util.ts";

interface Captured {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Runs figures 5 and 6b; `quick` uses 2 rounds of 5 turns and 50 leak turns. */
export async function run(options: { quick?: boolean } = {}): Promise<Report> {
  const rounds = options.quick ? 2 : 5;
  const perRound = options.quick ? 5 : 40;
  const leakTurns = options.quick ? 50 : 500;
  const warmup = options.quick ? 5 : 20;
  const cycles = 2 * (warmup + 1 + 2 * rounds * perRound) + leakTurns + 10;
  const [cmd, args] = commandFor("node", "bench/_fake_llm.ts", ["--cycles", String(cycles)]);
  const fake = startChild(cmd, args);
  const rows: Row[] = [];
  try {
    const baseURL = (await fake.waitFor(/fake llm (\S+)/))[1]!;
    let capture: Captured[] | undefined;
    const recordingFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (capture) {
        capture.push({
          url: String(input),
          headers: Object.fromEntries(new Headers(init?.headers)),
          body: String(init?.body),
        });
      }
      return await fetch(input, init);
    }) as typeof fetch;
    const streaming = createProvider("openai", {
      baseURL,
      apiKey: "sk-bench",
      model: "fake-model",
      fetch: recordingFetch,
    });
    const nonStreaming: Provider = {
      id: streaming.id,
      model: streaming.model,
      chat: (request, opts) => streaming.chat({ ...request, stream: false }, opts),
    };
    const tool = defineTool({
      name: "bench_echo",
      description: "Echoes n",
      input: v.object({ n: v.number() }),
      run: async ({ n }) => ({ n }),
    });
    const agentFor = (provider: Provider) => createAgent({ provider, tools: [tool] });
    const turn = async (agent: ReturnType<typeof agentFor>): Promise<void> => {
      const r = await agent.run({
        input: "Echo 1, 2 and 3, one call at a time",
        sessionKey: "bench",
      });
      agent.reset("bench");
      if (r.toolCalls !== 3 || r.stopReason !== "stop") {
        throw new Error(
          `Cannot benchmark the agent: turn ended ${r.stopReason} after ${r.toolCalls} tool calls`,
        );
      }
    };
    const raw = async (requests: Captured[]): Promise<void> => {
      for (const c of requests) {
        const res = await fetch(c.url, { method: "POST", headers: c.headers, body: c.body });
        if (res.status !== 200) throw new Error(`Cannot replay a request: ${res.status}`);
        await res.text();
      }
    };

    let rssIdle = 0;
    let heapIdle = 0;
    for (
      const [mode, provider] of [["non-streaming", nonStreaming], ["streaming", streaming]] as const
    ) {
      const agent = agentFor(provider);
      for (let i = 0; i < warmup; i++) await turn(agent);
      capture = [];
      await turn(agent);
      const requests = capture;
      capture = undefined;
      if (requests.length !== 4) {
        throw new Error(`Cannot benchmark: a turn made ${requests.length} requests, not 4`);
      }
      if (mode === "non-streaming") {
        gc();
        await sleep(100);
        rssIdle = rssKiB(process.pid);
        heapIdle = process.memoryUsage().heapUsed;
      }
      const agentMs: number[] = [];
      const rawMs: number[] = [];
      for (let r = 0; r < rounds; r++) {
        let t = performance.now();
        for (let i = 0; i < perRound; i++) await turn(agent);
        agentMs.push((performance.now() - t) / perRound);
        t = performance.now();
        for (let i = 0; i < perRound; i++) await raw(requests);
        rawMs.push((performance.now() - t) / perRound);
      }
      rows.push({
        figure: "5 agent overhead",
        name: `${currentRuntime()}: turn with 3 tool calls, ${mode}`,
        unit: "ms/turn",
        values: agentMs,
        baseline: { name: "4 raw fetch", values: rawMs },
        target: { op: "<=", ratio: 1.3 },
        note: `${rounds} x ${perRound} turns`,
      });
    }
    // leak: every turn above plus these, against the idle reading taken after the warm-up
    const agent = agentFor(streaming);
    const before = 2 * (warmup + 1) + 2 * rounds * perRound - (warmup + 1);
    for (let i = 0; i < leakTurns - before; i++) await turn(agent);
    gc();
    await sleep(100);
    const rssAfter = rssKiB(process.pid);
    const heapAfter = process.memoryUsage().heapUsed;
    rows.push({
      figure: "6 leak check",
      name: `${currentRuntime()}: agent process RSS after ${Math.max(leakTurns, before)} turns`,
      unit: "MiB",
      values: [rssAfter / 1024],
      baseline: { name: "idle", values: [rssIdle / 1024] },
      target: { op: "<=", ratio: 1.2 },
    });
    rows.push({
      figure: "6 leak check",
      name: `${currentRuntime()}: agent process live heap after GC after ${
        Math.max(leakTurns, before)
      } turns`,
      unit: "MiB",
      values: [heapAfter / 2 ** 20],
      baseline: { name: "idle", values: [heapIdle / 2 ** 20] },
    });
  } finally {
    await fake.stop();
  }
  return {
    rows,
    methods: {
      "5 agent overhead":
        '`createAgent` with `createProvider("openai")` and one `defineTool` tool against `startFakeOpenAI` (run in its own Node process, answering at once: three single tool calls, then text); a turn is `agent.run` + `reset`; the baseline replays the four HTTP requests of one captured turn (same URL, headers and bodies) with `fetch` and reads each body whole; agent and raw batches alternate within each round, after warm-up turns; non-streaming sends `stream: false` to the provider.',
      "6 leak check":
        "Agent: VmRSS and the JS heap in use (`process.memoryUsage().heapUsed`) of the benchmark process (on each runtime, GC forced before each reading) after the warm-up turns against after the stated number of agent turns (both modes, session reset after each turn); one reading.",
    },
  };
}

if ((import.meta as { main?: boolean }).main) {
  emit("Agent overhead", await run({ quick: isQuick() }), process.argv);
}
