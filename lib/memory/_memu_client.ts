/**
 * memU's HTTP API as one function: an authenticated JSON request with a time limit, memU's
 * errors turned into {@linkcode MemoryError}s (auth, rate limit with its `Retry-After`, server,
 * refused), and retries of 429 / 5xx / network failures on the shared retry policy.
 * @module
 */
import { errorMessage } from "../errors.ts";
import { parseRetryAfter } from "../_internal/retry_after.ts";
import { createRetryCounter, sleep } from "../_internal/sleep.ts";
import { MemoryError } from "./memory_error.ts";

/** Settings of {@linkcode createMemuClient} (the driver's own options, plus where to send). */
export interface MemuClientOptions {
  apiKey: string;
  /** Base URL, as shown in messages. */
  base: string;
  /** Base URL plus the API prefix; paths are appended to it. */
  url: string;
  fetch?: typeof globalThis.fetch | undefined;
  /** @default {15000} */
  requestTimeoutMs?: number | undefined;
  /** @default {2} */
  maxRetries?: number | undefined;
  /** @default {500} */
  retryBaseMs?: number | undefined;
  /** @default {10000} */
  maxRetryAfterMs?: number | undefined;
}

/**
 * Sends one request to memU (retrying up to `retries` times, default `maxRetries`); resolves
 * with the parsed JSON answer (or its text when not JSON), rejects with a {@linkcode MemoryError}
 * or the abort reason.
 */
export type MemuCall = (
  method: "GET" | "POST",
  path: string,
  body: unknown,
  signal: AbortSignal | undefined,
  retries?: number,
) => Promise<unknown>;

/** Creates the {@linkcode MemuCall} of one driver. */
export function createMemuClient(options: MemuClientOptions): MemuCall {
  const { apiKey, base } = options;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const maxRetries = options.maxRetries ?? 2;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;

  async function once(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer within ${requestTimeoutMs} ms`)),
      requestTimeoutMs,
    );
    const combined = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    let response: Response;
    try {
      const init: RequestInit = {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        signal: combined,
      };
      if (body !== undefined) init.body = JSON.stringify(body);
      response = await fetchFn(`${options.url}${path}`, init);
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      const timedOut = controller.signal.aborted;
      throw new MemoryError(
        timedOut
          ? `Cannot reach memU at ${base}: no answer within ${requestTimeoutMs} ms`
          : `Cannot reach memU at ${base}: ${describeNetworkError(error)}`,
        { kind: timedOut ? "timeout" : "network", cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
    const text = await response.text();
    if (response.ok) return parseJson(text);
    const status = response.status;
    const detail = errorDetail(text);
    if (status === 401 || status === 403) {
      throw new MemoryError(
        `Cannot use memU: the API key was refused (${status}); check MEMU_API_KEY`,
        { kind: "auth", status },
      );
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(response.headers);
      const wait = retryAfterMs === undefined
        ? ""
        : `, retry after ${Math.ceil(retryAfterMs / 1000)} s`;
      const error = new MemoryError(
        `Cannot use memU: rate limited (429)${wait}`,
        {
          kind: "rate-limit",
          status,
          retryAfterMs,
        },
      );
      throw error;
    }
    if (status >= 500) {
      throw new MemoryError(
        `Cannot use memU: server error ${status}${detail}`,
        {
          kind: "server",
          status,
        },
      );
    }
    throw new MemoryError(
      `Cannot use memU: request refused (${status})${detail}`,
      {
        kind: status === 404 ? "not-found" : "bad-request",
        status,
      },
    );
  }

  async function call(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    retries = maxRetries,
  ): Promise<unknown> {
    const next = createRetryCounter({ retries, baseDelayMs: retryBaseMs, maxRetryAfterMs });
    for (;;) {
      try {
        return await once(method, path, body, signal);
      } catch (error) {
        if (!(error instanceof MemoryError) || !RETRIED.has(error.kind)) throw error;
        const delay = next(error.retryAfterMs);
        if (delay === undefined) throw error;
        await sleep(delay, signal);
      }
    }
  }

  return call;
}

/** The object of an answer, unwrapping memU-server's `{"status":"success","result":{...}}`. */
export function asObject(value: unknown): Record<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    // memU-server style `{"status":"success","result":{...}}`.
    if (
      object.result !== null && typeof object.result === "object" &&
      !("task_id" in object)
    ) {
      return object.result as Record<string, unknown>;
    }
    return object;
  }
  return {};
}

// --- Internal helpers ---

/** Failures worth another attempt; the rest (auth, refused, timeout) stand. */
const RETRIED = new Set(["rate-limit", "server", "network"]);

function parseJson(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A short reason from a FastAPI (`detail`) or v4 (`message`) error body. */
function errorDetail(text: string): string {
  const body = parseJson(text);
  let detail: unknown = body;
  if (body !== null && typeof body === "object") {
    const object = body as Record<string, unknown>;
    detail = object.detail ?? object.message ?? object.error;
    if (Array.isArray(detail)) {
      detail = detail.map((d) => {
        const issue = asObject(d);
        const loc = Array.isArray(issue.loc) ? issue.loc.join(".") : "";
        return `${loc}${loc ? ": " : ""}${String(issue.msg ?? "")}`;
      }).join("; ");
    }
  }
  if (typeof detail !== "string" || detail === "") return "";
  return `: ${detail.slice(0, 300)}`;
}

function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: string } | undefined)?.code;
  return code ? `${errorMessage(error)} (${code})` : errorMessage(error);
}
