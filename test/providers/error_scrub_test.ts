/**
 * Hole 6 of issue #17: upstream error text that echoes the request's key never reaches a
 * client, a channel or a log; and (#18) a provider that cannot be reached is named with its URL.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createOpenAICompatible } from "../../lib/providers/openai_compatible.ts";
import { createAnthropic } from "../../lib/providers/anthropic.ts";
import { createGemini } from "../../lib/providers/gemini.ts";
import { createOllama } from "../../lib/providers/ollama.ts";
import type { Provider, StreamPart } from "../../lib/providers/types.ts";
import { loadConfig } from "../../lib/config/mod.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import { listen, type Listening } from "../../cli/_serve.ts";
import { scrubSecrets, secretForms } from "../../lib/secrets/scrub.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { startFakeAnthropic } from "../_fakes/anthropic.ts";
import { startFakeGemini } from "../_fakes/gemini.ts";
import { startFakeOllama } from "../_fakes/ollama.ts";
import { type FakeTelegram, startFakeTelegram } from "../_fakes/telegram.ts";

const KEY = "sk-live-Xy7pQ2rT9wLm4";

/** Every form of KEY a leak could take. */
function leaks(text: string, key = KEY): string[] {
  return secretForms([key]).filter((form) => text.includes(form));
}

async function firstError(provider: Provider): Promise<string> {
  for await (const part of provider.chat({ messages: [{ role: "user", content: "hi" }] })) {
    if (part.type === "error") {
      return (part as Extract<StreamPart, { type: "error" }>).error.message;
    }
  }
  assert.fail("expected an error part");
}

describe("every provider family scrubs its credentials from upstream error text", () => {
  const families: [string, () => Promise<FakeLLMServer>, (url: string) => Provider][] = [
    [
      "openai",
      () => startFakeOpenAI(),
      (u) => createOpenAICompatible({ name: "openai", baseURL: u, apiKey: KEY, model: "m" }),
    ],
    [
      "anthropic",
      () => startFakeAnthropic(),
      (u) => createAnthropic({ baseURL: u, apiKey: KEY, model: "m" }),
    ],
    [
      "gemini",
      () => startFakeGemini(),
      (u) => createGemini({ baseURL: u, apiKey: KEY, model: "m" }),
    ],
    [
      "ollama",
      () => startFakeOllama(),
      (u) => createOllama({ baseURL: u, headers: { Authorization: `Bearer ${KEY}` }, model: "m" }),
    ],
  ];
  for (const [name, start, make] of families) {
    it(`${name}: a 401 whose body repeats the key`, async () => {
      const fake = await start();
      try {
        fake.push({ status: 401, echoCredentials: true });
        const message = await firstError(make(fake.baseURL));
        assert.ok(fake.requests.length === 1);
        assert.deepEqual(leaks(message), [], message);
        assert.match(message, /\[redacted\]/);
      } finally {
        await fake.close();
      }
    });
  }

  it("scrubs any key in any of its encodings (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 6, maxLength: 40 }).filter((k) => k.trim().length >= 6),
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        fc.constantFrom("plain", "bearer", "base64", "basic", "url", "json"),
        (key, before, after, encoding) => {
          const bytes = new TextEncoder().encode(key);
          const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
          const shown = encoding === "bearer"
            ? `Bearer ${key}`
            : encoding === "base64"
            ? b64(bytes)
            : encoding === "basic"
            ? `Basic ${b64(new TextEncoder().encode(`user:${key}`))}`
            : encoding === "url"
            ? encodeURIComponent(key)
            : encoding === "json"
            ? JSON.stringify(key)
            : key;
          const out = scrubSecrets(`${before}${shown}${after}`, [key]);
          assert.ok(!out.includes(key), `plain key left in ${out}`);
          if (encoding === "basic") {
            // The key's own bytes must not be recoverable from what is left of the base64.
            assert.ok(!out.includes(b64(new TextEncoder().encode(`user:${key}`))));
          }
          for (const form of secretForms([key])) {
            assert.ok(!out.includes(form), `${form} in ${out}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a provider that is not running is named with its URL, without credentials", async () => {
    const fake = await startFakeOllama();
    const base = fake.baseURL;
    await fake.close();
    const message = await firstError(createOllama({ baseURL: base, model: "m" }));
    assert.match(message, new RegExp(`Cannot reach provider "ollama" at ${base}/api/chat`));
    assert.match(message, /check that the server is running/);
    const gemini = await firstError(
      createGemini({
        baseURL: `http://user:${KEY}@127.0.0.1:9/v1?key=${KEY}`,
        apiKey: KEY,
        model: "m",
      }),
    );
    assert.deepEqual(leaks(gemini), [], gemini);
  });
});

describe("/chat on a real socket and a Telegram channel never show an echoed key", () => {
  let llm: FakeLLMServer;
  let telegram: FakeTelegram;
  let runtime: Runtime;
  let server: Listening;
  let token = "";
  const logged: string[] = [];
  const log = (...args: unknown[]) =>
    logged.push(
      args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a))).join(" "),
    );

  before(async () => {
    llm = await startFakeOpenAI([], { onEmpty: { status: 401, echoCredentials: true } });
    telegram = await startFakeTelegram({ maxHoldMs: 200 });
    const config = await loadConfig({
      env: {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: KEY,
        OPENAI_BASE_URL: llm.baseURL,
        BOT_TOKEN: telegram.token,
        TELEGRAM_API_BASE: telegram.url,
        TELEGRAM_ALLOWLIST: "4242",
      },
    });
    runtime = await createRuntime({
      config,
      channels: true,
      logger: { debug: log, info: log, warn: log, error: log },
    });
    await runtime.start();
    server = await listen(runtime.gateway.fetch, "127.0.0.1", 0);
    const paired = await fetch(`${server.url}/pair`, {
      method: "POST",
      headers: { "X-Pairing-Code": runtime.gateway.pairingCode()! },
    });
    token = (await paired.json() as { token: string }).token;
  });
  after(async () => {
    await server?.close();
    await runtime?.stop();
    await Promise.all([llm?.close(), telegram?.close()]);
  });

  it("POST /chat answers the provider's failure without the key", async () => {
    const res = await fetch(`${server.url}/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ input: "hello", session: "s1" }),
    });
    const text = await res.text();
    assert.equal(res.status, 502, text);
    assert.ok(llm.requests.at(-1)!.headers.authorization === `Bearer ${KEY}`, "the key was sent");
    assert.deepEqual(leaks(text), [], text);
    assert.match(text, /\[redacted\]/);
  });

  it("the streamed /chat and /v1/chat/completions do not carry it either", async () => {
    const stream = await fetch(`${server.url}/chat`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "text/event-stream",
      },
      body: JSON.stringify({ input: "hello", session: "s2" }),
    });
    const events = await stream.text();
    assert.match(events, /event: error/);
    assert.deepEqual(leaks(events), [], events);
    const v1 = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "mikroclaw", messages: [{ role: "user", content: "hi" }] }),
    });
    const body = await v1.text();
    assert.ok(v1.status >= 400, body);
    assert.deepEqual(leaks(body), [], body);
  });

  it("a Telegram user gets an answer without the key, and the log holds none", async () => {
    const before = telegram.callsOf("sendMessage").length;
    telegram.message(4242, "hello");
    const reply = await telegram.waitFor(
      (c) => c.method === "sendMessage" && telegram.callsOf("sendMessage").length > before,
      20_000,
    );
    assert.deepEqual(leaks(String(reply.params.text)), []);
    assert.ok(logged.length > 0);
    assert.deepEqual(leaks(logged.join("\n")), [], "the runtime's log lines");
  });
});
