/**
 * Anthropic Messages API (`POST /v1/messages`), streaming with named SSE events.
 * @module
 */
import {
  closingParts,
  cutShort,
  errorPart,
  eventJson,
  makeToolCall,
  objectArguments,
  parseToolArguments,
  unreadable,
} from "./_answer.ts";
import { readSSE } from "./_body.ts";
import { createFamily, type FamilySettings, streamOrJson } from "./_family.ts";
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

/** Settings of {@linkcode createAnthropic}. */
export interface AnthropicSettings extends FamilySettings {
  /** `anthropic-version` header (default `2023-06-01`). */
  version?: string;
  /** `max_tokens` when the request names none (required by the API; default 4096). */
  defaultMaxTokens?: number;
}

/** Default base URL (without `/v1`, as the official SDK takes it). */
export const ANTHROPIC_BASE_URL = "https://api.anthropic.com";

function mapStop(reason: unknown): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "tool_use":
      return "tool-calls";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "refusal":
      return "content-filter";
    default:
      return "other";
  }
}

type Block = Record<string, unknown>;

/** Converts neutral messages to Anthropic's: system on top, tool results as user blocks. */
function toWire(
  messages: Message[],
): { system: string; messages: { role: string; content: Block[] }[] } {
  const system: string[] = [];
  const out: { role: string; content: Block[] }[] = [];
  function push(role: "user" | "assistant", blocks: Block[]): void {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) {
      // tool results must come first in a user message
      if (role === "user" && blocks[0]?.type === "tool_result") last.content.unshift(...blocks);
      else last.content.push(...blocks);
    } else out.push({ role, content: blocks });
  }
  for (const m of messages) {
    switch (m.role) {
      case "system":
        system.push(m.content);
        break;
      case "user":
        push("user", m.content ? [{ type: "text", text: m.content }] : []);
        break;
      case "assistant": {
        const blocks: Block[] = m.content ? [{ type: "text", text: m.content }] : [];
        for (const c of m.toolCalls ?? []) {
          blocks.push({ type: "tool_use", id: c.id, name: c.name, input: c.arguments });
        }
        push("assistant", blocks);
        break;
      }
      case "tool": {
        const block: Block = { type: "tool_result", tool_use_id: m.toolCallId, content: m.content };
        if (m.isError) block.is_error = true;
        const last = out[out.length - 1];
        if (last?.role === "user") {
          const firstNonResult = last.content.findIndex((b) => b.type !== "tool_result");
          if (firstNonResult < 0) last.content.push(block);
          else last.content.splice(firstNonResult, 0, block);
        } else out.push({ role: "user", content: [block] });
        break;
      }
    }
  }
  return { system: system.join("\n\n"), messages: out };
}

