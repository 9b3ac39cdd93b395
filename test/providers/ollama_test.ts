import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createOllama } from "../../lib/providers/ollama.ts";
import { collectChat } from "../../lib/providers/collect_chat.ts";
import type { StreamPart } from "../../lib/providers/types.ts";
import { startFakeOllama } from "../_fakes/ollama.ts";
import type { FakeLLMServer } from "../_fakes/openai.ts";

async function parts(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of stream) out.push(p);
  return out;
}

const tools = [{
  name: "get_temperature",
  description: "Temp",
  parameters: { type: "object", properties: {} },
}];

describe("createOllama()", () => {
  let fake: FakeLLMServer;
  before(async () => {
    fake = await startFakeOllama();
  });
  after(async () => {
    await fake.close();
  });
  const provider = () => createOllama({ baseURL: fake.baseURL, model: "qwen3" });

  it("streams NDJSON text split into 1-byte writes", async () => {
    fake.push({ text: "Température: 22°C ✓", chunkSize: 1 });
    const result = await collectChat(
      provider().chat({ messages: [{ role: "user", content: "temp?" }] }),
    );
    assert.equal(result.text, "Température: 22°C ✓");
    assert.equal(result.finishReason, "stop");
    assert.deepEqual(result.usage, { inputTokens: 30, outputTokens: 6 });
    const req = fake.requests.at(-1)!;
    assert.equal(req.path, "/api/chat");
    assert.equal(req.body.stream, true);
    assert.equal(req.headers.authorization, undefined);
  });

  it("tool calls arrive whole with object arguments", async () => {
    fake.push({
      toolCalls: [{ name: "get_temperature", arguments: { city: "Riga" } }, {
        name: "get_temperature",
        arguments: { city: "Oslo" },
      }],
    });
    const result = await collectChat(
      provider().chat({ messages: [{ role: "user", content: "x" }], tools }),
    );
    assert.deepEqual(result.toolCalls.map((c) => c.arguments), [{ city: "Riga" }, {
      city: "Oslo",
    }]);
    assert.deepEqual(result.toolCalls.map((c) => c.id), ["ollama_call_0", "ollama_call_1"]);
    assert.equal(result.finishReason, "tool-calls");
    assert.equal(fake.requests.at(-1)!.body.tools[0].function.name, "get_temperature");
  });

  it("sends tool results with tool_name and echoes assistant tool_calls as objects", async () => {
    fake.push({ text: "22" });
    await collectChat(
      provider().chat({
        messages: [
          { role: "user", content: "x" },
          {
            role: "assistant",
            content: "",
            toolCalls: [{
              id: "ollama_call_0",
              name: "get_temperature",
              arguments: { city: "Riga" },
            }],
          },
          { role: "tool", toolCallId: "ollama_call_0", name: "get_temperature", content: "22°C" },
        ],
      }),
    );
    const msgs = fake.requests.at(-1)!.body.messages;
    assert.deepEqual(msgs[1].tool_calls, [{
      function: { name: "get_temperature", arguments: { city: "Riga" } },
    }]);
    assert.deepEqual(msgs[2], { role: "tool", tool_name: "get_temperature", content: "22°C" });
  });

  it("non-streaming returns the same parts", async () => {
    fake.push({
      text: "hello",
      toolCalls: [{ name: "get_temperature", arguments: { city: "Riga" } }],
    });
    const result = await collectChat(
      provider().chat({ messages: [{ role: "user", content: "x" }], tools, stream: false }),
    );
    assert.equal(fake.requests.at(-1)!.body.stream, false);
    assert.equal(result.text, "hello");
    assert.equal(result.toolCalls.length, 1);
  });

  it("a tool call written as text by a local model is recovered", async () => {
    fake.push({ text: '```json\n{"name": "get_temperature", "arguments": {"city": "Riga"}}\n```' });
    const result = await collectChat(
      provider().chat({ messages: [{ role: "user", content: "x" }], tools }),
    );
    assert.deepEqual(result.toolCalls, [{
      id: "text_call_0",
      name: "get_temperature",
      arguments: { city: "Riga" },
    }]);
    assert.equal(result.finishReason, "tool-calls");
  });

  it("a mid-stream error line (HTTP 200) is an error part; 404 model not found is bad-request", async () => {
    fake.push({ text: "part", streamError: true }, {
      status: 404,
      message: "model 'llama3.2' not found",
    });
    const a = await parts(provider().chat({ messages: [{ role: "user", content: "x" }] }));
    assert.equal(a.at(-1)!.type, "error");
    const b = await parts(provider().chat({ messages: [{ role: "user", content: "x" }] }));
    const error = (b[0] as { error: { kind: string; message: string } }).error;
    assert.equal(error.kind, "bad-request");
    assert.match(error.message, /model 'llama3.2' not found/);
  });

  it("a stream that ends before done:true is a failure", async () => {
    fake.push({ text: "cut", omitEnd: true });
    const out = await parts(provider().chat({ messages: [{ role: "user", content: "x" }] }));
    assert.equal((out.at(-1) as { error: { kind: string } }).error.kind, "stream");
  });

  it("probe() uses /api/tags", async () => {
    assert.equal((await provider().probe!()).ok, true);
  });
});
