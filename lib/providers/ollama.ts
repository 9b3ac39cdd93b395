/**
 * Ollama's native `/api/chat` (NDJSON streaming; tool-call arguments are objects). The native
 * API is used rather than `/v1`, whose tool-call parsing loses calls of local models.
 * @module
 */
import { ProviderError } from "../errors.ts";
import {
  closingParts,
  cutShort,
  errorPart,
  makeToolCall,
  objectArguments,
  unreadable,
} from "./_answer.ts";
import { readJson, readNDJSON } from "./_body.ts";
import { bearer, createFamily, type FamilySettings } from "./_family.ts";
import { classifyStreamError } from "./classify_error.ts";
import type {
  ChatOptions,
  ChatRequest,
  FinishReason,
  Message,
  ProbeResult,
  Provider,
  StreamPart,
  Usage,
} from "./types.ts";

/** Settings of {@linkcode createOllama}. */
export type OllamaSettings = FamilySettings;

/** Default base URL. */
export const OLLAMA_BASE_URL = "http://localhost:11434";

function toWire(messages: Message[]): unknown[] {
  return messages.map((m) => {
    switch (m.role) {
      case "assistant": {
        const out: Record<string, unknown> = { role: "assistant", content: m.content };
        if (m.toolCalls?.length) {
          out.tool_calls = m.toolCalls.map((c) => ({
            function: { name: c.name, arguments: c.arguments },
          }));
        }
        return out;
      }
      case "tool":
        return { role: "tool", tool_name: m.name, content: m.content };
      default:
        return { role: m.role, content: m.content };
    }
  });
}

interface State {
  text: string;
  calls: number;
  done: boolean;
  finish: FinishReason;
  usage: Usage | undefined;
}

/** Creates a provider for a local or remote Ollama server. */
export function createOllama(settings: OllamaSettings = {}): Provider {
  const family = createFamily(settings, {
    name: "ollama",
    baseURL: OLLAMA_BASE_URL,
    auth: bearer,
    sse: false,
  });
  const { id } = family;

  function body(request: ChatRequest, stream: boolean): string {
    const b: Record<string, unknown> = {
      model: request.model ?? settings.model,
      messages: toWire(request.messages),
      stream,
    };
    if (request.tools?.length) {
      b.tools = request.tools.map((t) => ({
        type: "function",
        function: { name: t.name, description: t.description, parameters: t.parameters },
      }));
    }
    const opts: Record<string, unknown> = {};
    if (request.temperature !== undefined) opts.temperature = request.temperature;
    if (request.maxTokens !== undefined) opts.num_predict = request.maxTokens;
    if (Object.keys(opts).length) b.options = opts;
    return JSON.stringify(b);
  }

  /** Applies one response object; returns parts or a classified error. */
  function handle(data: unknown, state: State): StreamPart[] | ProviderError {
    const d = data as {
      error?: unknown;
      message?: { content?: unknown; tool_calls?: unknown };
      done?: unknown;
      done_reason?: unknown;
      prompt_eval_count?: unknown;
      eval_count?: unknown;
    };
    if (typeof d !== "object" || d === null) {
      return unreadable(id, "not an object");
    }
    if (d.error !== undefined) return classifyStreamError(id, d);
    const parts: StreamPart[] = [];
    const content = d.message?.content;
    if (typeof content === "string" && content) {
      state.text += content;
      parts.push({ type: "text-delta", text: content });
    }
    const calls = Array.isArray(d.message?.tool_calls) ? d.message.tool_calls : [];
    for (
      const c of calls as { id?: unknown; function?: { name?: unknown; arguments?: unknown } }[]
    ) {
      const name = String(c?.function?.name ?? "");
      const index = state.calls++;
      const callId = typeof c?.id === "string" && c.id ? c.id : `ollama_call_${index}`;
      const toolCall = makeToolCall(callId, name, objectArguments(name, c?.function?.arguments));
      parts.push({
        type: "tool-call-delta",
        index,
        id: callId,
        name,
        argumentsDelta: JSON.stringify(toolCall.arguments),
      });
      parts.push({ type: "tool-call", toolCall });
    }
    if (d.done === true) {
      state.done = true;
      state.finish = d.done_reason === "length" ? "length" : "stop";
      const usage: Usage = {};
      if (typeof d.prompt_eval_count === "number") usage.inputTokens = d.prompt_eval_count;
      if (typeof d.eval_count === "number") usage.outputTokens = d.eval_count;
      state.usage = usage;
    }
    return parts;
  }

  function chat(request: ChatRequest, options: ChatOptions = {}): AsyncGenerator<StreamPart> {
    const state: State = { text: "", calls: 0, done: false, finish: "stop", usage: undefined };
    return family.chat(request, options, (stream) => ({
      path: "api/chat",
      body: body(request, stream),
      async *read(response) {
        if (!stream) {
          const parts = handle(await readJson(response), state);
          if (parts instanceof ProviderError) return yield errorPart(parts);
          yield* parts;
          state.done = true;
        } else {
          if (!response.body) throw new TypeError("Response has no body");
          for await (const line of readNDJSON(response.body)) {
            const parts = handle(line, state);
            if (parts instanceof ProviderError) return yield errorPart(parts);
            yield* parts;
            if (state.done) break;
          }
        }
        if (!state.done) {
          throw cutShort(id);
        }
        yield* closingParts(request, {
          text: state.text,
          wireCalls: state.calls,
          reason: state.finish,
          usage: state.usage,
        });
      },
    }));
  }

  function probe(options: ChatOptions = {}): Promise<ProbeResult> {
    return family.probe("api/tags", options);
  }

  return { id, model: settings.model ?? "", chat, probe };
}
