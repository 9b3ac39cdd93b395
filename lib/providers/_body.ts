/**
 * Readers of a provider's response body: whole JSON, server-sent events, NDJSON lines, and a
 * bounded text read for error bodies. Multi-byte characters split across chunks stay intact.
 * @module
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

/** Reads at most about `limit` characters of a body as text, cancelling the rest. */
export async function readLimited(response: Response, limit: number): Promise<string> {
  if (!response.body) return "";
  let text = "";
  for await (const piece of decodeText(response.body)) {
    text += piece;
    if (text.length >= limit) break;
  }
  return text.slice(0, limit);
}

/** Reads a whole JSON response body; throws SyntaxError for invalid JSON. */
export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  return JSON.parse(text);
}

/**
 * Text chunks of a byte stream. A streaming `TextDecoder` keeps multi-byte characters that are
 * split across network chunks intact (cheaper than a `TextDecoderStream` pipe per event).
 */
async function* decodeText(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let ended = false;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (text) yield text;
    }
    ended = true;
    const rest = decoder.decode();
    if (rest) yield rest;
  } finally {
    // Only a body left unread is cancelled: cancelling an ended fetch body makes the runtime
    // abort the finished request (on Node an AbortError with its stack, per model call).
    if (!ended) reader.cancel().catch(() => {});
  }
}

/**
 * Server-sent events of a response body, parsed by `eventsource-parser` (CRLF, comments,
 * multi-line data, any split). Events of one network chunk are yielded together.
 */
export async function* readSSE(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<EventSourceMessage> {
  let batch: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => void batch.push(event) });
  for await (const text of decodeText(body)) {
    parser.feed(text);
    if (batch.length) {
      const events = batch;
      batch = [];
      yield* events;
    }
  }
  // a final event without its blank line is incomplete: dropped, as a browser would
}

/** Lines of an NDJSON body (each parsed), tolerant of CRLF, blank lines and any split. */
export async function* readNDJSON(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  let buffer = "";
  for await (const text of decodeText(body)) {
    buffer += text;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) yield JSON.parse(line);
    }
  }
  const rest = buffer.trim();
  if (rest) yield JSON.parse(rest);
}
