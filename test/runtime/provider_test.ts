import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { providerFromConfig } from "../../lib/runtime/provider.ts";
import { collectChat } from "../../lib/providers/collect_chat.ts";
import type { StreamPart } from "../../lib/providers/types.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { startFakeAnthropic } from "../_fakes/anthropic.ts";

const req = { messages: [{ role: "user" as const, content: "hi" }] };
const noSleep = async () => {};

describe("providerFromConfig(): the configured chain", () => {
  let oa: FakeLLMServer;
  let an: FakeLLMServer;
  before(async () => {
    [oa, an] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
  });
  after(async () => {
    await Promise.all([oa.close(), an.close()]);
  });

  it("LLM_PROVIDER=openai answers 500 twice, RELIABLE_PROVIDERS=anthropic answers, with a fallback part", async () => {
    oa.push({ status: 500 }, { status: 500 }, { status: 500 });
    an.push({ text: "anthropic saves the day" });
    const config = await loadConfig({
      env: {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "ok",
        OPENAI_BASE_URL: oa.baseURL,
        MODEL: "gpt-x",
        ANTHROPIC_API_KEY: "ak",
        ANTHROPIC_BASE_URL: an.baseURL,
        RELIABLE_PROVIDERS: "anthropic:claude-y",
        LLM_TIMEOUT_MS: "5000",
      },
    });
    const out: StreamPart[] = [];
    for await (const p of providerFromConfig(config, { sleep: noSleep }).chat(req)) out.push(p);
    const fallback = out.find((p) => p.type === "fallback") as { to: string } | undefined;
    assert.equal(fallback?.to, "anthropic:claude-y");
    assert.equal(
      out.filter((p) => p.type === "text-delta").map((p) => (p as { text: string }).text).join(""),
      "anthropic saves the day",
    );
    assert.equal(oa.requests.at(-1)!.body.model, "gpt-x");
    assert.equal(an.requests.at(-1)!.body.model, "claude-y");
  });

  it("uses LLM_API_KEY and LLM_BASE_URL for the primary; a bad LLM_TIMEOUT_MS is a config error", async () => {
    oa.push({ text: "k" });
    const config = await loadConfig({
      env: { LLM_PROVIDER: "groq", LLM_API_KEY: "generic", LLM_BASE_URL: oa.baseURL },
    });
    await collectChat(providerFromConfig(config, { sleep: noSleep }).chat(req));
    assert.equal(oa.requests.at(-1)!.headers.authorization, "Bearer generic");
    await assert.rejects(loadConfig({ env: { LLM_TIMEOUT_MS: "soon" } }), /LLM_TIMEOUT_MS/);
  });
});
