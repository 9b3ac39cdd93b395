/**
 * Google Gemini `generateContent` / `streamGenerateContent?alt=sse` with function calling.
 * @module
 */
import { ProviderError } from "../errors.ts";
import {
  closingParts,
  cutShort,
  errorPart,
  eventJson,
  makeToolCall,
  objectArguments,
  unreadable,
} from "./_answer.ts";
import { readJson, readSSE } from "./_body.ts";
import { createFamily, type FamilySettings } from "./_family.ts";
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

/** Settings of {@linkcode createGemini}. */
export type GeminiSettings = FamilySettings;

/** Default base URL. */
export const GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

type Part = Record<string, unknown>;

function mapFinish(reason: unknown): FinishReason | undefined {
  switch (reason) {
    case undefined:
    case null:
      return undefined;
    case "STOP":
      return "stop";
    case "MAX_TOKENS":
      return "length";
    case "SAFETY":
    case "RECITATION":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
    case "IMAGE_SAFETY":
      return "content-filter";
    default:
      return "other";
  }
}

function toolResponse(m: Extract<Message, { role: "tool" }>): Record<string, unknown> {
  if (m.isError) return { error: m.content };
  try {
    const v: unknown = JSON.parse(m.content);
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      return v as Record<string, unknown>;
    }
  } catch {
    // plain text result
  }
  return { result: m.content };
}

function toWire(
  messages: Message[],
): { system: string; contents: { role: string; parts: Part[] }[] } {
  const system: string[] = [];
  const contents: { role: string; parts: Part[] }[] = [];
  function push(role: "user" | "model", parts: Part[]): void {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }
  for (const m of messages) {
    switch (m.role) {
      case "system":
        system.push(m.content);
        break;
      case "user":
        push("user", m.content ? [{ text: m.content }] : []);
        break;
      case "assistant": {
        const parts: Part[] = m.content ? [{ text: m.content }] : [];
        for (const c of m.toolCalls ?? []) {
          const fc: Part = { name: c.name, args: c.arguments };
          if (c.providerData?.geminiId === true) fc.id = c.id;
          const part: Part = { functionCall: fc };
          if (typeof c.providerData?.thoughtSignature === "string") {
            part.thoughtSignature = c.providerData.thoughtSignature;
          }
          parts.push(part);
        }
        push("model", parts);
        break;
      }
      case "tool":
        push("user", [{ functionResponse: { name: m.name, response: toolResponse(m) } }]);
        break;
    }
  }
  return { system: system.join("\n\n"), contents };
}

/** The model id as a path segment, without the optional `models/` prefix. */
function modelPath(model: string | undefined): string {
  return encodeURIComponent((model ?? "").replace(/^models\//, ""));
}

function stripSchemaKey(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

interface State {
  text: string;
  calls: number;
  finish: FinishReason | undefined;
  usage: Usage | undefined;
  /** Parts produced by the last `handle` call. */
  pending: StreamPart[];
}

/** Creates a provider for the Gemini API. */
export function createGemini(settings: GeminiSettings = {}): Provider {
  const family = createFamily(settings, {
    name: "gemini",
    baseURL: GEMINI_BASE_URL,
    auth: (key) => (key === undefined ? {} : { "x-goog-api-key": key }),
  });
  const { id } = family;

  function body(request: ChatRequest): string {
    const wire = toWire(request.messages);
    const b: Record<string, unknown> = { contents: wire.contents };
    if (wire.system) b.systemInstruction = { parts: [{ text: wire.system }] };
    if (request.tools?.length) {
      b.tools = [{
        functionDeclarations: request.tools.map((t) => ({
          name: t.name,
          description: t.description,
          parametersJsonSchema: stripSchemaKey(t.parameters),
        })),
      }];
    }
    const gen: Record<string, unknown> = {};
    if (request.temperature !== undefined) gen.temperature = request.temperature;
    if (request.maxTokens !== undefined) gen.maxOutputTokens = request.maxTokens;
    if (Object.keys(gen).length) b.generationConfig = gen;
    return JSON.stringify(b);
  }

  function chat(request: ChatRequest, options: ChatOptions = {}): AsyncGenerator<StreamPart> {
    const state: State = { text: "", calls: 0, finish: undefined, usage: undefined, pending: [] };
    return family.chat(request, options, (stream) => ({
      path: `models/${modelPath(request.model ?? settings.model)}${
        stream ? ":streamGenerateContent?alt=sse" : ":generateContent"
      }`,
      body: body(request),
      async *read(response) {
        if (stream) {
          if (!response.body) throw new TypeError("Response has no body");
          let events = 0;
          for await (const event of readSSE(response.body)) {
            if (event.data.trim() === "") continue;
            events++;
            const error = handle(eventJson<unknown>(id, event.data), state);
            if (error) return yield errorPart(error);
            yield* state.pending.splice(0);
          }
          if (events === 0 || state.finish === undefined) {
            throw cutShort(id);
          }
        } else {
          const error = handle(await readJson(response), state);
          if (error) return yield errorPart(error);
          yield* state.pending.splice(0);
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

  /** Applies one GenerateContentResponse; queues parts in `state.pending`. */
  function handle(data: unknown, state: State): ProviderError | undefined {
    state.pending = [];
    const d = data as {
      error?: unknown;
      candidates?: { content?: { parts?: Part[] }; finishReason?: unknown }[];
      promptFeedback?: { blockReason?: unknown };
      usageMetadata?: { promptTokenCount?: unknown; candidatesTokenCount?: unknown };
    };
    if (d?.error) return classifyStreamError(id, d);
    if (d?.usageMetadata) {
      const usage: Usage = {};
      if (typeof d.usageMetadata.promptTokenCount === "number") {
        usage.inputTokens = d.usageMetadata.promptTokenCount;
      }
      if (typeof d.usageMetadata.candidatesTokenCount === "number") {
        usage.outputTokens = d.usageMetadata.candidatesTokenCount;
      }
      state.usage = usage;
    }
    if (d?.promptFeedback?.blockReason) state.finish = "content-filter";
    const candidate = d?.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (typeof part.text === "string" && part.text && part.thought !== true) {
        state.text += part.text;
        state.pending.push({ type: "text-delta", text: part.text });
      }
      const fc = part.functionCall as { name?: unknown; args?: unknown; id?: unknown } | undefined;
      if (fc && typeof fc === "object") {
        const name = String(fc.name ?? "");
        const index = state.calls++;
        const hasId = typeof fc.id === "string" && fc.id !== "";
        const providerData: Record<string, unknown> = {};
        if (hasId) providerData.geminiId = true;
        if (typeof part.thoughtSignature === "string") {
          providerData.thoughtSignature = part.thoughtSignature;
        }
        const toolCall: ToolCall = makeToolCall(
          hasId ? String(fc.id) : `gemini_call_${index}`,
          name,
          objectArguments(name, fc.args),
          Object.keys(providerData).length ? providerData : undefined,
        );
        state.pending.push({
          type: "tool-call-delta",
          index,
          id: toolCall.id,
          name,
          argumentsDelta: JSON.stringify(toolCall.arguments),
        });
        state.pending.push({ type: "tool-call", toolCall });
      }
    }
    const finish = mapFinish(candidate?.finishReason);
    if (finish) state.finish = finish;
    if (!candidate && !d?.usageMetadata && !d?.promptFeedback) {
      return unreadable(id, "no candidates");
    }
    return undefined;
  }

  function probe(options: ChatOptions = {}): Promise<ProbeResult> {
    return family.probe("models", options);
  }

  return { id, model: settings.model ?? "", chat, probe };
}
