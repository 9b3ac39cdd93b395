import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createAnthropic } from "../../lib/providers/anthropic.ts";
import { collectChat } from "../../lib/providers/collect_chat.ts";
import type { StreamPart } from "../../lib/providers/types.ts";
import { startFakeAnthropic } from "../_fakes/anthropic.ts";
import type { FakeLLMServer } from "../_fakes/openai.ts";

async function parts(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of stream) out.push(p);
  return out;
}

const tools = [{
  name: "address_list_add",
  description: "Add",
  parameters: { type: "object", properties: {} },
}];

describe("createAnthropic()", () => {
  let fake: FakeLLMServer;
  before(async () => {
    fake = await startFakeAnthropic();
  });
  after(async () => {
    await fake.close();
  });
  const provider = (extra: Record<string, unknown> = {}) =>
    createAnthropic({
      baseURL: fake.baseURL,
      apiKey: "sk-ant-test",
      model: "claude-test",
      ...extra,
    });

  it("streams text then a tool call whose input_json_delta starts with an empty piece", async () => {
    fake.push({
      text: "I'll block it.",
      toolCalls: [{
        id: "toolu_01A",
        name: "address_list_add",
        arguments: { list: "blocked", address: "1.2.3.4" },
      }],
      argChunks: 3,
      usage: { inputTokens: 412, outputTokens: 61 },
    });
    const out = await parts(
      provider().chat({ messages: [{ role: "user", content: "Block 1.2.3.4" }], tools }),
    );
    assert.equal(
      out.filter((p) => p.type === "text-delta").map((p) => (p as { text: string }).text).join(""),
      "I'll block it.",
    );
    const deltas = out.filter((p) => p.type === "tool-call-delta") as { argumentsDelta: string }[];
    assert.equal(deltas[0]!.argumentsDelta, "");
    assert.ok(deltas.length >= 4);
    assert.deepEqual(out.find((p) => p.type === "tool-call"), {
      type: "tool-call",
      toolCall: {
        id: "toolu_01A",
        name: "address_list_add",
        arguments: { list: "blocked", address: "1.2.3.4" },
      },
    });
    assert.deepEqual(out.at(-1), {
      type: "finish",
      reason: "tool-calls",
      usage: { inputTokens: 412, outputTokens: 61 },
    });
  });

  it("sends x-api-key, anthropic-version, top-level system, tool results as user tool_result blocks", async () => {
    fake.push({ text: "ok" });
    await collectChat(
      provider().chat({
        messages: [
          { role: "system", content: "You administer a router." },
          { role: "user", content: "Block" },
          {
            role: "assistant",
            content: "Adding.",
            toolCalls: [{ id: "toolu_1", name: "address_list_add", arguments: { a: 1 } }],
          },
          {
            role: "tool",
            toolCallId: "toolu_1",
            name: "address_list_add",
            content: '{"ok":true}',
            isError: true,
          },
          { role: "user", content: "thanks" },
        ],
        tools,
      }),
    );
    const req = fake.requests.at(-1)!;
    assert.equal(req.path, "/v1/messages");
    assert.equal(req.headers["x-api-key"], "sk-ant-test");
    assert.equal(req.headers["anthropic-version"], "2023-06-01");
    assert.equal(req.headers.authorization, undefined);
    assert.equal(req.body.system, "You administer a router.");
    assert.equal(req.body.max_tokens, 4096);
    assert.deepEqual(req.body.tools[0], {
      name: "address_list_add",
      description: "Add",
      input_schema: { type: "object", properties: {} },
    });
    assert.deepEqual(req.body.messages, [
      { role: "user", content: [{ type: "text", text: "Block" }] },
      {
        role: "assistant",
        content: [{ type: "text", text: "Adding." }, {
          type: "tool_use",
          id: "toolu_1",
          name: "address_list_add",
          input: { a: 1 },
        }],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: '{"ok":true}', is_error: true },
          { type: "text", text: "thanks" },
        ],
      },
    ]);
  });

  it("non-streaming yields the same parts", async () => {
    fake.push({
      text: "Hi",
      toolCalls: [{ id: "toolu_2", name: "address_list_add", arguments: { x: "y" } }],
    });
    const result = await collectChat(
      provider().chat({ messages: [{ role: "user", content: "x" }], tools, stream: false }),
    );
    assert.equal(result.text, "Hi");
    assert.deepEqual(result.toolCalls, [{
      id: "toolu_2",
      name: "address_list_add",
      arguments: { x: "y" },
    }]);
    assert.equal(result.finishReason, "tool-calls");
    assert.equal(fake.requests.at(-1)!.body.stream, undefined);
  });

  it("a mid-stream error event is an error part classified from its type", async () => {
    fake.push({ text: "Partial answer", streamError: true });
    const out = await parts(provider().chat({ messages: [{ role: "user", content: "x" }] }));
    assert.ok(out.some((p) => p.type === "text-delta"));
    const last = out.at(-1) as { type: string; error: { kind: string } };
    assert.equal(last.type, "error");
    assert.equal(last.error.kind, "overloaded");
  });

  it("529 is overloaded (retryable), 402 billing, 401 auth", async () => {
    fake.push({ status: 529 }, { status: 402 }, { status: 401 });
    const kinds = [];
    for (let i = 0; i < 3; i++) {
      const out = await parts(provider().chat({ messages: [{ role: "user", content: "x" }] }));
      kinds.push((out[0] as { error: { kind: string; isRetryable: boolean } }).error);
    }
    assert.deepEqual(kinds.map((e) => e.kind), ["overloaded", "billing", "auth"]);
    assert.equal(kinds[0]!.isRetryable, true);
    assert.equal(kinds[2]!.isRetryable, false);
  });

  it("a stream closed before message_stop is a failure", async () => {
    fake.push({
      text: "cut",
      omitEnd: true,
      finishReason: undefined as unknown as string,
      resetAfterBytes: 400,
    });
    const out = await parts(provider().chat({ messages: [{ role: "user", content: "x" }] }));
    assert.equal(out.at(-1)!.type, "error");
  });

  it("probe() checks the key on /v1/models", async () => {
    assert.equal((await provider().probe!()).ok, true);
    assert.equal((await provider({ apiKey: "bad" }).probe!()).kind, "auth");
  });
});
