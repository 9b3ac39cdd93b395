/**
 * Benchmark of the LLM layer: SSE tool-call stream parsing throughput versus reading the same
 * bytes with plain `fetch`, and per-request overhead versus raw `fetch` against a zero-latency
 * local server. Run alone: `node bench/stream_parse.ts [--quick]`.
 * @module
 */
import { createOpenAICompatible } from "../lib/providers/openai_compatible.ts";
import { collectChat } from "../lib/providers/collect_chat.ts";
import { serveLocal } from "../test/_utils/serve.ts";
import { emit, type Report, type Row } from "./_table.ts";

/** One result line. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note: string;
}

const encoder = new TextEncoder();

function chunk(delta: unknown): string {
  return `data: ${
    JSON.stringify({
      id: "chatcmpl-bench",
      object: "chat.completion.chunk",
      created: 1730000000,
      model: "bench",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
      usage: null,
    })
  }\n\n`;
}

/** An OpenAI SSE stream of `calls` parallel tool calls, each with `pieces` argument fragments. */
function toolCallStream(calls: number, pieces: number): Uint8Array {
  const parts: string[] = [chunk({ role: "assistant", content: "" })];
  for (let i = 0; i < calls; i++) {
    parts.push(
      chunk({
        tool_calls: [{
          index: i,
          id: `call_${i}`,
          type: "function",
          function: { name: "address_list_add", arguments: "" },
        }],
      }),
    );
    const args = JSON.stringify({
      list: "blocked",
      address: `10.0.${i % 256}.1`,
      comment: "Rīga ✓ ".repeat(pieces),
    });
    const size = Math.ceil(args.length / pieces);
    for (let k = 0; k < args.length; k += size) {
      parts.push(
        chunk({ tool_calls: [{ index: i, function: { arguments: args.slice(k, k + size) } }] }),
      );
    }
  }
  parts.push(
    `data: ${
      JSON.stringify({ id: "x", choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] })
    }\n\n`,
  );
  parts.push(
    `data: ${
      JSON.stringify({ id: "x", choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } })
    }\n\n`,
  );
  parts.push("data: [DONE]\n\n");
  return encoder.encode(parts.join(""));
}

function sliced(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) controller.close();
      else {
        controller.enqueue(bytes.subarray(offset, offset + size));
        offset += size;
      }
    },
  });
}

async function timeIt(repeat: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < repeat; i++) await fn();
  return (performance.now() - start) / repeat;
}

