/**
 * The provider contract: one interface for every LLM family, shaped like the AI SDK's
 * language-model spec (typed stream parts), without depending on it.
 * @module
 */
import type { ProviderError } from "../errors.ts";

/** A tool call the model asked for. `arguments` is the parsed JSON object. */
export interface ToolCall {
  /** Provider-issued id, echoed back in the tool result. */
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  /**
   * Set when the model sent arguments that are not a JSON object (then `arguments` is `{}`):
   * the agent must not run the tool but answer with an error result carrying this message.
   */
  argumentsError?: string;
  /**
   * Opaque data the provider needs echoed back with this call in later requests (e.g. Gemini's
   * `thoughtSignature`); keep it when the call is stored in history.
   */
  providerData?: Record<string, unknown>;
}

/** A chat message in the provider-neutral form. */
export type Message =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; name: string; content: string; isError?: boolean };

/** A function the model may call; `parameters` is JSON Schema (type "object"). */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** One chat request. */
export interface ChatRequest {
  messages: Message[];
  tools?: ToolDefinition[];
  /** Override the provider's configured model for this request. */
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Stream from the wire (default true); the parts are the same either way. */
  stream?: boolean;
}

/** Why the model stopped. */
export type FinishReason = "stop" | "tool-calls" | "length" | "content-filter" | "error" | "other";

/** Token usage, where the provider reports it. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
}

/** The typed parts a chat stream yields, in order. */
export type StreamPart =
  | { type: "text-delta"; text: string }
  | { type: "tool-call-delta"; index: number; id?: string; name?: string; argumentsDelta: string }
  | {
    type: "tool-call";
    toolCall: ToolCall;
    /** True when the call was recovered from the model's text, not sent as a tool call. */
    fromText?: boolean;
  }
  | { type: "finish"; reason: FinishReason; usage?: Usage }
  | { type: "fallback"; from: string; to: string; reason: string }
  | { type: "error"; error: ProviderError };

/** Options of a single chat call. */
export interface ChatOptions {
  signal?: AbortSignal;
}

/** A configured model of one provider (or a fallback chain acting as one). */
export interface Provider {
  /** Provider id, e.g. `openai`, or `fallback` for a chain. */
  readonly id: string;
  /** Model id used when the request names none. */
  readonly model: string;
  /**
   * Run one request. Never throws for provider failures: they arrive as an `error` part,
   * after which the stream ends. Throws only for programming errors (bad arguments).
   */
  chat(request: ChatRequest, options?: ChatOptions): AsyncIterable<StreamPart>;
  /**
   * The cheapest authenticated call (usually the model list), for `doctor`. Optional: without
   * it `probeProvider` sends a 1-token chat request.
   */
  probe?(options?: ChatOptions): Promise<ProbeResult>;
}

/** Outcome of a provider probe. */
export interface ProbeResult {
  ok: boolean;
  /** One line for people: what was reached, or what is wrong and how to fix it. */
  detail: string;
  /** Failure class when `ok` is false (`auth`, `network`, `timeout`, ...). */
  kind?: string;
  /** HTTP status of the probe, when there was a response. */
  status?: number;
  /** True when the endpoint does not exist (the probe should fall back to a chat call). */
  unsupported?: boolean;
}

/** The collected result of a whole chat stream. */
export interface ChatResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage?: Usage;
}
