/**
 * `createMockProvider`: a scripted {@linkcode Provider} for tests (yours and ours). No network.
 *
 * @example Script a tool call, then a final answer
 * ```ts
 * const provider = createMockProvider([
 *   { toolCalls: [{ name: "parse_url", arguments: { url: "https://x.test/a" } }] },
 *   "The host is x.test.",
 * ]);
 * const agent = createAgent({ provider, tools: [parseUrlTool()] });
 * await agent.run({ input: "host of https://x.test/a?", sessionKey: "test" });
 * provider.requests[1].messages; // includes the tool result
 * ```
 * @module
 */
import { ProviderError } from "../errors.ts";
import type { ProviderErrorKind } from "../errors.ts";
import type {
  ChatOptions,
  ChatRequest,
  FinishReason,
  Provider,
  StreamPart,
  ToolCall,
  Usage,
} from "./types.ts";
import { sleep } from "../_internal/sleep.ts";

/** A tool call in a script; `arguments` as a string is parsed like wire JSON. */
export interface MockToolCall {
  /** @default {"call_<request index>_<position>"} */
  id?: string;
  name: string;
  /** An object, or raw JSON text; text that does not parse yields `argumentsError`. */
  arguments?: Record<string, unknown> | string;
}

/** A reply: text (one delta, or one delta per array item) and/or tool calls. */
export interface MockReply {
  text?: string | string[];
  toolCalls?: MockToolCall[];
  /** @default {"tool-calls" when there are tool calls, else "stop"} */
  finishReason?: FinishReason;
  usage?: Usage;
  /** Announce a provider switch first, as a fallback chain does. */
  fallback?: { from: string; to: string; reason: string };
  /** Wait this long (abortable) before answering. */
  delayMs?: number;
}

/** A provider failure, delivered as an `error` part (after `text`, if given). */
export interface MockFailure {
  error: ProviderError | string;
  /** @default {"server"} */
  kind?: ProviderErrorKind;
  status?: number;
  /** Text streamed before the failure (a mid-stream error). */
  text?: string;
}

/** Raw stream parts, yielded as given. */
export interface MockParts {
  parts: StreamPart[];
}

/** Streams `text` (if any), then waits until the request's signal aborts. */
export interface MockHang {
  hang: true;
  text?: string;
}

/** What the mock knows when a step is a function. */
export interface MockStepContext {
  /** Zero-based index of this request. */
  index: number;
  signal: AbortSignal | undefined;
}

/** One scripted answer. A string is a plain text reply. */
export type MockStep =
  | string
  | MockReply
  | MockFailure
  | MockParts
  | MockHang
  | ((request: ChatRequest, context: MockStepContext) => MockStep | Promise<MockStep>);

/** One recorded call. */
export interface MockCall {
  /** A snapshot of the request as it was sent. */
  request: ChatRequest;
  signal: AbortSignal | undefined;
}

/** A {@linkcode Provider} that answers from a script and records what it was asked. */
export interface MockProvider extends Provider {
  /** Snapshots of every request, in order. */
  readonly requests: readonly ChatRequest[];
  /** Every call with its signal, in order. */
  readonly calls: readonly MockCall[];
  /** Script steps not used yet. */
  readonly remaining: number;
}

/** Options of {@linkcode createMockProvider}. */
export interface MockProviderOptions {
  /** @default {"mock"} */
  id?: string;
  /** @default {"mock-model"} */
  model?: string;
}

/**
 * A scripted provider: request N is answered by `script[N]`. A request beyond the script
 * gets an `error` part saying so. An aborted signal ends the stream with an `error` part
 * of kind `aborted`, as the real providers do.
 */
