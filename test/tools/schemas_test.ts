import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { builtinTools } from "../../lib/runtime/builtin_tools.ts";
import { jsonSchemaOf } from "../../lib/tools/define_tool.ts";
import { inputSchemaOf } from "../../lib/tools/_tool.ts";
import { BUILTIN_TOOL_SCHEMAS } from "../../lib/tools/_schemas.ts";

describe("the precomputed JSON Schemas of the built-in tools", () => {
  it("equal what @valibot/to-json-schema derives from each tool's own valibot schema", async () => {
    const tools = builtinTools({
      config: await loadConfig({ env: {} }),
      memory: undefined,
      executor: undefined,
      healthSource: async () => ({}),
    });
    assert.deepEqual(tools.map((t) => t.name).sort(), Object.keys(BUILTIN_TOOL_SCHEMAS).sort());
    for (const tool of tools) {
      const input = inputSchemaOf(tool);
      assert.ok(input, `${tool.name}: no valibot schema recorded`);
      assert.deepEqual(tool.parameters, jsonSchemaOf(input), tool.name);
    }
  });

  it("are copies: a consumer changing one tool's schema changes no other tool", async () => {
    const options = {
      config: await loadConfig({ env: {} }),
      memory: undefined,
      executor: undefined,
      healthSource: async () => ({}),
    };
    const first = builtinTools(options).find((t) => t.name === "parse_url")!;
    (first.parameters as { type: string }).type = "changed";
    const second = builtinTools(options).find((t) => t.name === "parse_url")!;
    assert.equal(second.parameters.type, "object");
  });
});