/** Creates a provider for the Anthropic Messages API. */
export function createAnthropic(settings: AnthropicSettings = {}): Provider {
  const family = createFamily(settings, {
    name: "anthropic",
    baseURL: ANTHROPIC_BASE_URL,
    auth: (key) => ({
      "anthropic-version": settings.version ?? "2023-06-01",
      ...(key === undefined ? {} : { "x-api-key": key }),
    }),
  });
  const { id } = family;

  function body(request: ChatRequest, stream: boolean): string {
    const wire = toWire(request.messages);
    const b: Record<string, unknown> = {
      model: request.model ?? settings.model,
      max_tokens: request.maxTokens ?? settings.defaultMaxTokens ?? 4096,
      messages: wire.messages,
    };
    if (wire.system) b.system = wire.system;
    if (request.tools?.length) {
      b.tools = request.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: t.parameters,
      }));
    }
    if (request.temperature !== undefined) b.temperature = request.temperature;
    if (stream) b.stream = true;
    return JSON.stringify(b);
  }

  function chat(request: ChatRequest, options: ChatOptions = {}): AsyncGenerator<StreamPart> {
    return family.chat(request, options, (stream) => ({
      path: "v1/messages",
      body: body(request, stream),
      read: streamOrJson(stream, (r) => parseStream(r, request), (d) => parseJson(d, request)),
    }));
  }

  function usageOf(u: unknown, into: Usage = {}): Usage {
    const o = (u ?? {}) as { input_tokens?: unknown; output_tokens?: unknown };
    if (typeof o.input_tokens === "number") into.inputTokens = o.input_tokens;
    if (typeof o.output_tokens === "number") into.outputTokens = o.output_tokens;
    return into;
  }

  function* parseJson(data: unknown, request: ChatRequest): Generator<StreamPart> {
    const d = data as { type?: unknown; content?: unknown; stop_reason?: unknown; usage?: unknown };
    if (d?.type === "error") {
      yield errorPart(classifyStreamError(id, d));
      return;
    }
    if (!Array.isArray(d?.content)) {
      yield errorPart(unreadable(id, "no content"));
      return;
    }
    let text = "";
    let calls = 0;
    for (const block of d.content as Block[]) {
      if (block.type === "text" && typeof block.text === "string") {
        text += block.text;
        if (block.text) yield { type: "text-delta", text: block.text };
      } else if (block.type === "tool_use") {
        const name = String(block.name ?? "");
        calls++;
        yield {
          type: "tool-call",
          toolCall: makeToolCall(
            String(block.id ?? `toolu_${calls}`),
            name,
            objectArguments(name, block.input),
          ),
        };
      }
    }
    yield* closingParts(request, {
      text,
      wireCalls: calls,
      reason: mapStop(d.stop_reason),
      usage: usageOf(d.usage),
    });
  }

  async function* parseStream(
    response: Response,
    request: ChatRequest,
  ): AsyncGenerator<StreamPart> {
    if (!response.body) throw new TypeError("Response has no body");
    const blocks = new Map<number, { id: string; name: string; json: string }>();
    const usage: Usage = {};
    let text = "";
    let calls = 0;
    let stop: FinishReason | undefined;
    let ended = false;
    for await (const event of readSSE(response.body)) {
      if (event.data.trim() === "") continue;
      const data = eventJson(id, event.data);
      const type = event.event ?? data.type;
      if (type === "error" || data.type === "error") {
        yield errorPart(classifyStreamError(id, data));
        return;
      }
      const index = typeof data.index === "number" ? data.index : -1;
      switch (type) {
        case "message_start":
          usageOf((data.message as { usage?: unknown } | undefined)?.usage, usage);
          break;
        case "content_block_start": {
          const block = (data.content_block ?? {}) as Block;
          if (block.type === "tool_use") {
            const b = { id: String(block.id ?? ""), name: String(block.name ?? ""), json: "" };
            blocks.set(index, b);
            yield { type: "tool-call-delta", index, id: b.id, name: b.name, argumentsDelta: "" };
          } else if (block.type === "text" && typeof block.text === "string" && block.text) {
            text += block.text;
            yield { type: "text-delta", text: block.text };
          }
          break;
        }
        case "content_block_delta": {
          const delta = (data.delta ?? {}) as Block;
          if (delta.type === "text_delta" && typeof delta.text === "string" && delta.text) {
            text += delta.text;
            yield { type: "text-delta", text: delta.text };
          } else if (delta.type === "input_json_delta" && typeof delta.partial_json === "string") {
            const b = blocks.get(index);
            if (b) {
              b.json += delta.partial_json;
              yield { type: "tool-call-delta", index, argumentsDelta: delta.partial_json };
            }
          }
          break;
        }
        case "content_block_stop": {
          const b = blocks.get(index);
          if (b) {
            blocks.delete(index);
            calls++;
            yield {
              type: "tool-call",
              toolCall: makeToolCall(b.id, b.name, parseToolArguments(b.name, b.json)),
            };
          }
          break;
        }
        case "message_delta": {
          const delta = (data.delta ?? {}) as Block;
          if (delta.stop_reason !== undefined && delta.stop_reason !== null) {
            stop = mapStop(delta.stop_reason);
          }
          usageOf(data.usage, usage);
          break;
        }
        case "message_stop":
          ended = true;
          break;
        default:
          break; // ping and unknown events
      }
      if (ended) break;
    }
    if (!ended && stop === undefined) {
      throw cutShort(id);
    }
    yield* closingParts(request, { text, wireCalls: calls, reason: stop, usage });
  }

  function probe(options: ChatOptions = {}): Promise<ProbeResult> {
    return family.probe("v1/models", options);
  }

  return { id, model: settings.model ?? "", chat, probe };
}
