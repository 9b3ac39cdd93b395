import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createGemini } from "../../lib/providers/gemini.ts";
import { collectChat } from "../../lib/providers/collect_chat.ts";
import type { StreamPart } from "../../lib/providers/types.ts";
import { createFallbackProvider } from "../../lib/providers/fallback.ts";
import { geminiRateLimitBody, startFakeGemini } from "../_fakes/gemini.ts";
import type { FakeLLMServer } from "../_fakes/openai.ts";

async function parts(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of stream) out.push(p);
  return out;
}

const tools = [{
  name: "address_list_add",
  description: "Add",
  parameters: {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: { address: { type: "string" } },
  },
}];

describe("createGemini()", () => {
  let fake: FakeLLMServer;
  before(async () => {
    fake = await startFakeGemini();
  });
  after(async () => {
    await fake.close();
  });
  const provider = (extra: Record<string, unknown> = {}) =>
    createGemini({ baseURL: fake.baseURL, apiKey: "g-key", model: "gemini-test", ...extra });

  it("streams text over alt=sse with the key in x-goog-api-key", async () => {
    fake.push({ text: "Router is fine." });
    const result = await collectChat(
      provider().chat({
        messages: [{ role: "system", content: "sys" }, { role: "user", content: "hi" }],
      }),
    );
    assert.equal(result.text, "Router is fine.");
    assert.equal(result.finishReason, "stop");
    assert.deepEqual(result.usage, { inputTokens: 20, outputTokens: 4 });
    const req = fake.requests.at(-1)!;
    assert.equal(req.path, "/v1beta/models/gemini-test:streamGenerateContent?alt=sse");
    assert.equal(req.headers["x-goog-api-key"], "g-key");
    assert.equal(req.path.includes("key="), false);
    assert.deepEqual(req.body.systemInstruction, { parts: [{ text: "sys" }] });
    assert.deepEqual(req.body.contents, [{ role: "user", parts: [{ text: "hi" }] }]);
  });

  it("function calls come back as tool calls; thoughtSignature and id are echoed on the next turn", async () => {
    fake.push({
      toolCalls: [{ id: "fc_1", name: "address_list_add", arguments: { address: "1.2.3.4" } }],
    }, { text: "Done" });
    const first = await collectChat(
      provider().chat({ messages: [{ role: "user", content: "block" }], tools }),
    );
    assert.equal(first.finishReason, "tool-calls");
    const call = first.toolCalls[0]!;
    assert.equal(call.name, "address_list_add");
    assert.deepEqual(call.arguments, { address: "1.2.3.4" });
    const decl = fake.requests.at(-1)!.body.tools[0].functionDeclarations[0];
    assert.equal(decl.name, "address_list_add");
    assert.equal(decl.parametersJsonSchema.$schema, undefined);
    await collectChat(
      provider().chat({
        messages: [
          { role: "user", content: "block" },
          { role: "assistant", content: "", toolCalls: [call] },
          { role: "tool", toolCallId: call.id, name: call.name, content: '{"ok":true}' },
        ],
      }),
    );
    const contents = fake.requests.at(-1)!.body.contents;
    assert.deepEqual(contents[1], {
      role: "model",
      parts: [{
        functionCall: { name: "address_list_add", args: { address: "1.2.3.4" }, id: "fc_1" },
        thoughtSignature: "sig-fc_1",
      }],
    });
    assert.deepEqual(contents[2], {
      role: "user",
      parts: [{ functionResponse: { name: "address_list_add", response: { ok: true } } }],
    });
  });

  it("non-streaming uses generateContent", async () => {
    fake.push({ text: "Hi", toolCalls: [{ name: "address_list_add", arguments: {} }] });
    const result = await collectChat(
      provider().chat({ messages: [{ role: "user", content: "x" }], tools, stream: false }),
    );
    assert.equal(fake.requests.at(-1)!.path, "/v1beta/models/gemini-test:generateContent");
    assert.equal(result.text, "Hi");
    assert.equal(result.toolCalls[0]!.id, "gemini_call_0");
  });

  it("400 'API key not valid' is auth; 429 RESOURCE_EXHAUSTED rate-limit; 503 overloaded", async () => {
    fake.push(
      { status: 400, message: "API key not valid. Please pass a valid API key." },
      { status: 429 },
      { status: 503, message: "The model is overloaded" },
    );
    const kinds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await parts(provider().chat({ messages: [{ role: "user", content: "x" }] }));
      kinds.push((out[0] as { error: { kind: string } }).error.kind);
    }
    assert.deepEqual(kinds, ["auth", "rate-limit", "overloaded"]);
  });

  it("a 429's RetryInfo.retryDelay in the body is honoured like Retry-After", async () => {
    const sleeps: number[] = [];
    fake.push({ status: 429, body: geminiRateLimitBody("1.5s") }, { text: "after the wait" });
    const chain = createFallbackProvider([{ provider: provider() }], {
      sleep: async (ms) => void sleeps.push(ms),
    });
    const result = await collectChat(chain.chat({ messages: [{ role: "user", content: "x" }] }));
    assert.equal(result.text, "after the wait");
    assert.deepEqual(sleeps, [1500]);
    const out = await parts(
      (fake.push({ status: 429, body: geminiRateLimitBody("34.4s") }), provider()).chat({
        messages: [{ role: "user", content: "x" }],
      }),
    );
    assert.equal((out[0] as { error: { retryAfterMs?: number } }).error.retryAfterMs, 34_400);
  });

  it("a retryDelay beyond the call's time budget falls back at once instead of waiting", async () => {
    const sleeps: number[] = [];
    fake.push({ status: 429, body: geminiRateLimitBody("34.4s") }, { text: "from the fallback" });
    const chain = createFallbackProvider([
      { provider: provider() },
      { provider: provider({ model: "gemini-other" }) },
    ], { sleep: async (ms) => void sleeps.push(ms), timeoutMs: 10_000 });
    const out = await parts(chain.chat({ messages: [{ role: "user", content: "x" }] }));
    assert.ok(out.some((p) => p.type === "fallback"), JSON.stringify(out));
    assert.deepEqual(sleeps, []);
    assert.equal(
      fake.requests.at(-1)!.path,
      "/v1beta/models/gemini-other:streamGenerateContent?alt=sse",
    );
  });

  it("an error event inside the stream is an error part", async () => {
    fake.push({ text: "part", streamError: true });
    const out = await parts(provider().chat({ messages: [{ role: "user", content: "x" }] }));
    assert.equal((out.at(-1) as { error: { kind: string } }).error.kind, "overloaded");
  });

  it("probe() uses the model list", async () => {
    assert.equal((await provider().probe!()).ok, true);
    assert.equal((await provider({ apiKey: "bad" }).probe!()).kind, "auth");
  });
});
