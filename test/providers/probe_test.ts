import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { probeProvider } from "../../lib/providers/probe.ts";
import { createOpenAICompatible } from "../../lib/providers/openai_compatible.ts";
import { createProvider } from "../../lib/providers/registry.ts";
import type { Provider } from "../../lib/providers/types.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { serveLocal } from "../_utils/serve.ts";

describe("probeProvider()", () => {
  let fake: FakeLLMServer;
  before(async () => {
    fake = await startFakeOpenAI();
  });
  after(async () => {
    await fake.close();
  });

  it("ok when the model list answers", async () => {
    const result = await probeProvider(
      createOpenAICompatible({ baseURL: fake.baseURL, apiKey: "k" }),
    );
    assert.equal(result.ok, true);
  });

  it("auth when the key is refused, with a hint", async () => {
    const result = await probeProvider(
      createOpenAICompatible({ baseURL: fake.baseURL, apiKey: "bad" }),
    );
    assert.equal(result.ok, false);
    assert.equal(result.kind, "auth");
    assert.match(result.detail, /API key/);
  });

  it("network when nothing listens, distinct from auth", async () => {
    const closed = await serveLocal(() => new Response("x"));
    const url = closed.url;
    await closed.close();
    const result = await probeProvider(
      createOpenAICompatible({ baseURL: `${url}/v1`, apiKey: "k", timeoutMs: 2000 }),
    );
    assert.equal(result.ok, false);
    assert.equal(result.kind, "network");
    assert.match(result.detail, /base URL/);
  });

  it("a missing key is reported without a request", async () => {
    const result = await probeProvider(
      createProvider("groq", { env: { GROQ_BASE_URL: fake.baseURL } }),
    );
    assert.equal(result.kind, "auth");
    assert.match(result.detail, /GROQ_API_KEY/);
  });

  it("falls back to a 1-token chat request when there is no model list", async () => {
    const noModels = await serveLocal(async (request) => {
      const url = new URL(request.url);
      if (url.pathname.endsWith("/models")) return new Response("not found", { status: 404 });
      const body = await request.json();
      assert.equal(body.max_tokens, 1);
      return Response.json({
        choices: [{
          index: 0,
          message: { role: "assistant", content: "p" },
          finish_reason: "length",
        }],
      });
    });
    try {
      const result = await probeProvider(
        createOpenAICompatible({ baseURL: `${noModels.url}/v1`, apiKey: "k" }),
      );
      assert.equal(result.ok, true);
      assert.match(result.detail, /1-token/);
    } finally {
      await noModels.close();
    }
  });

  it("works for a provider without probe() and never throws", async () => {
    const broken: Provider = {
      id: "weird",
      model: "m",
      // deno-lint-ignore require-yield
      async *chat() {
        throw new Error("boom");
      },
    };
    const result = await probeProvider(broken);
    assert.equal(result.ok, false);
    assert.match(result.detail, /boom/);
  });
});
