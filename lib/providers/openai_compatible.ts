/**
 * OpenAI Chat Completions and every server that speaks it (OpenRouter, Groq, Mistral, xAI,
 * DeepSeek, Together, Fireworks, Perplexity, Cohere compat, Moonshot, Ollama `/v1`, vLLM).
 * @module
 */
import { ProviderError } from "../errors.ts";
import {
  closingParts,
  cutShort,
  errorPart,
  eventJson,
  makeToolCall,
  parseToolArguments,
  unreadable,
} from "./_answer.ts";
import { readSSE } from "./_body.ts";
import { bearer, createFamily, type FamilySettings, streamOrJson } from "./_family.ts";
import { classifyStreamError } from "./classify_error.ts";
import type {
  ChatOptions,
  ChatRequest,
  FinishReason,
  Message,
  ProbeResult,
  Provider,
  StreamPart,
  ToolCall,
  Usage,
} from "./types.ts";

/** Settings of {@linkcode createOpenAICompatible}. */
export interface OpenAICompatibleSettings extends FamilySettings {
  /** e.g. `https://api.openai.com/v1` (required). */
  baseURL: string;
  /** Field carrying `maxTokens` (default `max_tokens`; OpenAI itself prefers `max_completion_tokens`). */
  maxTokensField?: "max_tokens" | "max_completion_tokens" | undefined;
  /** Send `stream_options.include_usage` (default true). */
  includeUsage?: boolean;
}

function mapFinish(reason: unknown): FinishReason {
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool-calls";
    case "content_filter":
      return "content-filter";
    case "error":
      return "error";
    default:
      return "other";
  }
}

function toWireMessages(messages: Message[]): unknown[] {
  return messages.map((m) => {
    switch (m.role) {
      case "assistant": {
        const out: Record<string, unknown> = { role: "assistant", content: m.content || null };
        if (m.toolCalls?.length) {
          out.tool_calls = m.toolCalls.map((c) => ({
            id: c.id,
            type: "function",
            function: { name: c.name, arguments: JSON.stringify(c.arguments) },
          }));
        }
        return out;
      }
      case "tool":
        return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
      default:
        return { role: m.role, content: m.content };
    }
  });
}

function usageOf(u: unknown): Usage | undefined {
  if (typeof u !== "object" || u === null) return undefined;
  const o = u as { prompt_tokens?: unknown; completion_tokens?: unknown };
  const usage: Usage = {};
  if (typeof o.prompt_tokens === "number") usage.inputTokens = o.prompt_tokens;
  if (typeof o.completion_tokens === "number") usage.outputTokens = o.completion_tokens;
  return usage;
}

interface Pending {
  id: string;
  name: string;
  args: string;
}

