/**
 * A scripted, recording fake of Ollama's native API (PROTOCOLS §4.1): `POST /api/chat` with
 * NDJSON streaming (tool calls whole, arguments as objects), mid-stream `{"error"}` lines,
 * `GET /api/tags`. Same script format as {@linkcode startFakeOpenAI} (see `./openai.ts`).
 * @module
 */
import {
  type FakeLLMServer,
  type FakeOptions,
  type FakeReply,
  type FamilyRenderer,
  splitInto,
  startScriptedFake,
} from "./openai.ts";

function line(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

function calls(reply: FakeReply): unknown[] | undefined {
  if (!reply.toolCalls?.length) return undefined;
  return reply.toolCalls.map((c, i) => ({
    type: "function",
    function: { index: i, name: c.name, arguments: c.arguments },
  }));
}

function final(reply: FakeReply, message: Record<string, unknown>): Record<string, unknown> {
  const u = reply.usage ?? { inputTokens: 30, outputTokens: 6 };
  return {
    model: "qwen3",
    created_at: "2024-07-22T20:33:28.123648Z",
    message,
    done_reason: reply.finishReason ?? "stop",
    done: true,
    total_duration: 885095291,
    prompt_eval_count: u.inputTokens,
    eval_count: u.outputTokens,
  };
}

/** The Ollama native renderer. */
export const ollamaRenderer: FamilyRenderer = {
  streamType: "application/x-ndjson",
  isStream: (r) => r.body?.stream !== false,
  error: (_status, message) => ({ error: message }),
  stream(reply) {
    const out: string[] = [];
    const created_at = "2024-07-22T20:33:28.123648Z";
    for (const piece of reply.text ? splitInto(reply.text, reply.textChunks ?? 3) : []) {
      out.push(
        line({
          model: "qwen3",
          created_at,
          message: { role: "assistant", content: piece },
          done: false,
        }),
      );
    }
    if (reply.streamError !== undefined) {
      out.push(
        line(
          reply.streamError === true
            ? { error: "an error was encountered while running the model" }
            : reply.streamError,
        ),
      );
      return out;
    }
    const tc = calls(reply);
    if (tc) {
      out.push(
        line({
          model: "qwen3",
          created_at,
          message: { role: "assistant", content: "", tool_calls: tc },
          done: false,
        }),
      );
    }
    if (!reply.omitEnd) out.push(line(final(reply, { role: "assistant", content: "" })));
    return out;
  },
  json(reply) {
    const tc = calls(reply);
    return final(reply, {
      role: "assistant",
      content: reply.text ?? "",
      ...(tc ? { tool_calls: tc } : {}),
    });
  },
};

/** Starts a scripted Ollama fake: `POST /api/chat`, `GET /api/tags`. `baseURL` is the origin. */
export async function startFakeOllama(
  script: FakeReply[] = [],
  options: FakeOptions = {},
): Promise<FakeLLMServer> {
  return await startScriptedFake(
    ollamaRenderer,
    (app, handle) => {
      app.post("/api/chat", handle);
      app.get(
        "/api/tags",
        (c) => c.json({ models: [{ name: "qwen3:latest", model: "qwen3:latest" }] }),
      );
    },
    script,
    { ...options, basePath: "", isChat: (r) => r.path === "/api/chat" },
  );
}
