/**
 * One model call of a turn: streams the provider's answer, forwards text and fallback events,
 * collects tool calls and usage, and stops waiting the moment the turn is aborted.
 * @module
 */
import type { ChatRequest, Provider, ToolCall, Usage } from "../providers/types.ts";
import type { AgentEvent } from "./types.ts";

/** What the model answered in one call. */
export interface ModelReply {
  text: string;
  toolCalls: ToolCall[];
  usage?: Usage;
}

/**
 * Sends `request` to `provider` and gathers its reply; an `error` part is thrown. A provider
 * left early (abort, error) is told to stop, never awaited.
 */
export async function callModel(
  provider: Provider,
  request: ChatRequest,
  emit: (event: AgentEvent) => void,
  signal: AbortSignal,
): Promise<ModelReply> {
  const iterator = provider.chat(request, { signal })[Symbol.asyncIterator]();
  let text = "";
  const toolCalls: ToolCall[] = [];
  let usage: Usage | undefined;
  let finished = false;
  try {
    for (;;) {
      const next = await raceAbort(iterator.next(), signal);
      if (next.done) break;
      const part = next.value;
      switch (part.type) {
        case "text-delta":
          text += part.text;
          emit({ type: "text-delta", text: part.text });
          break;
        case "tool-call":
          toolCalls.push(part.toolCall);
          break;
        case "finish":
          if (part.usage) usage = part.usage;
          break;
        case "fallback":
          emit({
            type: "fallback",
            from: part.from,
            to: part.to,
            reason: part.reason,
          });
          break;
        case "error":
          throw part.error;
          // tool-call-delta: the provider also yields the assembled tool-call part.
      }
    }
    finished = true;
  } finally {
    // Stop a provider we leave early (abort, error part); never wait on a hung one.
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => {});
  }
  return usage ? { text, toolCalls, usage } : { text, toolCalls };
}

// --- Internal helpers ---

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
