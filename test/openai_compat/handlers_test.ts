import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { createOpenAICompatHandlers, openAIError } from "../../lib/openai_compat/handlers.ts";
import { createAgent } from "../../lib/agent/create_agent.ts";
import { createMockProvider } from "../../lib/providers/mock.ts";
import type { MockStep } from "../../lib/providers/mock.ts";
import { parseUrlTool } from "../../lib/tools/parse_url.ts";
import { serveLocal } from "../_utils/serve.ts";
import type { LocalServer } from "../_utils/serve.ts";

const TOKEN = "gw-token-abcdef123456";

describe("createOpenAICompatHandlers() with the official openai client", () => {
  let http: LocalServer;
  let client: OpenAI;
  const script: MockStep[] = [];
  // Each request is answered by the step the test pushed for it.
  const provider = createMockProvider(
    Array.from(
      { length: 32 },
      () => (_request: unknown, ctx: { index: number }) => script[ctx.index] ?? "unscripted",
    ),
  );
  const requesters: string[] = [];

  before(async () => {
    const tool = parseUrlTool();
    const spy = {
      ...tool,
      call: (args: unknown, ctx: Parameters<typeof tool.call>[1]) => {
        requesters.push(ctx.requestedBy);
        return tool.call(args, ctx);
      },
    };
    const agent = createAgent({ provider, tools: [spy] });
    const openai = createOpenAICompatHandlers({ agent });
    // Stands in for the gateway: bearer check first, then the handlers with the token id.
    http = await serveLocal((request) => {
      const { pathname } = new URL(request.url);
      if (request.headers.get("authorization") !== `Bearer ${TOKEN}`) {
        return openAIError(401, "Invalid bearer token", "invalid_request_error", "invalid_api_key");
      }
      const ctx = { tokenId: "tok1", signal: request.signal };
      if (pathname === "/v1/models") return openai.models(request, ctx);
      if (pathname === "/v1/chat/completions") return openai.chatCompletions(request, ctx);
      return openAIError(404, "Not found", "invalid_request_error", "not_found");
    });
    client = new OpenAI({ apiKey: TOKEN, baseURL: `${http.url}/v1`, maxRetries: 0, timeout: 5000 });
  });
  after(async () => {
    await http?.close();
  });

  it("models.list() lists mikroclaw", async () => {
    const page = await client.models.list();
    assert.deepEqual(page.data.map((m) => m.id), ["mikroclaw"]);
    assert.equal(page.data[0]!.owned_by, "mikroclaw");
  });

  it("a completion carries the agent's answer and runs tools inside MikroClaw", async () => {
    script.push(
      { toolCalls: [{ name: "parse_url", arguments: { url: "https://router.test/x" } }] },
      { text: "The host is router.test.", usage: { inputTokens: 10, outputTokens: 5 } },
    );
    const base = provider.requests.length;
    const completion = await client.chat.completions.create({
      model: "mikroclaw",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "earlier question" },
        { role: "assistant", content: "earlier answer" },
        { role: "user", content: "host of https://router.test/x?" },
      ],
    });
    assert.equal(completion.object, "chat.completion");
    assert.equal(completion.model, "mikroclaw");
    assert.equal(completion.choices[0]!.message.content, "The host is router.test.");
    assert.equal(completion.choices[0]!.finish_reason, "stop");
    assert.ok(completion.usage!.total_tokens >= 5);
    assert.equal(requesters.at(-1), "gateway:tok1");
    // The earlier messages became history, the last one the input.
    const sent = provider.requests[base]!.messages.map((m) => `${m.role}:${m.content}`);
    assert.deepEqual(sent.slice(1), [
      "user:[Instructions from the API client]\nBe brief.",
      "user:earlier question",
      "assistant:earlier answer",
      "user:host of https://router.test/x?",
    ]);
  });

  it("a streamed completion carries the agent's answer and ends with [DONE]", async () => {
    script.push({ text: ["Hello", " from", " the router"] });
    const stream = await client.chat.completions.create({
      model: "mikroclaw",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    let text = "";
    const finishes: (string | null)[] = [];
    for await (const chunk of stream) {
      assert.equal(chunk.object, "chat.completion.chunk");
      text += chunk.choices[0]?.delta.content ?? "";
      finishes.push(chunk.choices[0]?.finish_reason ?? null);
    }
    assert.equal(text, "Hello from the router");
    assert.equal(finishes.at(-1), "stop");
  });

  it("the raw stream ends with data: [DONE]", async () => {
    script.push("raw");
    const response = await fetch(`${http.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "mikroclaw",
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
    });
    assert.match(response.headers.get("content-type") ?? "", /text\/event-stream/);
    const body = await response.text();
    assert.ok(body.trimEnd().endsWith("data: [DONE]"));
  });

  it("a wrong token raises the client's AuthenticationError", async () => {
    const wrong = new OpenAI({ apiKey: "wrong", baseURL: `${http.url}/v1`, maxRetries: 0 });
    await assert.rejects(wrong.models.list(), OpenAI.AuthenticationError);
    await assert.rejects(
      wrong.chat.completions.create({
        model: "mikroclaw",
        messages: [{ role: "user", content: "x" }],
      }),
      OpenAI.AuthenticationError,
    );
  });

  it("an unknown model is a NotFoundError; a non-user last message a BadRequestError", async () => {
    await assert.rejects(
      client.chat.completions.create({
        model: "gpt-4o",
        messages: [{ role: "user", content: "x" }],
      }),
      OpenAI.NotFoundError,
    );
    await assert.rejects(
      client.chat.completions.create({
        model: "mikroclaw",
        messages: [{ role: "assistant", content: "x" }],
      }),
      OpenAI.BadRequestError,
    );
  });

  it("a provider failure is an OpenAI-shaped 5xx error", async () => {
    script.push({ error: "model exploded", kind: "bad-request", status: 400 });
    await assert.rejects(
      client.chat.completions.create({
        model: "mikroclaw",
        messages: [{ role: "user", content: "x" }],
      }),
      (error: unknown) => error instanceof OpenAI.APIError && error.status === 502,
    );
  });

  it("hostile bodies get 400 in OpenAI's error shape", async () => {
    const bodies = [
      "not json",
      "{}",
      '{"model":"mikroclaw","messages":[]}',
      '{"model":"mikroclaw","messages":[{"role":"root","content":"x"}]}',
      '{"model":"mikroclaw","messages":[{"role":"tool","content":"x"},{"role":"user","content":"y"}]}',
    ];
    for (const body of bodies) {
      const response = await fetch(`${http.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body,
      });
      assert.equal(response.status, 400, body);
      const json = await response.json() as { error: Record<string, unknown> };
      assert.deepEqual(Object.keys(json.error).sort(), ["code", "message", "param", "type"]);
    }
  });
});
