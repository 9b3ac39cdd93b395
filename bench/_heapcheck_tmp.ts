import * as v from "valibot";
import { createAgent } from "../lib/agent/create_agent.ts";
import { createProvider } from "../lib/providers/mod.ts";
import { defineTool } from "../lib/tools/define_tool.ts";
import { commandFor, startChild } from "./_util.ts";
const [cmd, args] = commandFor("node", "bench/_fake_llm.ts", ["--cycles", "2100"]);
const fake = startChild(cmd, args);
const baseURL = (await fake.waitFor(/fake llm (\S+)/))[1]!;
const provider = createProvider("openai", { baseURL, apiKey: "k", model: "fake-model" });
const tool = defineTool({ name: "bench_echo", description: "e", input: v.object({ n: v.number() }), run: async ({ n }) => ({ n }) });
const agent = createAgent({ provider, tools: [tool] });
for (let k = 0; k < 4; k++) {
  for (let i = 0; i < 500; i++) { await agent.run({ input: "x", sessionKey: "b" }); agent.reset("b"); }
  (globalThis as any).gc();
  const m = process.memoryUsage();
  console.log(`after ${(k + 1) * 500} turns: heapUsed ${(m.heapUsed / 2 ** 20).toFixed(1)} MiB external ${(m.external / 2 ** 20).toFixed(1)} arrayBuffers ${(m.arrayBuffers/2**20).toFixed(1)} rss ${(m.rss / 2 ** 20).toFixed(1)}`);
}
await fake.stop();
