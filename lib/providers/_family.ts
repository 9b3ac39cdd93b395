/**
 * What every provider family shares: its settings, the key read at request time, JSON headers,
 * and {@linkcode createFamily}, which turns a family's wire format into a `chat` and a `probe`
 * over one HTTP attempt ({@linkcode runCall}).
 * @module
 */
import { readJson } from "./_body.ts";
import { probeGet, runCall } from "./_http.ts";
import type { ChatOptions, ChatRequest, ProbeResult, StreamPart } from "./types.ts";

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
  timeoutMs?: number | undefined;
  /** Custom fetch (tests, proxies). */
  fetch?: typeof globalThis.fetch | undefined;
}

/** Default time limit of one call. */
export const DEFAULT_TIMEOUT_MS = 120_000;
/** Resolves the key at request time. */
export function resolveKey(apiKey: FamilySettings["apiKey"]): string | undefined {
  const key = typeof apiKey === "function" ? apiKey() : apiKey;
  return key === undefined || key === "" ? undefined : key;
}

/** Joins a base URL and a path with exactly one slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
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

/** How a family reaches its API (besides {@linkcode FamilySettings}). */
export interface FamilyOptions {
  /** Provider id when the settings name none, e.g. `anthropic`. */
  name: string;
  /** Base URL when the settings give none. */
  baseURL: string;
  /** The family's credential (and fixed) headers, given the key of this request if any. */
  auth(key: string | undefined): Record<string, string>;
  /** Ask for `text/event-stream` on streaming calls. @default {true} */
  sse?: boolean;
}

/** One chat call as a family words it: the path, the body, and how it reads a 2xx answer. */
export interface CallPlan {
  path: string;
  body: string;
  read(response: Response): AsyncIterable<StreamPart>;
}

/** A family's transport: its id and the `chat` and `probe` every family has. */
export interface Family {
  readonly id: string;
  /**
   * One chat call: checks `request`, asks `plan` how to word it (streaming unless
   * `request.stream === false`), then yields what the plan reads, ending with an error part on
   * any failure.
   */
  chat(
    request: ChatRequest,
    options: ChatOptions,
    plan: (stream: boolean) => CallPlan,
  ): AsyncGenerator<StreamPart>;
  /** A GET of `path` (a model list) with a time limit of at most 15 s. */
  probe(path: string, options?: ChatOptions): Promise<ProbeResult>;
}

/** Creates the {@linkcode Family} transport of a provider factory. */
export function createFamily(settings: FamilySettings, options: FamilyOptions): Family {
  const id = settings.name ?? options.name;
  const baseURL = settings.baseURL || options.baseURL;
  const fetch = settings.fetch ?? globalThis.fetch;
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  function headers(stream: boolean): Headers {
    const h = jsonHeaders(settings.headers, options.auth(resolveKey(settings.apiKey)));
    if (stream && options.sse !== false) h.set("accept", "text/event-stream");
    return h;
  }

  return {
    id,
    async *chat(request, chatOptions, plan) {
      if (!Array.isArray(request?.messages)) {
        throw new TypeError("Cannot call provider: request.messages must be an array");
      }
      const stream = request.stream !== false;
      const { path, body, read } = plan(stream);
      yield* runCall(
        {
          provider: id,
          url: joinUrl(baseURL, path),
          headers: headers(stream),
          body,
          fetch,
          timeoutMs,
          signal: chatOptions.signal,
        },
        read,
      );
    },
    probe(path, probeOptions = {}) {
      return probeGet({
        provider: id,
        url: joinUrl(baseURL, path),
        headers: headers(false),
        fetch,
        timeoutMs: Math.min(timeoutMs, 15_000),
        signal: probeOptions.signal,
      });
    },
  };
}

/** `Authorization: Bearer <key>` when there is a key (OpenAI-compatible servers, Ollama). */
export function bearer(key: string | undefined): Record<string, string> {
  return key === undefined ? {} : { authorization: `Bearer ${key}` };
}

/**
 * The reader of a family whose answer is a stream when streaming and one JSON object otherwise:
 * `stream` reads the response, `json` the parsed body (invalid JSON throws a SyntaxError).
 */
export function streamOrJson(
  streaming: boolean,
  stream: (response: Response) => AsyncIterable<StreamPart>,
  json: (data: unknown) => Iterable<StreamPart>,
): (response: Response) => AsyncIterable<StreamPart> {
  return streaming ? stream : async function* (response) {
    yield* json(await readJson(response));
  };
}
