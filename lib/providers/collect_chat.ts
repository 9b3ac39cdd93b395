/**
 * The non-streaming convenience over {@linkcode Provider.chat}.
 * @module
 */
import { ProviderError } from "../errors.ts";
import type { ChatResult, StreamPart, ToolCall } from "./types.ts";

/**
 * Consumes a chat stream and returns the whole answer. Throws the stream's `ProviderError`
 * (also for a stream that ends without a `finish` part).
 */
export async function collectChat(stream: AsyncIterable<StreamPart>): Promise<ChatResult> {
  let text = "";
  const toolCalls: ToolCall[] = [];
  for await (const part of stream) {
    switch (part.type) {
      case "text-delta":
        text += part.text;
        break;
      case "tool-call":
        toolCalls.push(part.toolCall);
        break;
      case "error":
        throw part.error;
      case "finish": {
        const result: ChatResult = { text, toolCalls, finishReason: part.reason };
        if (part.usage) result.usage = part.usage;
        return result;
      }
      default:
        break;
    }
  }
  throw new ProviderError("Cannot collect chat: the stream ended without a finish part", {
    kind: "stream",
    provider: "unknown",
  });
}
