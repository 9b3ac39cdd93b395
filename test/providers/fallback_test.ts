import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createFallbackProvider, retryDelayMs } from "../../lib/providers/fallback.ts";
import { createOpenAICompatible } from "../../lib/providers/openai_compatible.ts";
import { createAnthropic } from "../../lib/providers/anthropic.ts";
import { collectChat } from "../../lib/providers/collect_chat.ts";
import type { StreamPart } from "../../lib/providers/types.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { waitFor } from "../_utils/wait.ts";
import { startFakeAnthropic } from "../_fakes/anthropic.ts";

async function parts(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of stream) out.push(p);
  return out;
}

function recorder() {
  const sleeps: number[] = [];
  const logs: string[] = [];
  return {
    sleeps,
    logs,
    sleep: async (ms: number) => void sleeps.push(ms),
    logger: { debug() {}, info() {}, warn: (m: unknown) => void logs.push(String(m)), error() {} },
  };
}

const req = { messages: [{ role: "user" as const, content: "hi" }] };

describe("createFallbackProvider()", () => {
  let oa: FakeLLMServer;
  let an: FakeLLMServer;
  before(async () => {
    oa = await startFakeOpenAI();
    an = await startFakeAnthropic();
  });
  after(async () => {
    await oa.close();
    await an.close();
  });
  const openai = (extra: Record<string, unknown> = {}) =>
    createOpenAICompatible({
      name: "openai",
      baseURL: oa.baseURL,
      apiKey: "sk-o",
      model: "gpt-test",
      ...extra,
    });
  const anthropic = () =>
    createAnthropic({ baseURL: an.baseURL, apiKey: "sk-a", model: "claude-test" });
  const counts = () => ({ oa: oa.chatRequests().length, an: an.chatRequests().length });

  it("openai answers 500 twice, anthropic answers: caller gets its text and a fallback part", async () => {
    const r = recorder();
    const c0 = counts();
    oa.push({ status: 500 }, { status: 500 });
    an.push({ text: "Hello from Claude" });
    const chain = createFallbackProvider([{ provider: openai() }, { provider: anthropic() }], {
      maxRetries: 1,
      sleep: r.sleep,
      logger: r.logger,
    });
    const out = await parts(chain.chat(req));
    const fb = out.find((p) => p.type === "fallback") as {
      from: string;
      to: string;
      reason: string;
    };
    assert.equal(fb.from, "openai:gpt-test");
    assert.equal(fb.to, "anthropic:claude-test");
    assert.match(fb.reason, /^server: /);
    assert.equal(
      out.filter((p) => p.type === "text-delta").map((p) => (p as { text: string }).text).join(""),
      "Hello from Claude",
    );
    assert.equal(out.at(-1)!.type, "finish");
    assert.deepEqual(counts(), { oa: c0.oa + 2, an: c0.an + 1 });
    assert.equal(r.sleeps.length, 1);
    assert.ok(r.sleeps[0]! >= 375 && r.sleeps[0]! <= 500, `backoff ${r.sleeps[0]}`);
    assert.ok(
      r.logs.some((l) => /Falling back from openai:gpt-test to anthropic:claude-test/.test(l)),
    );
    // the fallback entry gets its own model, never the primary's
    assert.equal(an.chatRequests().at(-1)!.body.model, "claude-test");
  });

  it("429 with retry-after is honoured, then the same provider answers", async () => {
    const r = recorder();
    oa.push({ status: 429, headers: { "retry-after": "3" } }, { text: "ok" });
    const chain = createFallbackProvider([{ provider: openai() }], { sleep: r.sleep });
    const result = await collectChat(chain.chat(req));
    assert.equal(result.text, "ok");
    assert.deepEqual(r.sleeps, [3000]);
  });

  it("retry-after-ms wins over retry-after; a retry-after above 60 s falls back to backoff", async () => {
    const r = recorder();
    oa.push(
      { status: 503, headers: { "retry-after-ms": "250.5", "retry-after": "9" } },
      { status: 429, headers: { "retry-after": "120" } },
      { text: "ok" },
    );
    const chain = createFallbackProvider([{ provider: openai() }], {
      sleep: r.sleep,
      random: () => 0,
    });
    await collectChat(chain.chat(req));
    assert.deepEqual(r.sleeps, [250.5, 1000]);
  });

  it("401 is never retried; it fails over when another entry exists", async () => {
    const r = recorder();
    const c0 = counts();
    oa.push({ status: 401 });
    an.push({ text: "fine" });
    const chain = createFallbackProvider([{ provider: openai() }, { provider: anthropic() }], {
      sleep: r.sleep,
    });
    const result = await collectChat(chain.chat(req));
    assert.equal(result.text, "fine");
    assert.deepEqual(counts(), { oa: c0.oa + 1, an: c0.an + 1 });
    assert.deepEqual(r.sleeps, []);
  });

  it("401 with failoverOnAuth: false stops at the first entry", async () => {
    const c0 = counts();
    oa.push({ status: 401 });
    const chain = createFallbackProvider([{ provider: openai() }, { provider: anthropic() }], {
      failoverOnAuth: false,
    });
    await assert.rejects(collectChat(chain.chat(req)), (e: { kind: string }) => e.kind === "auth");
    assert.deepEqual(counts(), { oa: c0.oa + 1, an: c0.an });
  });

  it("anthropic 529 is retried twice, then the chain falls back to openai", async () => {
    const r = recorder();
    const c0 = counts();
    an.push({ status: 529 }, { status: 529 }, { status: 529 });
    oa.push({ text: "from openai" });
    const chain = createFallbackProvider([{ provider: anthropic() }, { provider: openai() }], {
      sleep: r.sleep,
    });
    const out = await parts(chain.chat(req));
    assert.equal(
      (out.find((p) => p.type === "fallback") as { reason: string }).reason.startsWith(
        "overloaded",
      ),
      true,
    );
    assert.deepEqual(counts(), { oa: c0.oa + 1, an: c0.an + 3 });
    assert.equal(r.sleeps.length, 2);
  });

  it("never switches after the first streamed text: a mid-stream failure is the caller's error", async () => {
    const c0 = counts();
    oa.push({ text: "Half an ans", streamError: true });
    const chain = createFallbackProvider([{ provider: openai() }, { provider: anthropic() }], {
      sleep: async () => {},
    });
    const out = await parts(chain.chat(req));
    assert.equal(out.some((p) => p.type === "fallback"), false);
    assert.equal(out.at(-1)!.type, "error");
    assert.deepEqual(counts(), { oa: c0.oa + 1, an: c0.an });
  });

  it("a connection reset before any byte is retried", async () => {
    oa.push({ resetAfterBytes: 0 }, { text: "second try" });
    const chain = createFallbackProvider([{ provider: openai() }], { sleep: async () => {} });
    assert.equal((await collectChat(chain.chat(req))).text, "second try");
  });

  it("a hanging server spends the time budget, then the next entry answers", async () => {
    oa.push({ hang: true });
    an.push({ text: "rescued" });
    // The budget is per entry and a real timer: long enough for the next entry's answer to
    // arrive inside its own budget on a busy machine.
    const chain = createFallbackProvider([{ provider: openai() }, { provider: anthropic() }], {
      timeoutMs: 1000,
      sleep: async () => {},
    });
    const out = await parts(chain.chat(req));
    assert.match((out.find((p) => p.type === "fallback") as { reason: string }).reason, /^timeout/);
    assert.equal(out.at(-1)!.type, "finish");
  });

  it("bad-request is neither retried nor failed over", async () => {
    const c0 = counts();
    oa.push({ status: 400, message: "Invalid schema for function" });
    const chain = createFallbackProvider([{ provider: openai() }, { provider: anthropic() }], {
      sleep: async () => {},
    });
    await assert.rejects(
      collectChat(chain.chat(req)),
      (e: { kind: string }) => e.kind === "bad-request",
    );
    assert.deepEqual(counts(), { oa: c0.oa + 1, an: c0.an });
  });

  it("cools down only the failing provider+model, and retries it once the cooldown passed", async () => {
    let clock = 1_000_000;
    const c0 = counts();
    const chain = createFallbackProvider(
      [{ provider: openai(), model: "gpt-a" }, { provider: anthropic() }],
      { maxRetries: 0, cooldownMs: 10_000, now: () => clock, sleep: async () => {} },
    );
    oa.push({ status: 500 });
    an.push({ text: "one" }, { text: "two" });
    await collectChat(chain.chat(req));
    const second = await parts(chain.chat(req)); // openai:gpt-a cooling: skipped
    assert.deepEqual(second[0], {
      type: "fallback",
      from: "openai:gpt-a",
      to: "anthropic:claude-test",
      reason: "cooldown",
    });
    assert.deepEqual(counts(), { oa: c0.oa + 1, an: c0.an + 2 });
    clock += 10_001;
    oa.push({ text: "back" });
    assert.equal((await collectChat(chain.chat(req))).text, "back");
    assert.equal(oa.chatRequests().at(-1)!.body.model, "gpt-a");
  });

  it("the caller's abort is not retried or failed over", async () => {
    const c0 = counts();
    oa.push({ hang: true });
    const controller = new AbortController();
    // Abort once the request hangs at the fake: mid-call, not before it was sent.
    const asked = oa.requests.length;
    const abort = () => controller.abort();
    void waitFor(() => oa.requests.length > asked).then(abort, abort);
    const chain = createFallbackProvider([{ provider: openai() }, { provider: anthropic() }], {
      sleep: async () => {},
    });
    const out = await parts(chain.chat(req, { signal: controller.signal }));
    assert.equal((out.at(-1) as { error: { kind: string } }).error.kind, "aborted");
    assert.deepEqual(counts(), { oa: c0.oa + 1, an: c0.an });
  });

  it("retryDelayMs() follows the SDK policy: 0.5 s * 2^n, cap 8 s, up to 25 % jitter", () => {
    assert.equal(retryDelayMs(0, undefined, () => 0), 500);
    assert.equal(retryDelayMs(1, undefined, () => 0), 1000);
    assert.equal(retryDelayMs(10, undefined, () => 0), 8000);
    assert.equal(retryDelayMs(10, undefined, () => 0.9999), 8000 * (1 - 0.9999 * 0.25));
    assert.equal(retryDelayMs(0, 1234), 1234);
    assert.equal(retryDelayMs(0, -5, () => 0), 500);
    assert.equal(retryDelayMs(0, 61_000, () => 0), 500);
  });

  it("rejects an empty chain", () => {
    assert.throws(() => createFallbackProvider([]), TypeError);
  });
});
