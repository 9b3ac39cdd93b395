/**
 * The zero-latency fake LLM of the agent-overhead figure, in its own process so its request
 * log does not count against the agent's memory: `startFakeOpenAI` scripted with `--cycles N`
 * repetitions of three single tool calls (`bench_echo`) and a final text. Prints its base URL.
 * Run: `node bench/_fake_llm.ts --cycles 100`.
 * @module
 */
import process from "node:process";
import { type FakeReply, startFakeOpenAI } from "../test/_fakes/openai.ts";

const i = process.argv.indexOf("--cycles");
const cycles = i < 0 ? 100 : Number(process.argv[i + 1]);
const cycle: FakeReply[] = [
  { toolCalls: [{ name: "bench_echo", arguments: { n: 1 } }] },
  { toolCalls: [{ name: "bench_echo", arguments: { n: 2 } }] },
  { toolCalls: [{ name: "bench_echo", arguments: { n: 3 } }] },
  { text: "done: 1, 2, 3" },
];
const fake = await startFakeOpenAI(Array.from({ length: cycles }, () => cycle).flat());
console.log(`fake llm ${fake.baseURL}`);
process.once("SIGTERM", () => void fake.close().then(() => process.exit(0)));
