import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createOpenAICompatible } from "../../lib/providers/openai_compatible.ts";
import { createAnthropic } from "../../lib/providers/anthropic.ts";
import { createGemini } from "../../lib/providers/gemini.ts";
import { createOllama } from "../../lib/providers/ollama.ts";
import { collectChat } from "../../lib/providers/collect_chat.ts";
import type { ChatResult, Provider } from "../../lib/providers/types.ts";
import {
  type FakeReply,
  type FamilyRenderer,
  openaiRenderer,
  type RecordedRequest,
} from "../_fakes/openai.ts";
import { anthropicRenderer } from "../_fakes/anthropic.ts";
import { geminiRenderer } from "../_fakes/gemini.ts";
import { ollamaRenderer } from "../_fakes/ollama.ts";

// multi-byte text: 2-, 3- and 4-byte UTF-8 sequences, so splits land inside characters
const reply: FakeReply = {
  text: "Rīga ✓ 路由器 🛜 ok",
  toolCalls: [{ id: "call_1", name: "clock", arguments: { tz: "Europe/Rīga", note: "🕐" } }],
  usage: { inputTokens: 3, outputTokens: 4 },
  textChunks: 2,
  argChunks: 2,
};

const request: RecordedRequest = {
  method: "POST",
  path: "/x:streamGenerateContent",
  headers: {},
  body: { stream: true, stream_options: { include_usage: true } },
  rawBody: "",
};

/** A fetch answering with `chunks` as the body, one read per chunk. */
function chunkedFetch(chunks: Uint8Array[], type: string): typeof fetch {
  return (async () => {
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks[i++];
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { "content-type": type } });
  }) as typeof fetch;
}

interface Family {
  name: string;
  renderer: FamilyRenderer;
  make(fetch: typeof globalThis.fetch): Provider;
}

const families: Family[] = [
  {
    name: "openai (CRLF)",
    renderer: openaiRenderer,
    make: (fetch) =>
      createOpenAICompatible({ baseURL: "http://x/v1", apiKey: "k", model: "m", fetch }),
  },
  {
    name: "anthropic",
    renderer: anthropicRenderer,
    make: (fetch) => createAnthropic({ baseURL: "http://x", apiKey: "k", model: "m", fetch }),
  },
  {
    name: "gemini",
    renderer: geminiRenderer,
    make: (fetch) => createGemini({ baseURL: "http://x", apiKey: "k", model: "m", fetch }),
  },
  {
    name: "ollama",
    renderer: ollamaRenderer,
    make: (fetch) => createOllama({ baseURL: "http://x", model: "m", fetch }),
  },
];

function bytesOf(family: Family): Uint8Array {
  let text = family.renderer.stream(reply, request).join("");
  if (family.name.includes("CRLF")) text = text.replaceAll("\n", "\r\n");
  return new TextEncoder().encode(text);
}

async function run(family: Family, chunks: Uint8Array[]): Promise<ChatResult> {
  const provider = family.make(chunkedFetch(chunks, family.renderer.streamType));
  return await collectChat(
    provider.chat({
      messages: [{ role: "user", content: "x" }],
      tools: [{ name: "clock", description: "", parameters: {} }],
    }),
  );
}

describe("stream parsing survives any split", () => {
  for (const family of families) {
    it(`${family.name}: a split at every byte position gives the same result`, async () => {
      const bytes = bytesOf(family);
      const whole = await run(family, [bytes]);
      assert.equal(whole.text, reply.text);
      assert.deepEqual(whole.toolCalls.map((c) => [c.name, c.arguments]), [["clock", {
        tz: "Europe/Rīga",
        note: "🕐",
      }]]);
      for (let i = 1; i < bytes.length; i++) {
        const result = await run(family, [bytes.subarray(0, i), bytes.subarray(i)]);
        assert.deepEqual(result, whole, `split at byte ${i}`);
      }
    });

    it(`${family.name}: random multi-way splits (property)`, async () => {
      const bytes = bytesOf(family);
      const whole = await run(family, [bytes]);
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }),
          async (cuts) => {
            const sorted = [...cuts].sort((a, b) => a - b);
            const chunks: Uint8Array[] = [];
            let prev = 0;
            for (const c of [...sorted, bytes.length]) {
              chunks.push(bytes.subarray(prev, c));
              prev = c;
            }
            assert.deepEqual(await run(family, chunks), whole);
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});
