/**
 * Internal plumbing shared by the provider families: one HTTP attempt with a time limit and
 * the fail-closed secret check, SSE and NDJSON readers, tool-argument parsing.
 * @module
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { errorMessage, ProviderError } from "../errors.ts";
import { containsEncryptedValue } from "../secrets/encrypted_prefix.ts";
import { headerSecrets, urlSecrets } from "../secrets/registry.ts";
import { scrubError } from "../secrets/scrub.ts";
import { classifyHttpError, classifyThrown } from "./classify_error.ts";
import type {
  ChatRequest,
  FinishReason,
  ProbeResult,
  StreamPart,
  ToolCall,
  Usage,
} from "./types.ts";
import { parseTextToolCalls } from "./text_tool_calls.ts";

/** Settings every family factory takes. */
export interface FamilySettings {
  /** Provider id reported in errors and parts, e.g. `openai`. */
  name?: string;
  /** API key; a function is called at request time (secrets resolved only when used). */
  apiKey?: string | (() => string | undefined);
  /** Base URL in the form the vendor's SDK takes it. */
  baseURL?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Default model id. */
  model?: string;
  /** Time limit of one call, streaming included (default 120000). */
  timeoutMs?: number;
  /** Custom fetch (tests, proxies). */
  fetch?: typeof globalThis.fetch;
}

// One shared reason: building an exception (and its stack) for every finished call is costly.
const CALL_FINISHED = new DOMException("Call finished", "AbortError");

/** Default time limit of one call. */
export const DEFAULT_TIMEOUT_MS = 120_000;
const ERROR_BODY_LIMIT = 64 * 1024;

/** Resolves the key at request time. */
export function resolveKey(apiKey: FamilySettings["apiKey"]): string | undefined {
  const key = typeof apiKey === "function" ? apiKey() : apiKey;
  return key === undefined || key === "" ? undefined : key;
}

/** Joins a base URL and a path with exactly one slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** The error of a failed read: unparsable JSON is a stream error, the rest is classified. */
export function readFailure(provider: string, error: unknown, signal: AbortSignal): ProviderError {
  return error instanceof SyntaxError && !signal.aborted
    ? new ProviderError(`Cannot read response of provider "${provider}": ${error.message}`, {
      kind: "stream",
      provider,
      cause: error,
    })
    : classifyThrown(provider, error, signal);
}

/** Error part helper. */
export function errorPart(error: ProviderError): StreamPart {
  return { type: "error", error };
}

/**
 * Fail closed: a secret that was never decrypted must not leave the process. Returns the
 * name of the offending header or `body`, or undefined when clean.
 */
export function findEncrypted(headers: Headers, body: string | undefined): string | undefined {
  for (const [name, value] of headers) {
    // Any letter case: `encrypted:v2:` is as undecrypted as `ENCRYPTED:v2:`.
    if (/encrypted:/i.test(value)) return `header "${name}"`;
  }
  if (body !== undefined && containsEncryptedValue(body)) return "body";
  return undefined;
}

/**
 * An HTTP attempt in flight: the response plus its combined signal. `done()` frees the timer
 * and aborts the request unless `completed` (the body was read to its end): an unread body
 * must not hold the connection.
 */
export interface OpenCall {
  response: Response;
  signal: AbortSignal;
  done(completed?: boolean): void;
}

/** Inputs of {@linkcode openCall}. */
export interface OpenCallInput {
  provider: string;
  url: string;
  method?: string;
  headers: Headers;
  body?: string;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * Sends one request. Resolves with the open 2xx response (stream not yet read) or with a
 * classified ProviderError; never throws for provider failures.
 */
export async function openCall(input: OpenCallInput): Promise<OpenCall | ProviderError> {
  const { provider } = input;
  const where = findEncrypted(input.headers, input.body);
  if (where !== undefined) {
    return new ProviderError(
      `Cannot call provider "${provider}": ${where} still contains an ENCRYPTED: value (decrypt secrets before use)`,
      { kind: "bad-request", provider },
    );
  }
  const secrets = callSecrets(input);
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`Timed out after ${input.timeoutMs} ms`, "TimeoutError"));
  }, input.timeoutMs);
  const onAbort = (): void => controller.abort(input.signal?.reason);
  if (input.signal?.aborted) onAbort();
  else input.signal?.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  const done = (completed = false): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    input.signal?.removeEventListener("abort", onAbort);
    if (!completed && !controller.signal.aborted) {
      controller.abort(CALL_FINISHED);
    }
  };
  const signal = controller.signal;
  let response: Response;
  try {
    response = await input.fetch(input.url, {
      method: input.method ?? "POST",
      headers: input.headers,
      body: input.body ?? null,
      signal,
    });
  } catch (error) {
    const classified = classifyThrown(provider, error, signal);
    done();
    return scrubError(
      classified.kind === "network" ? unreachable(provider, input.url, error) : classified,
      secrets,
    );
  }
  if (!response.ok) {
    let text = "";
    try {
      text = await readLimited(response, ERROR_BODY_LIMIT);
    } catch (error) {
      if (signal.aborted) {
        const classified = classifyThrown(provider, error, signal);
        done();
        return scrubError(classified, secrets);
      }
    }
    done();
    // The body is the upstream's text: a hostile or careless server may echo our key.
    return scrubError(
      classifyHttpError({
        provider,
        status: response.status,
        headers: response.headers,
        bodyText: text,
      }),
      secrets,
    );
  }
  return { response, signal, done };
}

