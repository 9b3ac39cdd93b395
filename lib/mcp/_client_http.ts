/**
 * The Streamable HTTP transport of an MCP client session: POSTs with the session id, replies as
 * JSON or an event stream, every body capped.
 * @module
 */
import { createParser } from "eventsource-parser";
import { MAX_MESSAGE_BYTES, type Wire } from "./_client_wire.ts";

/** The HTTP transport, which learns the protocol version once the session is initialized. */
export interface HttpWire extends Wire {
  setProtocolVersion(version: string): void;
}

/** Opens the Streamable HTTP transport to the server's URL; messages go to `incoming`. */
export function openHttp(
  entry: { url: string; headers?: Record<string, string> },
  incoming: (message: unknown) => void,
  fetch: typeof globalThis.fetch,
): HttpWire {
  let sessionId: string | undefined;
  let protocolVersion: string | undefined;
  const inFlight = new Set<AbortController>();

  function headers(): Record<string, string> {
    const h: Record<string, string> = {
      ...entry.headers,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    if (sessionId) h["mcp-session-id"] = sessionId;
    if (protocolVersion) h["mcp-protocol-version"] = protocolVersion;
    return h;
  }

  const wire: HttpWire = {
    closed: undefined,
    setProtocolVersion(version: string): void {
      protocolVersion = version;
    },
    async send(payload: unknown): Promise<void> {
      const controller = new AbortController();
      inFlight.add(controller);
      try {
        const response = await fetch(entry.url, {
          method: "POST",
          headers: headers(),
          body: JSON.stringify(payload),
          signal: controller.signal,
        });
        const id = response.headers.get("mcp-session-id");
        if (id && !sessionId) sessionId = id;
        if (response.status === 202 || response.status === 204) {
          await response.body?.cancel();
          return;
        }
        if (!response.ok) {
          const text = (await readCapped(response, 2048).catch(() => "")).slice(0, 300);
          if (response.status === 404 && sessionId) wire.closed = "ended the session (404)";
          throw new Error(`HTTP ${response.status}${text ? `: ${text}` : ""}`);
        }
        const type = response.headers.get("content-type") ?? "";
        if (type.includes("text/event-stream")) {
          await readSse(response, incoming);
        } else {
          const body = JSON.parse(await readCapped(response, MAX_MESSAGE_BYTES));
          for (const message of Array.isArray(body) ? body : [body]) incoming(message);
        }
      } finally {
        inFlight.delete(controller);
      }
    },
    async close(): Promise<void> {
      wire.closed ??= "was closed";
      for (const controller of inFlight) controller.abort(new Error("MCP client closed"));
      if (!sessionId) return;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 1000);
      try {
        const response = await fetch(entry.url, {
          method: "DELETE",
          headers: headers(),
          signal: controller.signal,
        });
        await response.body?.cancel();
      } catch {
        // Best effort: the server forgets idle sessions anyway.
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return wire;
}

async function readSse(response: Response, incoming: (message: unknown) => void): Promise<void> {
  if (!response.body) return;
  const parser = createParser({
    onEvent(event) {
      if (event.event && event.event !== "message") return;
      try {
        incoming(JSON.parse(event.data));
      } catch {
        // Not JSON: ignore, as the SDKs do.
      }
    },
  });
  const decoder = new TextDecoder();
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > MAX_MESSAGE_BYTES) {
      await response.body.cancel().catch(() => {});
      throw new Error(`the event stream exceeded ${MAX_MESSAGE_BYTES} bytes`);
    }
    parser.feed(decoder.decode(chunk, { stream: true }));
  }
}

async function readCapped(response: Response, max: number): Promise<string> {
  if (!response.body) return "";
  const decoder = new TextDecoder();
  let text = "";
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > max) {
      await response.body.cancel().catch(() => {});
      throw new Error(`the answer exceeded ${max} bytes`);
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
