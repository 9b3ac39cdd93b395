import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseTextToolCalls } from "../../lib/providers/text_tool_calls.ts";

const tools = [{ name: "get_weather" }, { name: "clock" }];

describe("parseTextToolCalls()", () => {
  it("reads a bare JSON object, tags, fences, arrays and the OpenAI function shape", () => {
    assert.deepEqual(
      parseTextToolCalls('{"name": "get_weather", "arguments": {"city": "Riga"}}', tools),
      [
        { id: "text_call_0", name: "get_weather", arguments: { city: "Riga" } },
      ],
    );
    assert.deepEqual(
      parseTextToolCalls(
        'Sure.\n<tool_call>\n{"name": "clock", "arguments": {}}\n</tool_call>\n<tool_call>{"name":"get_weather","parameters":{"city":"Oslo"}}</tool_call>',
        tools,
      )
        .map((c) => [c.name, c.arguments]),
      [["clock", {}], ["get_weather", { city: "Oslo" }]],
    );
    assert.deepEqual(
      parseTextToolCalls(
        '```json\n{"name": "clock", "arguments": "{\\"tz\\":\\"UTC\\"}"}\n```',
        tools,
      )[0]!.arguments,
      { tz: "UTC" },
    );
    assert.equal(
      parseTextToolCalls(
        '[{"name":"clock","arguments":{}},{"name":"get_weather","arguments":{}}]',
        tools,
      ).length,
      2,
    );
    assert.equal(
      parseTextToolCalls(
        '{"type":"function","function":{"name":"clock","arguments":"{}"}}',
        tools,
      )[0]!.name,
      "clock",
    );
    assert.equal(
      parseTextToolCalls('I will call {"name": "clock", "arguments": {"a": "}"}} now', tools)[0]!
        .arguments.a,
      "}",
    );
  });

  it("ignores prose, unknown names and objects without arguments outside a tag", () => {
    assert.deepEqual(parseTextToolCalls("The weather is nice.", tools), []);
    assert.deepEqual(parseTextToolCalls('{"name": "rm_rf", "arguments": {}}', tools), []);
    assert.deepEqual(parseTextToolCalls('My config: {"name": "clock"}', tools), []);
    assert.deepEqual(parseTextToolCalls('{"name": "clock", "arguments": {}}', []), []);
  });

  it("marks broken arguments instead of throwing", () => {
    const [a] = parseTextToolCalls(
      '<tool_call>{"name": "clock", "arguments": {"tz": }</tool_call>',
      tools,
    );
    assert.equal(a!.name, "clock");
    assert.match(a!.argumentsError!, /Cannot parse/);
    const [b] = parseTextToolCalls('{"name": "clock", "arguments": "not json"}', tools);
    assert.match(b!.argumentsError!, /Cannot parse/);
    const [c] = parseTextToolCalls('{"name": "clock", "arguments": [1,2]}', tools);
    assert.match(c!.argumentsError!, /expected a JSON object/);
  });

  it("never throws and only ever returns offered names (hostile input)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.json(), (junk, json) => {
        for (
          const text of [
            junk,
            json,
            `<tool_call>${junk}</tool_call>`,
            `\`\`\`json\n${json}\n\`\`\``,
            `{"name":"clock","arguments":${junk}}`,
          ]
        ) {
          const calls = parseTextToolCalls(text, tools);
          for (const c of calls) {
            assert.ok(c.name === "clock" || c.name === "get_weather");
            assert.equal(typeof c.arguments, "object");
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("caps the number of calls", () => {
    const many = Array.from({ length: 50 }, () => '{"name":"clock","arguments":{}}').join(" ");
    assert.equal(parseTextToolCalls(many, tools).length, 16);
  });
});
