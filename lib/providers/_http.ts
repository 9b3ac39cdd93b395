/**
 * One HTTP attempt of a provider family: a time limit, the fail-closed secret check, failures
 * classified into {@linkcode ProviderError}s with credentials scrubbed; the whole call as stream
 * parts, and the probe by GET.
 * @module
 */
import { errorMessage, ProviderError } from "../errors.ts";
import { containsEncryptedValue } from "../secrets/encrypted_prefix.ts";
import { headerSecrets, urlSecrets } from "../secrets/registry.ts";
import { scrubError } from "../secrets/scrub.ts";
import { classifyHttpError, classifyThrown } from "./classify_error.ts";
import type { ProbeResult, StreamPart } from "./types.ts";
import { errorPart } from "./_answer.ts";
import { readLimited } from "./_body.ts";

// One shared reason: building an exception (and its stack) for every finished call is costly.
const CALL_FINISHED = new DOMException("Call finished", "AbortError");

const ERROR_BODY_LIMIT = 64 * 1024;

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
      callSecrets(input),
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
        return scrubError(classified, callSecrets(input));
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
      callSecrets(input),
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
  try {
    for await (const part of read(call.response)) {
      yield part.type === "error" ? errorPart(scrubError(part.error, callSecrets(input))) : part;
    }
    completed = true;
  } catch (error) {
    yield errorPart(
      scrubError(readFailure(input.provider, error, call.signal), callSecrets(input)),
    );
  } finally {
    call.done(completed);
  }
}

/** Header names whose values are credentials. */
const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|password/i;

/**
 * The credentials of one call (key headers, URL credentials and query values), for scrubbing
 * an error; gathered only when there is one.
 */
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
