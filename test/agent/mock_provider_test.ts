import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createMockProvider } from "../../lib/providers/mock.ts";
import type { ChatRequest, StreamPart } from "../../lib/providers/types.ts";
import { ProviderError } from "../../lib/errors.ts";

async function parts(iterable: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of iterable) out.push(p);
  return out;
}

const request = (content: string): ChatRequest => ({ messages: [{ role: "user", content }] });

describe("createMockProvider()", () => {
  it("answers from the script in order and records snapshots of the requests", async () => {
    const provider = createMockProvider([
      "hello",
      {
        text: ["a", "b"],
        toolCalls: [{ name: "t", arguments: { x: 1 } }],
        usage: { inputTokens: 3 },
      },
    ]);
    assert.equal(provider.remaining, 2);
    const req = request("one");
    assert.deepEqual(await parts(provider.chat(req)), [
      { type: "text-delta", text: "hello" },
      { type: "finish", reason: "stop" },
    ]);
    req.messages.push({ role: "user", content: "mutated later" });
    assert.equal(provider.requests[0]!.messages.length, 1);
    assert.deepEqual(await parts(provider.chat(request("two"))), [
      { type: "text-delta", text: "a" },
      { type: "text-delta", text: "b" },
      { type: "tool-call", toolCall: { id: "call_1_0", name: "t", arguments: { x: 1 } } },
      { type: "finish", reason: "tool-calls", usage: { inputTokens: 3 } },
    ]);
    assert.equal(provider.remaining, 0);
  });

  it("reports a request beyond the script as an error part", async () => {
    const provider = createMockProvider([]);
    const [part] = await parts(provider.chat(request("x")));
    assert.ok(part?.type === "error" && part.error instanceof ProviderError);
    assert.match(part.error.message, /no step 1/);
  });

  it("turns unparsable argument text into argumentsError", async () => {
    const provider = createMockProvider([{
      toolCalls: [{ id: "c", name: "t", arguments: "{nope" }],
    }]);
    const [part] = await parts(provider.chat(request("x")));
    assert.ok(part?.type === "tool-call");
    assert.deepEqual(part.toolCall.arguments, {});
    assert.match(part.toolCall.argumentsError!, /not valid JSON/);
  });

  it("lets a step be a function of the request, and scripts failures", async () => {
    const provider = createMockProvider([
      (req, { index }) => `echo ${req.messages[0]!.content} #${index}`,
      { error: "rate limited", kind: "rate-limit", status: 429 },
    ]);
    assert.deepEqual((await parts(provider.chat(request("hi"))))[0], {
      type: "text-delta",
      text: "echo hi #0",
    });
    const [failure] = await parts(provider.chat(request("x")));
    assert.ok(failure?.type === "error");
    assert.equal(failure.error.kind, "rate-limit");
    assert.equal(failure.error.status, 429);
  });

  it("ends a delayed or hanging step with an aborted error when the signal aborts", async () => {
    const provider = createMockProvider([{ delayMs: 60_000, text: "late" }, { hang: true }]);
    for (let i = 0; i < 2; i++) {
      const controller = new AbortController();
      const pending = parts(provider.chat(request("x"), { signal: controller.signal }));
      controller.abort();
      const out = await pending;
      assert.equal(out.length, 1);
      assert.ok(out[0]?.type === "error" && out[0].error.kind === "aborted");
      assert.equal(provider.calls[i]!.signal, controller.signal);
    }
  });
});