/** Runs the benchmark; `quick` uses smaller inputs and fewer repetitions. */
export async function run(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const quick = options.quick ?? false;
  const bytes = toolCallStream(quick ? 50 : 400, 40);
  const mb = bytes.length / 1e6;
  const repeat = quick ? 3 : 10;
  const rows: BenchRow[] = [];

  // 1. in memory, 16 KiB network-sized chunks: parser cost only
  const memFetch = (async () =>
    new Response(sliced(bytes, 16 * 1024), {
      headers: { "content-type": "text/event-stream" },
    })) as typeof fetch;
  const provider = createOpenAICompatible({
    baseURL: "http://bench.invalid/v1",
    apiKey: "k",
    model: "bench",
    fetch: memFetch,
  });
  const request = { messages: [{ role: "user" as const, content: "x" }] };
  const parseMs = await timeIt(repeat, async () => {
    const result = await collectChat(provider.chat(request));
    if (result.toolCalls.length === 0) throw new Error("bench: no tool calls parsed");
  });
  const rawMemMs = await timeIt(repeat, async () => {
    const reader = (await memFetch("http://bench.invalid")).body!.getReader();
    while (!(await reader.read()).done) { /* drain */ }
  });
  rows.push({
    name: "SSE tool-call parse (in memory)",
    value: mb / (parseMs / 1000),
    unit: "MB/s",
    note: `${mb.toFixed(2)} MB stream`,
  });
  rows.push({
    name: "plain read of same bytes (in memory)",
    value: mb / (rawMemMs / 1000),
    unit: "MB/s",
    note: "baseline",
  });

  // 2. over local HTTP: provider vs raw fetch of the same bytes
  const server = await serveLocal(() =>
    new Response(bytes.slice().buffer, { headers: { "content-type": "text/event-stream" } })
  );
  try {
    const httpProvider = createOpenAICompatible({
      baseURL: `${server.url}/v1`,
      apiKey: "k",
      model: "bench",
    });
    const httpParseMs = await timeIt(
      repeat,
      async () => void (await collectChat(httpProvider.chat(request))),
    );
    const httpRawMs = await timeIt(
      repeat,
      async () =>
        void (await (await fetch(`${server.url}/v1/chat/completions`, { method: "POST" }))
          .arrayBuffer()),
    );
    rows.push({
      name: "SSE tool-call parse (local HTTP)",
      value: mb / (httpParseMs / 1000),
      unit: "MB/s",
      note: "provider.chat + collectChat",
    });
    rows.push({
      name: "raw fetch of same bytes (local HTTP)",
      value: mb / (httpRawMs / 1000),
      unit: "MB/s",
      note: "fetch + arrayBuffer",
    });
  } finally {
    await server.close();
  }

  // 3. per-request overhead against a zero-latency fake answering a tiny text stream
  const small = encoder.encode(
    chunk({ role: "assistant", content: "" }) + chunk({ content: "pong" }) +
      `data: ${
        JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })
      }\n\ndata: [DONE]\n\n`,
  );
  const tiny = await serveLocal(async (req) => {
    await req.arrayBuffer();
    return new Response(small.slice().buffer, { headers: { "content-type": "text/event-stream" } });
  });
  try {
    const n = quick ? 50 : 300;
    const p = createOpenAICompatible({ baseURL: `${tiny.url}/v1`, apiKey: "k", model: "bench" });
    const body = JSON.stringify({ model: "bench", messages: request.messages, stream: true });
    const rawMs = await timeIt(n, async () => {
      const res = await fetch(`${tiny.url}/v1/chat/completions`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", authorization: "Bearer k" },
      });
      await res.text();
    });
    const providerMs = await timeIt(n, async () => void (await collectChat(p.chat(request))));
    rows.push({
      name: "raw fetch round trip",
      value: rawMs * 1000,
      unit: "µs/req",
      note: `${n} requests`,
    });
    rows.push({
      name: "provider round trip",
      value: providerMs * 1000,
      unit: "µs/req",
      note: `${n} requests`,
    });
    rows.push({
      name: "provider overhead vs raw fetch",
      value: (providerMs - rawMs) * 1000,
      unit: "µs/req",
      note: "difference",
    });
  } finally {
    await tiny.close();
  }
  return rows;
}

/** Prints rows as an aligned table. */
function print(rows: BenchRow[]): void {
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`${"benchmark".padEnd(w)}  ${"value".padStart(10)}  unit     note`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(w)}  ${r.value.toFixed(1).padStart(10)}  ${r.unit.padEnd(7)}  ${r.note}`,
    );
  }
}

/** Figure 7 as report rows: `run` repeated (5 times, 2 with `quick`), each row with its baseline. */
export async function report(options: { quick?: boolean } = {}): Promise<Report> {
  const runs: BenchRow[][] = [];
  for (let i = 0; i < (options.quick ? 2 : 5); i++) runs.push(await run(options));
  const col = (name: string): number[] => runs.map((r) => r.find((x) => x.name === name)!.value);
  const row = (name: string, baseline: string, unit: string, note: string): Row => ({
    figure: "7 stream parsing",
    name,
    unit,
    values: col(name),
    baseline: { name: baseline, values: col(baseline) },
    note,
  });
  const first = runs[0]!;
  return {
    rows: [
      row(
        "SSE tool-call parse (in memory)",
        "plain read of same bytes (in memory)",
        "MB/s",
        first[0]!.note,
      ),
      row(
        "SSE tool-call parse (local HTTP)",
        "raw fetch of same bytes (local HTTP)",
        "MB/s",
        first[2]!.note,
      ),
      row("provider round trip", "raw fetch round trip", "µs/req", first[5]!.note),
    ],
    methods: {
      "7 stream parsing":
        "`bench/stream_parse.ts`: an OpenAI SSE stream of parallel tool calls (arguments split in 40 fragments, non-ASCII text) parsed by `createOpenAICompatible(...).chat` + `collectChat`, from memory in 16 KiB chunks and over local HTTP, against draining the same bytes (reader loop / `fetch` + `arrayBuffer`); the round trip row is a tiny streamed text reply through the provider against raw `fetch` + `text()` with the same body; the whole script is repeated and each repetition is one run.",
    },
  };
}

if (import.meta.main) {
  const argv = (globalThis as { process?: { argv?: string[] } }).process?.argv ?? [];
  const quick = argv.includes("--quick");
  if (argv.includes("--json")) emit("Stream parsing", await report({ quick }), argv);
  else print(await run({ quick }));
}
