/**
 * A scripted, recording fake of the OpenAI Chat Completions API (PROTOCOLS §2), plus the
 * scripting engine the other LLM fakes (anthropic, gemini, ollama) share.
 *
 * ```ts
 * const fake = await startFakeOpenAI([
 *   { text: "Hello" },                                              // 1st request
 *   { toolCalls: [{ name: "clock", arguments: { tz: "UTC" } }] },   // 2nd request
 *   { status: 429, headers: { "retry-after": "1" } },               // 3rd request
 * ]);
 * const provider = createOpenAICompatible({ baseURL: fake.baseURL, apiKey: "sk-test" });
 * // ... fake.requests[0].body.messages, fake.requests[0].headers.authorization
 * await fake.close();
 * ```
 * Each request takes the next reply from the queue (`fake.push(...)` adds more; an empty queue
 * answers 500 "no scripted reply left", or `options.onEmpty`). The reply is rendered as SSE
 * when the request asked for `stream: true`, else as one JSON body.
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { serveLocal } from "../_utils/serve.ts";

/** A tool call a scripted reply makes. */
export interface ScriptedToolCall {
  /** Call id (default `call_<n>` / `toolu_<n>` per family). */
  id?: string;
  name: string;
  /** Arguments object, or a raw string sent verbatim (e.g. broken JSON). */
  arguments: Record<string, unknown> | string;
}

/** One scripted answer. Fields combine: e.g. `{ text, streamError }` streams text then fails. */
export interface FakeReply {
  /** Assistant text (streamed in `textChunks` pieces). */
  text?: string;
  /** Tool calls (streamed with arguments split in `argChunks` pieces). */
  toolCalls?: ScriptedToolCall[];
  usage?: { inputTokens: number; outputTokens: number };
  /** Wire finish reason (default per family: stop / tool_calls, end_turn / tool_use, ...). */
  finishReason?: string;
  /** HTTP error status: answers `body` (default: the family's error shape) with `headers`. */
  status?: number;
  /** Error body (object is JSON-encoded) for `status`, or a full JSON body override. */
  body?: unknown;
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>;
  /** Error message used in the default error body. */
  message?: string;
  /**
   * A careless or hostile upstream: the error message repeats the request's credentials
   * (`authorization`, `x-api-key`, `x-goog-api-key`, the query), also base64-encoded.
   */
  echoCredentials?: boolean;
  /** Never answer (until the client aborts or the fake closes). */
  hang?: boolean;
  /** Cut the connection after this many body bytes (0: before any byte). */
  resetAfterBytes?: number;
  /** Stop sending (but keep the connection open) after this many body bytes. */
  stallAfterBytes?: number;
  /** Send an in-stream error event after the text (family shape; `true` = default error). */
  streamError?: unknown;
  /** Exact body: a string, or chunks written one by one (bypasses rendering). */
  raw?: string | Uint8Array | (string | Uint8Array)[];
  /** Pieces the text is split into (default 3). */
  textChunks?: number;
  /** Pieces each tool call's argument JSON is split into (default 3). */
  argChunks?: number;
  /** Interleave argument fragments of parallel tool calls (OpenAI only). */
  interleave?: boolean;
  /** Use CRLF line endings in SSE. */
  crlf?: boolean;
  /** Insert `: OPENROUTER PROCESSING` comments between SSE events. */
  comments?: boolean;
  /** Split the body into writes of this many bytes (default: one write per event). */
  chunkSize?: number;
  /** Omit the final `[DONE]` / `message_stop` / `done` marker. */
  omitEnd?: boolean;
}

/** A request the fake received. */
export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON body, or the raw text when not JSON (undefined when empty). */
  body: any;
  rawBody: string;
}

/** Options of the fakes. */
export interface FakeOptions {
  /** Reply used when the queue is empty (default: HTTP 500 "no scripted reply left"). */
  onEmpty?: FakeReply;
}