export function createMockProvider(
  script: readonly MockStep[],
  options: MockProviderOptions = {},
): MockProvider {
  const id = options.id ?? "mock";
  const model = options.model ?? "mock-model";
  const calls: MockCall[] = [];

  async function* chat(request: ChatRequest, chatOptions: ChatOptions = {}): AsyncGenerator<
    StreamPart
  > {
    const index = calls.length;
    const signal = chatOptions.signal;
    calls.push({ request: structuredClone(request), signal });
    const aborted = (): StreamPart => ({
      type: "error",
      error: new ProviderError(`Cannot chat with "${id}": request aborted`, {
        kind: "aborted",
        provider: id,
        cause: signal?.reason,
      }),
    });
    if (signal?.aborted) return yield aborted();
    let scripted = script[index];
    if (scripted === undefined) {
      yield {
        type: "error",
        error: new ProviderError(
          `Cannot chat with "${id}": the script has no step ${index + 1} (it has ${script.length})`,
          { kind: "bad-request", provider: id },
        ),
      };
      return;
    }
    // A function may return another step (even another function): resolve to data.
    for (let depth = 0; typeof scripted === "function"; depth++) {
      if (depth > 16) throw new TypeError("Cannot run mock step: functions nest too deeply");
      scripted = await scripted(request, { index, signal });
    }
    const step: Exclude<MockStep, string | ((...args: never[]) => unknown)> =
      typeof scripted === "string" ? { text: scripted } : scripted;

    if ("parts" in step) {
      for (const part of step.parts) {
        if (signal?.aborted) return yield aborted();
        yield part;
      }
      return;
    }
    if ("hang" in step) {
      if (step.text) yield { type: "text-delta", text: step.text };
      await waitForAbort(signal);
      return yield aborted();
    }
    if ("error" in step) {
      if (step.text) yield { type: "text-delta", text: step.text };
      const error = typeof step.error === "string"
        ? new ProviderError(step.error, {
          kind: step.kind ?? "server",
          provider: id,
          status: step.status,
        })
        : step.error;
      yield { type: "error", error };
      return;
    }

    if (step.delayMs) {
      const completed = await sleep(step.delayMs, signal).then(() => true, () => false);
      if (!completed) return yield aborted();
    }
    if (step.fallback) yield { type: "fallback", ...step.fallback };
    const texts = step.text === undefined ? [] : Array.isArray(step.text) ? step.text : [step.text];
    for (const text of texts) {
      if (signal?.aborted) return yield aborted();
      yield { type: "text-delta", text };
    }
    const toolCalls = step.toolCalls ?? [];
    for (const [i, call] of toolCalls.entries()) {
      if (signal?.aborted) return yield aborted();
      yield { type: "tool-call", toolCall: toToolCall(call, `call_${index}_${i}`) };
    }
    const finish: StreamPart = {
      type: "finish",
      reason: step.finishReason ?? (toolCalls.length > 0 ? "tool-calls" : "stop"),
    };
    if (step.usage) finish.usage = step.usage;
    yield finish;
  }

  return {
    id,
    model,
    chat,
    get requests(): readonly ChatRequest[] {
      return calls.map((c) => c.request);
    },
    calls,
    get remaining(): number {
      return Math.max(0, script.length - calls.length);
    },
  };
}

// --- Internal helpers ---

function toToolCall(call: MockToolCall, fallbackId: string): ToolCall {
  const toolCall: ToolCall = {
    id: call.id ?? fallbackId,
    name: call.name,
    arguments: {},
  };
  if (typeof call.arguments === "string") {
    try {
      const parsed: unknown = JSON.parse(call.arguments);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        toolCall.argumentsError = "arguments must be a JSON object";
      } else {
        toolCall.arguments = parsed as Record<string, unknown>;
      }
    } catch (error) {
      toolCall.argumentsError = `arguments are not valid JSON: ${(error as Error).message}`;
    }
  } else if (call.arguments) {
    toolCall.arguments = call.arguments;
  }
  return toolCall;
}

function waitForAbort(signal: AbortSignal | undefined): Promise<void> {
  // Without a signal nothing can end the wait: fail loudly instead of hanging a test forever.
  if (!signal) return Promise.reject(new TypeError("Cannot hang: the request has no signal"));
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
}
