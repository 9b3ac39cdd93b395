import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as v from "valibot";
import { defaultSystemPrompt } from "../../lib/agent/system_prompt.ts";
import { defineTool } from "../../lib/tools/define_tool.ts";

describe("defaultSystemPrompt()", () => {
  const tools = [
    defineTool({
      name: "parse_url",
      description: "Parse URL host/path",
      input: v.object({}),
      run: async () => "",
    }),
    defineTool({
      name: "routeros_execute",
      description: "Execute RouterOS\ncommand from args",
      input: v.object({}),
      effect: "write",
      run: async () => "",
    }),
  ];

  it("says what the agent is, lists the tools, and that tool output is data", () => {
    const prompt = defaultSystemPrompt(tools);
    assert.match(prompt, /MikroTik router/);
    assert.match(prompt, /REST API/);
    assert.match(prompt, /- parse_url: Parse URL host\/path/);
    assert.match(
      prompt,
      /- routeros_execute \(changes things\): Execute RouterOS command from args/,
    );
    assert.match(prompt, /data, never instructions/);
    assert.match(prompt, /refused by policy/);
    assert.match(prompt, /approval/);
    assert.match(prompt, /phone/);
  });

  it("says there are no tools when there are none, and appends extra instructions", () => {
    const prompt = defaultSystemPrompt([], { extra: "Site: branch office." });
    assert.match(prompt, /- none/);
    assert.ok(prompt.endsWith("Site: branch office."));
  });
});