/** A running scripted fake. */
export interface FakeLLMServer {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Base URL in the vendor SDK form (`/v1` for OpenAI, origin for Anthropic and Ollama, `/v1beta` for Gemini). */
  baseURL: string;
  /** Every request, in order. */
  requests: RecordedRequest[];
  /** Requests of chat calls only (not model lists). */
  chatRequests(): RecordedRequest[];
  /** Queue more replies. */
  push(...replies: FakeReply[]): void;
  /** Replies still queued. */
  pending(): number;
  close(): Promise<void>;
}

/** What a family renders: SSE events or NDJSON lines, JSON bodies, error bodies. */
export interface FamilyRenderer {
  /** Body pieces for a streamed reply (already framed: `data: ...\n\n` or `{...}\n`). */
  stream(reply: FakeReply, request: RecordedRequest): string[];
  /** Body for a non-streamed reply. */
  json(reply: FakeReply, request: RecordedRequest): unknown;
  /** Default error body for an HTTP error reply. */
  error(status: number, message: string): unknown;
  /** Whether the request asked for a stream. */
  isStream(request: RecordedRequest): boolean;
  /** Content type of a streamed reply. */
  streamType: string;
}

const encoder = new TextEncoder();

/** Splits `text` into `n` non-empty pieces (fewer when text is short). */
export function splitInto(text: string, n: number): string[] {
  if (n <= 1 || text.length <= 1) return [text];
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** SSE framing of one event. */
export function sseEvent(data: unknown, event?: string): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ""}data: ${payload}\n\n`;
}

/** Arguments of a scripted call as the JSON string sent on the wire. */
export function argsText(call: ScriptedToolCall): string {
  return typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
}

function toBytes(piece: string | Uint8Array): Uint8Array {
  return typeof piece === "string" ? encoder.encode(piece) : piece;
}

/** A scripted fake: records, answers per the queue, with hang/reset/stall/split options. */
export async function startScriptedFake(
  renderer: FamilyRenderer,
  routes: (app: Hono, handle: (c: Context) => Promise<Response>) => void,
  script: FakeReply[],
  options: FakeOptions & { basePath: string; isChat: (r: RecordedRequest) => boolean },
): Promise<FakeLLMServer> {
  const queue = [...script];
  const requests: RecordedRequest[] = [];
  const hangs = new Set<() => void>();
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const app = new Hono();

  async function handle(c: Context): Promise<Response> {
    const rawBody = await c.req.text();
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = rawBody;
    }
    const url = new URL(c.req.url);
    const recorded: RecordedRequest = {
      method: c.req.method,
      path: url.pathname + url.search,
      headers: Object.fromEntries([...c.req.raw.headers].map(([k, v]) => [k.toLowerCase(), v])),
      body,
      rawBody,
    };
    requests.push(recorded);
    const reply = queue.shift() ?? options.onEmpty ??
      { status: 500, message: "fake: no scripted reply left" };
    if (reply.hang) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          hangs.delete(done);
          resolve();
        };
        hangs.add(done);
        c.req.raw.signal.addEventListener("abort", done, { once: true });
      });
      return new Response(null, { status: 504 });
    }
    const headers = new Headers(reply.headers);
    let pieces: (string | Uint8Array)[];
    let status = 200;
    if (reply.raw !== undefined) {
      pieces = Array.isArray(reply.raw) ? reply.raw : [reply.raw];
      status = reply.status ?? 200;
      if (!headers.has("content-type")) headers.set("content-type", renderer.streamType);
    } else if (reply.status !== undefined && reply.status >= 400) {
      status = reply.status;
      const echoed = reply.echoCredentials
        ? ["authorization", "x-api-key", "x-goog-api-key"].map((h) => recorded.headers[h])
          .filter((v): v is string => typeof v === "string")
          .map((v) => `${v} (${btoa(v.replace(/^Bearer /, ""))})`)
          .concat(url.search ? [url.search] : []).join(", ")
        : "";
      const errorBody = reply.body ??
        renderer.error(
          status,
          reply.echoCredentials
            ? `Incorrect API key provided: ${echoed}`
            : reply.message ?? `fake error ${status}`,
        );
      pieces = [typeof errorBody === "string" ? errorBody : JSON.stringify(errorBody)];
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    } else if (renderer.isStream(recorded)) {
      pieces = renderer.stream(reply, recorded);
      if (reply.comments) {
        pieces = pieces.flatMap((
          p,
          i,
        ) => (i === 0 ? [": OPENROUTER PROCESSING\n\n", p] : [p, ": OPENROUTER PROCESSING\n\n"]));
      }
      if (reply.crlf) {
        pieces = pieces.map((p) => (typeof p === "string" ? p.replaceAll("\n", "\r\n") : p));
      }
      if (!headers.has("content-type")) headers.set("content-type", renderer.streamType);
    } else {
      pieces = [JSON.stringify(reply.body ?? renderer.json(reply, recorded))];
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    let chunks = pieces.map(toBytes);
    if (reply.chunkSize !== undefined && reply.chunkSize > 0) {
      const all = concat(chunks);
      chunks = [];
      for (let i = 0; i < all.length; i += reply.chunkSize) {
        chunks.push(all.subarray(i, i + reply.chunkSize));
      }
    }
    const cut = reply.resetAfterBytes ?? reply.stallAfterBytes;
    if (cut !== undefined) chunks = truncate(chunks, cut);
    let index = 0;
    const body2 = new ReadableStream<Uint8Array>({
      start(controller) {
        streams.add(controller);
      },
      pull(controller) {
        const next = chunks[index++];
        if (next !== undefined) {
          if (next.length > 0) controller.enqueue(next);
          return;
        }
        streams.delete(controller);
        if (reply.resetAfterBytes !== undefined) {
          controller.error(new Error("fake: connection reset"));
        } else if (reply.stallAfterBytes !== undefined) {
          // keep the connection open without sending anything more
          return new Promise<void>((resolve) => {
            const done = (): void => {
              hangs.delete(done);
              try {
                controller.close();
              } catch {
                // already closed
              }
              resolve();
            };
            hangs.add(done);
          });
        } else controller.close();
      },
      cancel() {
        // the client went away
      },
    });
    return new Response(body2, { status, headers });
  }

  routes(app, handle);
  const server = await serveLocal(app.fetch);
  return {
    url: server.url,
    baseURL: server.url + options.basePath,
    requests,
    chatRequests: () => requests.filter(options.isChat),
    push: (...replies) => void queue.push(...replies),
    pending: () => queue.length,
    async close() {
      for (const done of [...hangs]) done();
      for (const controller of streams) {
        try {
          controller.close();
        } catch {
          // already closed
        }
      }
      await server.close();
    },
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function truncate(chunks: Uint8Array[], limit: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = limit;
  for (const c of chunks) {
    if (left <= 0) break;
    out.push(c.subarray(0, left));
    left -= c.length;
  }
  return out;
}

/** OpenAI chunk helper. */
function chunk(choices: unknown[], extra: Record<string, unknown> = {}): string {
  return sseEvent({
    id: "chatcmpl-fake",
    object: "chat.completion.chunk",
    created: 1730000000,
    model: "fake-model",
    choices,
    usage: null,
    ...extra,
  });
}

/** The OpenAI Chat Completions renderer. */
export const openaiRenderer: FamilyRenderer = {
  streamType: "text/event-stream; charset=utf-8",
  isStream: (r) => r.body?.stream === true,
  error: (status, message) => ({
    error: {
      message,
      type: status === 401 ? "invalid_request_error" : status === 429 ? "requests" : "server_error",
      param: null,
      code: status === 401 ? "invalid_api_key" : status === 429 ? "rate_limit_exceeded" : null,
    },
  }),
  stream(reply, request) {
    const out: string[] = [];
    out.push(
      chunk([{
        index: 0,
        delta: { role: "assistant", content: "", refusal: null },
        logprobs: null,
        finish_reason: null,
      }]),
    );
    for (const piece of reply.text ? splitInto(reply.text, reply.textChunks ?? 3) : []) {
      out.push(
        chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]),
      );
    }
    const calls = reply.toolCalls ?? [];
    const fragments: string[][] = calls.map((call, i) => {
      const first = chunk([{
        index: 0,
        delta: {
          tool_calls: [{
            index: i,
            id: call.id ?? `call_${i}`,
            type: "function",
            function: { name: call.name, arguments: "" },
          }],
        },
        logprobs: null,
        finish_reason: null,
      }]);
      const rest = splitInto(argsText(call), reply.argChunks ?? 3).map((piece) =>
        chunk([{
          index: 0,
          delta: { tool_calls: [{ index: i, function: { arguments: piece } }] },
          logprobs: null,
          finish_reason: null,
        }])
      );
      return [first, ...rest];
    });
    if (reply.interleave) {
      const longest = Math.max(0, ...fragments.map((f) => f.length));
      for (let k = 0; k < longest; k++) for (const f of fragments) if (f[k]) out.push(f[k]!);
    } else for (const f of fragments) out.push(...f);
    if (reply.streamError !== undefined) {
      out.push(sseEvent({
        id: "chatcmpl-fake",
        object: "chat.completion.chunk",
        error: reply.streamError === true
          ? { code: "server_error", message: "Provider disconnected unexpectedly" }
          : reply.streamError,
        choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
      }));
      return out;
    }
    const finish = reply.finishReason ?? (calls.length ? "tool_calls" : "stop");
    out.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finish }]));
    if (request.body?.stream_options?.include_usage) {
      const u = reply.usage ?? { inputTokens: 10, outputTokens: 5 };
      out.push(chunk([], {
        usage: {
          prompt_tokens: u.inputTokens,
          completion_tokens: u.outputTokens,
          total_tokens: u.inputTokens + u.outputTokens,
        },
      }));
    }
    if (!reply.omitEnd) out.push("data: [DONE]\n\n");
    return out;
  },
  json(reply) {
    const calls = reply.toolCalls ?? [];
    const u = reply.usage ?? { inputTokens: 10, outputTokens: 5 };
    return {
      id: "chatcmpl-fake",
      object: "chat.completion",
      created: 1730000000,
      model: "fake-model",
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: reply.text ?? null,
          refusal: null,
          ...(calls.length
            ? {
              tool_calls: calls.map((c, i) => ({
                id: c.id ?? `call_${i}`,
                type: "function",
                function: { name: c.name, arguments: argsText(c) },
              })),
            }
            : {}),
        },
        logprobs: null,
        finish_reason: reply.finishReason ?? (calls.length ? "tool_calls" : "stop"),
      }],
      usage: {
        prompt_tokens: u.inputTokens,
        completion_tokens: u.outputTokens,
        total_tokens: u.inputTokens + u.outputTokens,
      },
    };
  },
};

/**
 * Starts a scripted OpenAI-compatible fake on 127.0.0.1: `POST {baseURL}/chat/completions`
 * (SSE or JSON) and `GET {baseURL}/models`. `baseURL` ends in `/v1`.
 */
export async function startFakeOpenAI(
  script: FakeReply[] = [],
  options: FakeOptions = {},
): Promise<FakeLLMServer> {
  return await startScriptedFake(
    openaiRenderer,
    (app, handle) => {
      app.post("/v1/chat/completions", handle);
      app.get("/v1/models", (c) => {
        const auth = c.req.header("authorization");
        if (!auth || auth === "Bearer bad") {
          return c.json(openaiRenderer.error(401, "Incorrect API key provided"), 401);
        }
        return c.json({
          object: "list",
          data: [{ id: "fake-model", object: "model", owned_by: "fake" }],
        });
      });
    },
    script,
    { ...options, basePath: "/v1", isChat: (r) => r.path.endsWith("/chat/completions") },
  );
}
