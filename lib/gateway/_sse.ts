/**
 * Server-sent events out: one `text/event-stream` response built from an async iterable of
 * events, pulled one at a time (back-pressure) and cancelled when the client goes away. The
 * gateway's streaming `/chat` and the OpenAI surface's streaming completions both use it.
 * @module
 */

/** One server-sent event: `event: <event>` (when named), then `data: <data>`. */
export interface ServerSentEvent {
  event?: string;
  /** One line (JSON text has no raw newline). */
  data: string;
}

/** Options of {@linkcode sseResponse}. */
export interface SseResponseOptions {
  /** Headers besides `content-type`. */
  headers?: Record<string, string>;
  /** Called when the client cancels the stream, before the iterator is closed. */
  onCancel?: () => void;
}

/** The wire form of one event. */
export function formatEvent(event: ServerSentEvent): string {
  return `${event.event === undefined ? "" : `event: ${event.event}\n`}data: ${event.data}\n\n`;
}

/**
 * A `text/event-stream` response writing `events` as they come; an error thrown by the
 * iterable errors the stream.
 *
 * @example
 * ```ts
 * async function* ticks() {
 *   yield { event: "tick", data: "1" };
 * }
 * const res = sseResponse(ticks());
 * ```
 */
export function sseResponse(
  events: AsyncIterable<ServerSentEvent>,
  options: SseResponseOptions = {},
): Response {
  const encoder = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(out) {
      const { done, value } = await iterator.next();
      if (done) out.close();
      else out.enqueue(encoder.encode(formatEvent(value)));
    },
    async cancel() {
      options.onCancel?.();
      await iterator.return?.();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      ...options.headers,
    },
  });
}