/** Creates a provider for an OpenAI-compatible Chat Completions endpoint. */
export function createOpenAICompatible(settings: OpenAICompatibleSettings): Provider {
  if (typeof settings.baseURL !== "string" || settings.baseURL === "") {
    throw new TypeError("Cannot create OpenAI-compatible provider: baseURL is required");
  }
  const family = createFamily(settings, {
    name: "openai-compatible",
    baseURL: settings.baseURL,
    auth: bearer,
  });
  const { id } = family;
  const maxTokensField = settings.maxTokensField ?? "max_tokens";

  function body(request: ChatRequest, stream: boolean): string {
    const b: Record<string, unknown> = {
      model: request.model ?? settings.model,
      messages: toWireMessages(request.messages),
    };
    if (request.tools?.length) {
      b.tools = request.tools.map((t) => ({
        type: "function",
        function: { name: t.name, description: t.description, parameters: t.parameters },
      }));
    }
    if (request.temperature !== undefined) b.temperature = request.temperature;
    if (request.maxTokens !== undefined) b[maxTokensField] = request.maxTokens;
    if (stream) {
      b.stream = true;
      if (settings.includeUsage !== false) b.stream_options = { include_usage: true };
    }
    return JSON.stringify(b);
  }

  function chat(request: ChatRequest, options: ChatOptions = {}): AsyncGenerator<StreamPart> {
    return family.chat(request, options, (stream) => ({
      path: "chat/completions",
      body: body(request, stream),
      read: streamOrJson(stream, (r) => parseStream(r, request), (d) => parseJson(d, request)),
    }));
  }

  function* parseJson(data: unknown, request: ChatRequest): Generator<StreamPart> {
    const d = data as {
      error?: unknown;
      choices?: {
        message?: { content?: unknown; tool_calls?: unknown };
        finish_reason?: unknown;
      }[];
      usage?: unknown;
    };
    if (d?.error) {
      yield errorPart(classifyStreamError(id, d));
      return;
    }
    const choice = d?.choices?.[0];
    if (!choice) {
      yield errorPart(unreadable(id, "no choices"));
      return;
    }
    const text = typeof choice.message?.content === "string" ? choice.message.content : "";
    if (text) yield { type: "text-delta", text };
    const wire = Array.isArray(choice.message?.tool_calls) ? choice.message.tool_calls : [];
    let n = 0;
    for (
      const c of wire as { id?: unknown; function?: { name?: unknown; arguments?: unknown } }[]
    ) {
      const name = typeof c?.function?.name === "string" ? c.function.name : "";
      const raw = c?.function?.arguments;
      const args = typeof raw === "string"
        ? parseToolArguments(name, raw)
        : { arguments: (raw ?? {}) as Record<string, unknown> };
      yield {
        type: "tool-call",
        toolCall: makeToolCall(typeof c?.id === "string" && c.id ? c.id : `call_${n}`, name, args),
      };
      n++;
    }
    yield* closingParts(request, {
      text,
      wireCalls: n,
      reason: mapFinish(choice.finish_reason),
      usage: usageOf(d.usage),
    });
  }

  async function* parseStream(
    response: Response,
    request: ChatRequest,
  ): AsyncGenerator<StreamPart> {
    if (!response.body) throw new TypeError("Response has no body");
    const pending = new Map<number, Pending>();
    let text = "";
    let finish: FinishReason | undefined;
    let usage: Usage | undefined;
    let emittedCalls = false;
    let done = false;

    function* flushCalls(): Generator<StreamPart> {
      const sorted = [...pending.entries()].sort((a, b) => a[0] - b[0]);
      pending.clear();
      for (const [index, p] of sorted) {
        emittedCalls = true;
        const toolCall: ToolCall = makeToolCall(
          p.id || `call_${index}`,
          p.name,
          parseToolArguments(p.name, p.args),
        );
        yield { type: "tool-call", toolCall };
      }
    }

    for await (const event of readSSE(response.body)) {
      const data = event.data;
      if (data.startsWith("[DONE]")) {
        done = true;
        break;
      }
      if (data.trim() === "") continue;
      const chunk = eventJson<
        {
          error?: unknown;
          choices?: {
            delta?: {
              content?: unknown;
              tool_calls?: {
                index?: unknown;
                id?: unknown;
                function?: { name?: unknown; arguments?: unknown };
              }[];
            };
            finish_reason?: unknown;
          }[];
          usage?: unknown;
        }
      >(id, data);
      if (chunk.error) {
        yield errorPart(classifyStreamError(id, chunk));
        return;
      }
      const u = usageOf(chunk.usage);
      if (u) usage = u;
      for (const choice of chunk.choices ?? []) {
        const delta = choice.delta;
        if (typeof delta?.content === "string" && delta.content !== "") {
          text += delta.content;
          yield { type: "text-delta", text: delta.content };
        }
        for (const tc of delta?.tool_calls ?? []) {
          const index = typeof tc.index === "number" ? tc.index : pending.size;
          let p = pending.get(index);
          if (!p) {
            p = { id: "", name: "", args: "" };
            pending.set(index, p);
          }
          if (typeof tc.id === "string" && tc.id) p.id = tc.id;
          if (typeof tc.function?.name === "string" && tc.function.name) p.name += tc.function.name;
          const piece = typeof tc.function?.arguments === "string" ? tc.function.arguments : "";
          p.args += piece;
          const part: StreamPart = { type: "tool-call-delta", index, argumentsDelta: piece };
          if (typeof tc.id === "string" && tc.id) part.id = tc.id;
          if (typeof tc.function?.name === "string" && tc.function.name) {
            part.name = tc.function.name;
          }
          yield part;
        }
        if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
          finish = mapFinish(choice.finish_reason);
          yield* flushCalls();
        }
      }
    }
    if (!done && finish === undefined) {
      throw cutShort(id);
    }
    if (finish === "error") {
      yield errorPart(
        new ProviderError(`Cannot complete stream of provider "${id}": finish_reason error`, {
          kind: "stream",
          provider: id,
        }),
      );
      return;
    }
    yield* flushCalls();
    yield* closingParts(request, { text, wireCalls: emittedCalls ? 1 : 0, reason: finish, usage });
  }

  async function probe(options: ChatOptions = {}): Promise<ProbeResult> {
    const result = await family.probe("models", options);
    if (/:11434\/v1\/?$/.test(settings.baseURL)) {
      // LESSONS §3.5: Ollama's /v1 parser turns local models' tool calls into plain text
      result.detail +=
        "; warning: this looks like Ollama's OpenAI-compatible /v1 endpoint, which loses tool calls of local models (use LLM_PROVIDER=ollama with OLLAMA_BASE_URL instead)";
    }
    return result;
  }

  return {
    id,
    model: settings.model ?? "",
    chat,
    probe,
  };
}
