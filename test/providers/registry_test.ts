import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  createProvider,
  findProvider,
  parseProviderChain,
  PROVIDERS,
} from "../../lib/providers/registry.ts";
import { collectChat } from "../../lib/providers/collect_chat.ts";
import type { StreamPart } from "../../lib/providers/types.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { startFakeAnthropic } from "../_fakes/anthropic.ts";
import { startFakeGemini } from "../_fakes/gemini.ts";
import { startFakeOllama } from "../_fakes/ollama.ts";

async function parts(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of stream) out.push(p);
  return out;
}

const req = { messages: [{ role: "user" as const, content: "hi" }] };

describe("PROVIDERS / createProvider()", () => {
  let oa: FakeLLMServer;
  let an: FakeLLMServer;
  let ge: FakeLLMServer;
  let ol: FakeLLMServer;
  before(async () => {
    [oa, an, ge, ol] = await Promise.all([
      startFakeOpenAI(),
      startFakeAnthropic(),
      startFakeGemini(),
      startFakeOllama(),
    ]);
  });
  after(async () => {
    await Promise.all([oa.close(), an.close(), ge.close(), ol.close()]);
  });

  it("names every provider of CONTRACT §3 with its key variables and SDK-form base URL", () => {
    assert.deepEqual(PROVIDERS.map((p) => p.name), [
      "openrouter",
      "openai",
      "anthropic",
      "gemini",
      "ollama",
      "groq",
      "mistral",
      "xai",
      "deepseek",
      "together",
      "fireworks",
      "perplexity",
      "cohere",
      "moonshot",
      "custom",
    ]);
    assert.deepEqual(findProvider("openrouter")!.keyEnv, ["OPENROUTER_KEY", "OPENROUTER_API_KEY"]);
    assert.equal(findProvider("anthropic")!.defaultBaseUrl, "https://api.anthropic.com");
    assert.equal(findProvider("openai")!.defaultBaseUrl, "https://api.openai.com/v1");
    assert.equal(findProvider("ollama")!.defaultBaseUrl, "http://localhost:11434");
    assert.equal(findProvider("cohere")!.defaultBaseUrl, "https://api.cohere.ai/compatibility/v1");
    assert.equal(findProvider("custom")!.baseUrlEnv, "LLM_BASE_URL");
    for (const p of PROVIDERS) {
      if (p.name !== "custom") {
        assert.ok(p.defaultModel, p.name);
        assert.equal(p.baseUrlEnv, `${p.name.toUpperCase()}_BASE_URL`);
        assert.match(p.defaultBaseUrl, /^https?:\/\//);
      }
      assert.ok(p.keyEnv.length >= 1);
    }
  });

  it("every OpenAI-compatible provider sends its own key from env to <NAME>_BASE_URL", async () => {
    for (const p of PROVIDERS.filter((x) => x.family === "openai-compatible")) {
      oa.push({ text: `hi from ${p.name}` });
      const env = { [p.keyEnv[0]!]: `key-${p.name}`, [p.baseUrlEnv]: oa.baseURL };
      const result = await collectChat(createProvider(p.name, { env, model: "m" }).chat(req));
      assert.equal(result.text, `hi from ${p.name}`);
      const r = oa.requests.at(-1)!;
      assert.equal(r.headers.authorization, `Bearer key-${p.name}`, p.name);
    }
  });

  it("openrouter sends HTTP-Referer and X-Title; OPENROUTER_API_KEY works too", async () => {
    oa.push({ text: "x" });
    await collectChat(
      createProvider("openrouter", {
        env: { OPENROUTER_API_KEY: "or-k", OPENROUTER_BASE_URL: oa.baseURL },
      }).chat(req),
    );
    const r = oa.requests.at(-1)!;
    assert.equal(r.headers.authorization, "Bearer or-k");
    assert.ok(r.headers["http-referer"]);
    assert.equal(r.headers["x-title"], "MikroClaw");
    assert.equal(r.body.model, "openai/gpt-4o-mini");
  });

  it("anthropic, gemini and ollama are built with their own families", async () => {
    an.push({ text: "a" });
    ge.push({ text: "g" });
    ol.push({ text: "o" });
    const a = await collectChat(
      createProvider("anthropic", {
        env: { ANTHROPIC_API_KEY: "ak", ANTHROPIC_BASE_URL: an.baseURL },
      }).chat(req),
    );
    const g = await collectChat(
      createProvider("gemini", { env: { GEMINI_API_KEY: "gk", GEMINI_BASE_URL: ge.baseURL } }).chat(
        req,
      ),
    );
    const o = await collectChat(
      createProvider("ollama", { env: { OLLAMA_BASE_URL: ol.baseURL } }).chat(req),
    );
    assert.deepEqual([a.text, g.text, o.text], ["a", "g", "o"]);
    assert.equal(an.requests.at(-1)!.headers["x-api-key"], "ak");
    assert.equal(ge.requests.at(-1)!.headers["x-goog-api-key"], "gk");
    assert.equal(ol.requests.at(-1)!.body.model, "qwen3");
  });

  it("a missing key is an auth error before anything is sent; keys are read at request time", async () => {
    const env: Record<string, string> = { OPENAI_BASE_URL: oa.baseURL };
    const provider = createProvider("openai", { env });
    const before = oa.requests.length;
    const out = await parts(provider.chat(req));
    const error = (out[0] as { error: { kind: string; message: string } }).error;
    assert.equal(error.kind, "auth");
    assert.match(error.message, /OPENAI_API_KEY/);
    assert.equal(oa.requests.length, before);
    const probe = await provider.probe!();
    assert.equal(probe.ok, false);
    env.OPENAI_API_KEY = "late-key";
    oa.push({ text: "now" });
    assert.equal((await collectChat(provider.chat(req))).text, "now");
    assert.equal(oa.requests.at(-1)!.headers.authorization, "Bearer late-key");
  });

  it("rejects unknown names and an unconfigured custom provider", () => {
    assert.throws(() => createProvider("nope"), /unknown name/);
    assert.throws(() => createProvider("custom", { env: {} }), /LLM_BASE_URL/);
    assert.throws(
      () => createProvider("custom", { env: { LLM_BASE_URL: "http://x/v1" } }),
      /MODEL/,
    );
  });

  it("parseProviderChain() reads provider and provider:model (models may contain : and /)", () => {
    assert.deepEqual(
      parseProviderChain(" anthropic, groq:llama-3.1-8b-instant ,openrouter:meta/llama:free,"),
      [
        { provider: "anthropic" },
        { provider: "groq", model: "llama-3.1-8b-instant" },
        { provider: "openrouter", model: "meta/llama:free" },
      ],
    );
    assert.deepEqual(parseProviderChain(""), []);
    assert.throws(() => parseProviderChain("openai,bogus"), /unknown provider "bogus"/);
  });
});
