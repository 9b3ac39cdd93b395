import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createOpenAICompatible } from "../../lib/providers/openai_compatible.ts";
import { collectChat } from "../../lib/providers/collect_chat.ts";
import type { ChatRequest, StreamPart } from "../../lib/providers/types.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { waitFor } from "../_utils/wait.ts";

async function parts(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of stream) out.push(p);
  return out;
}

const tools = [
  {
    name: "address_list_add",
    description: "Add",
    parameters: { type: "object", properties: { list: { type: "string" } } },
  },
  { name: "clock", description: "Time", parameters: { type: "object", properties: {} } },
];

const base: ChatRequest = {
  messages: [{ role: "system", content: "sys" }, { role: "user", content: "hi" }],
};

describe("createOpenAICompatible()", () => {
  let fake: FakeLLMServer;
  before(async () => {
    fake = await startFakeOpenAI();
  });
  after(async () => {
    await fake.close();
  });
  const provider = (extra: Record<string, unknown> = {}) =>
    createOpenAICompatible({
      name: "openai",
      baseURL: fake.baseURL,
      apiKey: "sk-test",
      model: "gpt-test",
      ...extra,
    });

  it("streams text with OpenRouter comments and CRLF, usage from the empty-choices chunk", async () => {
    fake.push({
      text: "Hello there, router!",
      comments: true,
      crlf: true,
      usage: { inputTokens: 82, outputTokens: 18 },
    });
    const out = await parts(provider().chat(base));
    const text = out.filter((p) => p.type === "text-delta").map((p) => (p as { text: string }).text)
      .join("");
    assert.equal(text, "Hello there, router!");
    assert.deepEqual(out.at(-1), {
      type: "finish",
      reason: "stop",
      usage: { inputTokens: 82, outputTokens: 18 },
    });
    const req = fake.requests.at(-1)!;
    assert.equal(req.headers.authorization, "Bearer sk-test");
    assert.equal(req.body.model, "gpt-test");
    assert.equal(req.body.stream, true);
    assert.deepEqual(req.body.stream_options, { include_usage: true });
    assert.deepEqual(req.body.messages, [{ role: "system", content: "sys" }, {
      role: "user",
      content: "hi",
    }]);
  });

  it("re-assembles tool-call arguments split over 3+ chunks, parallel calls by index, interleaved", async () => {
    fake.push({
      toolCalls: [
        {
          id: "call_A",
          name: "address_list_add",
          arguments: { list: "blocked", address: "1.2.3.4" },
        },
        { id: "call_B", name: "clock", arguments: { tz: "Europe/Riga" } },
      ],
      argChunks: 4,
      interleave: true,
    });
    const out = await parts(provider().chat({ ...base, tools }));
    const deltas = out.filter((p) => p.type === "tool-call-delta");
    assert.ok(deltas.length >= 8, `expected many deltas, got ${deltas.length}`);
    const calls = out.filter((p) => p.type === "tool-call").map((p) =>
      (p as { toolCall: unknown }).toolCall
    );
    assert.deepEqual(calls, [
      {
        id: "call_A",
        name: "address_list_add",
        arguments: { list: "blocked", address: "1.2.3.4" },
      },
      { id: "call_B", name: "clock", arguments: { tz: "Europe/Riga" } },
    ]);
    assert.equal((out.at(-1) as { reason: string }).reason, "tool-calls");
    const req = fake.requests.at(-1)!;
    assert.equal(req.body.tools[0].type, "function");
    assert.equal(req.body.tools[0].function.name, "address_list_add");
  });

  it("sends assistant tool calls and tool results in OpenAI form", async () => {
    fake.push({ text: "done" });
    await collectChat(
      provider().chat({
        messages: [
          { role: "user", content: "block" },
          {
            role: "assistant",
            content: "",
            toolCalls: [{ id: "call_1", name: "clock", arguments: { a: 1 } }],
          },
          { role: "tool", toolCallId: "call_1", name: "clock", content: "12:00" },
        ],
      }),
    );
    const msgs = fake.requests.at(-1)!.body.messages;
    assert.deepEqual(msgs[1], {
      role: "assistant",
      content: null,
      tool_calls: [{
        id: "call_1",
        type: "function",
        function: { name: "clock", arguments: '{"a":1}' },
      }],
    });
    assert.deepEqual(msgs[2], { role: "tool", tool_call_id: "call_1", content: "12:00" });
  });

  it("non-streaming yields the same parts from one JSON response", async () => {
    fake.push({ text: "Hi", toolCalls: [{ id: "c1", name: "clock", arguments: {} }] });
    const result = await collectChat(
      provider().chat({ ...base, tools, stream: false, maxTokens: 50 }),
    );
    assert.equal(result.text, "Hi");
    assert.deepEqual(result.toolCalls, [{ id: "c1", name: "clock", arguments: {} }]);
    assert.equal(result.finishReason, "tool-calls");
    assert.deepEqual(result.usage, { inputTokens: 10, outputTokens: 5 });
    const req = fake.requests.at(-1)!;
    assert.equal(req.body.stream, undefined);
    assert.equal(req.body.max_tokens, 50);
  });

  it("malformed tool-call JSON becomes a tool-call with argumentsError, not a crash", async () => {
    fake.push({ toolCalls: [{ id: "c1", name: "clock", arguments: '{"tz": "UTC"' }] });
    const result = await collectChat(provider().chat({ ...base, tools }));
    assert.equal(result.toolCalls.length, 1);
    assert.deepEqual(result.toolCalls[0]!.arguments, {});
    assert.match(result.toolCalls[0]!.argumentsError!, /Cannot parse arguments of tool "clock"/);
  });

  it("a tool call written as text is recovered when it names an offered tool", async () => {
    fake.push({ text: '<tool_call>{"name": "clock", "arguments": {"tz": "UTC"}}</tool_call>' });
    const out = await parts(provider().chat({ ...base, tools }));
    const call = out.find((p) => p.type === "tool-call");
    assert.deepEqual(call, {
      type: "tool-call",
      toolCall: { id: "text_call_0", name: "clock", arguments: { tz: "UTC" } },
      fromText: true,
    });
    assert.equal((out.at(-1) as { reason: string }).reason, "tool-calls");
  });

  it("an in-stream error event (HTTP 200) is an error part", async () => {
    fake.push({ text: "partial", streamError: true });
    const out = await parts(provider().chat(base));
    const last = out.at(-1)!;
    assert.equal(last.type, "error");
    assert.equal((last as { error: { kind: string } }).error.kind, "server");
    assert.ok(out.some((p) => p.type === "text-delta"));
  });

  it("a stream that ends without [DONE] or a finish reason is a failure, never a complete answer", async () => {
    fake.push({ raw: ['data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n'] });
    const out = await parts(provider().chat(base));
    assert.equal(out.at(-1)!.type, "error");
    assert.equal((out.at(-1) as { error: { kind: string } }).error.kind, "stream");
  });

  it("401 is classified auth, one request only", async () => {
    const before = fake.requests.length;
    fake.push({ status: 401, message: "Incorrect API key provided" });
    const out = await parts(provider().chat(base));
    assert.equal(out.length, 1);
    const error = (out[0] as { error: { kind: string; status: number; message: string } }).error;
    assert.equal(error.kind, "auth");
    assert.equal(error.status, 401);
    assert.match(error.message, /Incorrect API key/);
    assert.equal(fake.requests.length, before + 1);
  });

  it("429 insufficient_quota is billing; 429 with retry-after carries retryAfterMs", async () => {
    fake.push(
      {
        status: 429,
        body: {
          error: {
            message: "You exceeded your current quota",
            type: "insufficient_quota",
            code: "insufficient_quota",
          },
        },
      },
      { status: 429, headers: { "retry-after": "2" } },
    );
    const a = await parts(provider().chat(base));
    const b = await parts(provider().chat(base));
    assert.equal((a[0] as { error: { kind: string } }).error.kind, "billing");
    const eb = (b[0] as { error: { kind: string; retryAfterMs: number } }).error;
    assert.equal(eb.kind, "rate-limit");
    assert.equal(eb.retryAfterMs, 2000);
  });

  it("a connection reset mid-stream is a network error part after the text", async () => {
    fake.push({ text: "Hello world", resetAfterBytes: 200 });
    const out = await parts(provider().chat(base));
    const last = out.at(-1) as { type: string; error?: { kind: string } };
    assert.equal(last.type, "error");
    assert.ok(["network", "stream"].includes(last.error!.kind), last.error!.kind);
  });

  it("a hanging server hits the timeout", async () => {
    fake.push({ hang: true });
    const out = await parts(provider({ timeoutMs: 150 }).chat(base));
    assert.equal(out.length, 1);
    assert.equal((out[0] as { error: { kind: string } }).error.kind, "timeout");
  });

  it("a server that stalls mid-stream hits the timeout", async () => {
    fake.push({ text: "Hello world, long answer", stallAfterBytes: 150 });
    const out = await parts(provider({ timeoutMs: 200 }).chat(base));
    assert.equal((out.at(-1) as { error: { kind: string } }).error.kind, "timeout");
  });

  it("the caller's abort signal ends the call as aborted", async () => {
    fake.push({ hang: true });
    const controller = new AbortController();
    // Abort once the request hangs at the fake: mid-call, not before it was sent.
    const asked = fake.requests.length;
    const abort = () => controller.abort();
    void waitFor(() => fake.requests.length > asked).then(abort, abort);
    const out = await parts(provider().chat(base, { signal: controller.signal }));
    assert.equal((out[0] as { error: { kind: string } }).error.kind, "aborted");
  });

  it("fails closed when a header or the body still contains ENCRYPTED:", async () => {
    const before = fake.requests.length;
    const a = await parts(provider({ apiKey: "ENCRYPTED:v2:abcd" }).chat(base));
    const ea = (a[0] as { error: { kind: string; message: string } }).error;
    assert.equal(ea.kind, "bad-request");
    assert.match(ea.message, /header "authorization"/);
    assert.doesNotMatch(ea.message, /abcd/);
    const b = await parts(
      provider().chat({ messages: [{ role: "user", content: "key ENCRYPTED:v1:zz" }] }),
    );
    assert.match((b[0] as { error: { message: string } }).error.message, /body/);
    const c = await parts(provider({ headers: { "x-extra": "ENCRYPTED:v2:q" } }).chat(base));
    assert.match((c[0] as { error: { message: string } }).error.message, /header "x-extra"/);
    assert.equal(fake.requests.length, before);
  });

  it("collectChat throws the classified ProviderError", async () => {
    fake.push({ status: 503 });
    await assert.rejects(
      collectChat(provider().chat(base)),
      (e: { kind: string; name: string }) => {
        assert.equal(e.name, "ProviderError");
        assert.equal(e.kind, "overloaded");
        return true;
      },
    );
  });

  it("probe() lists models and tells a bad key apart", async () => {
    assert.equal((await provider().probe!()).ok, true);
    const bad = await provider({ apiKey: "bad" }).probe!();
    assert.equal(bad.ok, false);
    assert.equal(bad.kind, "auth");
  });

  it("rejects bad arguments with TypeError", () => {
    assert.throws(() => createOpenAICompatible({ baseURL: "" }), TypeError);
  });
});