/**
 * One whole call: opens it, yields what `read` makes of the 2xx response, and ends with an
 * error part on any failure (HTTP, network, timeout, unreadable body); frees the timer.
 */
export async function* runCall(
  input: OpenCallInput,
  read: (response: Response) => AsyncIterable<StreamPart>,
): AsyncGenerator<StreamPart> {
  const call = await openCall(input);
  if (call instanceof ProviderError) {
    yield errorPart(call);
    return;
  }
  let completed = false;
  const secrets = callSecrets(input);
  try {
    for await (const part of read(call.response)) {
      yield part.type === "error" ? errorPart(scrubError(part.error, secrets)) : part;
    }
    completed = true;
  } catch (error) {
    yield errorPart(scrubError(readFailure(input.provider, error, call.signal), secrets));
  } finally {
    call.done(completed);
  }
}

/** Header names whose values are credentials. */
const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|password/i;

/** The credentials of one call (key headers, URL credentials and query values), for scrubbing. */
function callSecrets(input: OpenCallInput): string[] {
  const out = urlSecrets(input.url);
  for (const [name, value] of input.headers) {
    if (CREDENTIAL_HEADER.test(name)) out.push(...headerSecrets(value));
  }
  return out;
}

/**
 * A connection failure that names where we tried to connect (without credentials or query)
 * and what to check: "fetch failed" alone does not tell an Ollama user the server is down.
 */
function unreachable(provider: string, url: string, error: unknown): ProviderError {
  let shown = url;
  try {
    const u = new URL(url);
    shown = `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    // keep the text; it is scrubbed by the caller
  }
  const cause = (error as { cause?: unknown })?.cause;
  const detail = cause instanceof Error && cause.message && cause.message !== errorMessage(error)
    ? `${errorMessage(error)} (${cause.message})`
    : errorMessage(error);
  return new ProviderError(
    `Cannot reach provider "${provider}" at ${shown}: ${detail}; check that the server is ` +
      `running and reachable from here, and that its base URL is right`,
    { kind: "network", provider, cause: error },
  );
}

/** Reads at most about `limit` characters of a body as text, cancelling the rest. */
async function readLimited(response: Response, limit: number): Promise<string> {
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
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } finally {
    reader.cancel().catch(() => {});
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

/** A probe by GET: 2xx ok, 401/403 auth, 404/405 unsupported, other statuses and errors. */
export async function probeGet(
  input: Omit<OpenCallInput, "method" | "body">,
): Promise<ProbeResult> {
  const result = await openCall({ ...input, method: "GET" });
  if (result instanceof ProviderError) {
    const status = result.status;
    const base: ProbeResult = { ok: false, detail: result.message, kind: result.kind };
    if (status !== undefined) base.status = status;
    if (status === 404 || status === 405) base.unsupported = true;
    if (result.kind === "auth") base.detail += " (check the API key)";
    if (result.kind === "network" || result.kind === "timeout") {
      base.detail += " (check the base URL and network)";
    }
    return base;
  }
  result.response.body?.cancel().catch(() => {});
  result.done();
  return {
    ok: true,
    detail: `reached ${input.url} (HTTP ${result.response.status})`,
    status: result.response.status,
  };
}

/** JSON `content-type` request headers plus the configured extras. */
export function jsonHeaders(
  extra: Record<string, string> | undefined,
  auth: Record<string, string>,
): Headers {
  const headers = new Headers({ "content-type": "application/json", accept: "application/json" });
  for (const [k, v] of Object.entries(auth)) headers.set(k, v);
  for (const [k, v] of Object.entries(extra ?? {})) headers.set(k, v);
  return headers;
}
