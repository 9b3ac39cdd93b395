/**
 * What the provider families make of an answer: stream parts, tool calls with checked
 * arguments, the closing parts of every answer, and the errors of an unreadable answer.
 * @module
 */
import { errorMessage, ProviderError } from "../errors.ts";
import type { ChatRequest, FinishReason, StreamPart, ToolCall, Usage } from "./types.ts";
import { parseTextToolCalls } from "./text_tool_calls.ts";

/** Error part helper. */
export function errorPart(error: ProviderError): StreamPart {
  return { type: "error", error };
}

/** Parses one stream event's JSON; unparsable data is a `stream` error of `provider`. */
export function eventJson<T = Record<string, unknown>>(provider: string, data: string): T {
  try {
    return JSON.parse(data);
  } catch (error) {
    throw new ProviderError(`Cannot parse stream event of provider "${provider}"`, {
      kind: "stream",
      provider,
      cause: error,
    });
  }
}

/** The error of a stream that closed before the provider said it was done. */
export function cutShort(provider: string): ProviderError {
  return new ProviderError(
    `Cannot complete stream of provider "${provider}": the connection closed before the end`,
    { kind: "stream", provider },
  );
}

/** The error of an answer without what every answer has, e.g. `no content`. */
export function unreadable(provider: string, what: string): ProviderError {
  return new ProviderError(`Cannot read response of provider "${provider}": ${what}`, {
    kind: "stream",
    provider,
  });
}

/**
 * Parses tool-call arguments sent as a JSON string. Never throws: an invalid or non-object
 * value gives `{}` plus an `argumentsError` message for the agent to report.
 */
export function parseToolArguments(
  name: string,
  raw: string,
): { arguments: Record<string, unknown>; argumentsError?: string } {
  if (raw.trim() === "") return { arguments: {} };
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return { arguments: value as Record<string, unknown> };
    }
    return {
      arguments: {},
      argumentsError: `Cannot use arguments of tool "${name}": expected a JSON object`,
    };
  } catch (error) {
    return {
      arguments: {},
      argumentsError: `Cannot parse arguments of tool "${name}" as JSON: ${errorMessage(error)}`,
    };
  }
}

/** Object-valued arguments (Ollama, Gemini, Anthropic non-stream) checked the same way. */
export function objectArguments(
  name: string,
  value: unknown,
): { arguments: Record<string, unknown>; argumentsError?: string } {
  if (value === undefined || value === null) return { arguments: {} };
  if (typeof value === "string") return parseToolArguments(name, value);
  if (typeof value === "object" && !Array.isArray(value)) {
    return { arguments: value as Record<string, unknown> };
  }
  return {
    arguments: {},
    argumentsError: `Cannot use arguments of tool "${name}": expected a JSON object`,
  };
}

/** Builds a ToolCall, omitting an absent `argumentsError`. */
export function makeToolCall(
  id: string,
  name: string,
  args: { arguments: Record<string, unknown>; argumentsError?: string },
  providerData?: Record<string, unknown>,
): ToolCall {
  const call: ToolCall = { id, name, arguments: args.arguments };
  if (args.argumentsError !== undefined) call.argumentsError = args.argumentsError;
  if (providerData !== undefined) call.providerData = providerData;
  return call;
}

/**
 * The last parts of every answer: tool calls the model wrote as text (when it sent none on the
 * wire and the request offered tools, as `tool-call` parts with `fromText: true`), then
 * `finish` — `tool-calls` when any call was made, else `reason`.
 */
export function closingParts(
  request: ChatRequest,
  answer: {
    text: string;
    wireCalls: number;
    reason: FinishReason | undefined;
    usage?: Usage | undefined;
  },
): StreamPart[] {
  const fromText: StreamPart[] = answer.wireCalls > 0 || !request.tools?.length || !answer.text
    ? []
    : parseTextToolCalls(answer.text, request.tools).map((toolCall) => ({
      type: "tool-call" as const,
      toolCall,
      fromText: true,
    }));
  const given = answer.reason ?? "stop";
  const reason: FinishReason = fromText.length || (answer.wireCalls > 0 && given === "stop")
    ? "tool-calls"
    : given;
  return [
    ...fromText,
    answer.usage ? { type: "finish", reason, usage: answer.usage } : { type: "finish", reason },
  ];
}
