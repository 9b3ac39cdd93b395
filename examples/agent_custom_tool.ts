/**
 * A minimal agent with a custom tool, offline: a scripted mock provider asks for the tool,
 * the agent validates the arguments, runs it and feeds the result back, and the "model"
 * answers. Swap `createMockProvider([...])` for `createProvider("openai")` to use a real model.
 *
 *   node examples/agent_custom_tool.ts      (Node >= 22.18; also deno run -A / bun)
 *
 * Imports the library from this checkout (`../mod.ts`); in your own project write
 * `import { createAgent, defineTool } from "mikroclaw"` (npm) or `"@mikroclaw/mikroclaw"` (JSR).
 * @module
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import * as v from "valibot";
import { createAgent, createMockProvider, defineTool, type TurnResult } from "../mod.ts";
import type { Tool } from "../lib/tools/types.ts";

/** A custom read-only tool: converts a bandwidth between units. */
export function bandwidthTool(): Tool {
  return defineTool({
    name: "convert_bandwidth",
    description: "Converts a bandwidth value between bit/s units (bps, kbps, Mbps, Gbps)",
    input: v.object({
      value: v.pipe(v.number(), v.minValue(0)),
      from: v.picklist(["bps", "kbps", "Mbps", "Gbps"]),
      to: v.picklist(["bps", "kbps", "Mbps", "Gbps"]),
    }),
    async run({ value, from, to }) {
      const scale = { bps: 1, kbps: 1e3, Mbps: 1e6, Gbps: 1e9 } as const;
      return { value: (value * scale[from]) / scale[to], unit: to };
    },
  });
}

/** Runs one turn with the custom tool; resolves the turn and the tool output the model saw. */
export async function runExample(): Promise<{ turn: TurnResult; toolOutput: string }> {
  const provider = createMockProvider([
    {
      toolCalls: [{
        name: "convert_bandwidth",
        arguments: { value: 250, from: "Mbps", to: "Gbps" },
      }],
    },
    "250 Mbps is 0.25 Gbps.",
  ]);
  const agent = createAgent({ provider, tools: [bandwidthTool()] });
  let toolOutput = "";
  const turn = await agent.run({
    input: "How many Gbps is 250 Mbps?",
    sessionKey: "example",
    onEvent: (event) => {
      if (event.type === "tool-end") toolOutput = event.result.content;
    },
  });
  return { turn, toolOutput };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { turn, toolOutput } = await runExample();
  console.log(`tool result: ${toolOutput}`);
  console.log(`answer: ${turn.text}`);
}
