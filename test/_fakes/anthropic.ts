/**
 * A scripted, recording fake of the Anthropic Messages API (PROTOCOLS §3): named SSE events,
 * `input_json_delta` with an empty first piece, `event: error` mid-stream, error bodies.
 * Same script format as {@linkcode startFakeOpenAI} (see `./openai.ts`).
 * @module
 */
import {
  argsText,
  type FakeLLMServer,
  type FakeOptions,
  type FakeReply,
  type FamilyRenderer,
  splitInto,
  sseEvent,
  startScriptedFake,
} from "./openai.ts";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

/** The Anthropic Messages renderer. */
export const anthropicRenderer: FamilyRenderer = {
  streamType: "text/event-stream; charset=utf-8",
  isStream: (r) => r.body?.stream === true,
  error: (status, message) => ({
    type: "error",
    error: {
      type: ERROR_TYPES[status] ?? "api_error",
      message: status === 529 ? "Overloaded" : message,
    },
    request_id: "req_fake",
  }),
  stream(reply) {
    const u = reply.usage ?? { inputTokens: 12, outputTokens: 7 };
    const out: string[] = [];
    const ev = (type: string, data: Record<string, unknown>): void =>
      void out.push(sseEvent({ type, ...data }, type));
    ev("message_start", {
      message: {
        id: "msg_fake",
        type: "message",
        role: "assistant",
        model: "claude-fake",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: u.inputTokens, output_tokens: 1 },
      },
    });
    let index = 0;
    if (reply.text) {
      ev("content_block_start", { index, content_block: { type: "text", text: "" } });
      out.push(sseEvent({ type: "ping" }, "ping"));
      for (const piece of splitInto(reply.text, reply.textChunks ?? 3)) {
        ev("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
      }
      ev("content_block_stop", { index });
      index++;
    }
    if (reply.streamError !== undefined) {
      out.push(sseEvent(
        reply.streamError === true
          ? { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }
          : reply.streamError,
        "error",
      ));
      return out;
    }
    for (const [i, call] of (reply.toolCalls ?? []).entries()) {
      ev("content_block_start", {
        index,
        content_block: {
          type: "tool_use",
          id: call.id ?? `toolu_${i}`,
          name: call.name,
          input: {},
        },
      });
      ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: "" } });
      for (const piece of splitInto(argsText(call), reply.argChunks ?? 3)) {
        ev("content_block_delta", {
          index,
          delta: { type: "input_json_delta", partial_json: piece },
        });
      }
      ev("content_block_stop", { index });
      index++;
    }
    const stop = reply.finishReason ?? (reply.toolCalls?.length ? "tool_use" : "end_turn");
    ev("message_delta", {
      delta: { stop_reason: stop, stop_sequence: null },
      usage: { output_tokens: u.outputTokens },
    });
    if (!reply.omitEnd) ev("message_stop", {});
    return out;
  },
  json(reply) {
    const u = reply.usage ?? { inputTokens: 12, outputTokens: 7 };
    const content: unknown[] = [];
    if (reply.text) content.push({ type: "text", text: reply.text });
    for (const [i, call] of (reply.toolCalls ?? []).entries()) {
      content.push({
        type: "tool_use",
        id: call.id ?? `toolu_${i}`,
        name: call.name,
        input: typeof call.arguments === "string" ? call.arguments : call.arguments,
      });
    }
    return {
      id: "msg_fake",
      type: "message",
      role: "assistant",
      model: "claude-fake",
      content,
      stop_reason: reply.finishReason ?? (reply.toolCalls?.length ? "tool_use" : "end_turn"),
      stop_sequence: null,
      usage: { input_tokens: u.inputTokens, output_tokens: u.outputTokens },
    };
  },
};

/**
 * Starts a scripted Anthropic fake: `POST /v1/messages`, `GET /v1/models`. `baseURL` is the
 * origin (the official SDK form, without `/v1`).
 */
export async function startFakeAnthropic(
  script: FakeReply[] = [],
  options: FakeOptions = {},
): Promise<FakeLLMServer> {
  return await startScriptedFake(
    anthropicRenderer,
    (app, handle) => {
      app.post("/v1/messages", handle);
      app.get("/v1/models", (c) => {
        if (!c.req.header("x-api-key") || c.req.header("x-api-key") === "bad") {
          return c.json(anthropicRenderer.error(401, "invalid x-api-key"), 401);
        }
        return c.json({ data: [{ id: "claude-fake", type: "model" }], has_more: false });
      });
    },
    script,
    { ...options, basePath: "", isChat: (r) => r.path === "/v1/messages" },
  );
}
