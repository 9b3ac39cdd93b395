/**
 * Private helpers shared by the channel drivers: waiting, back-off, de-duplication,
 * constant-time comparison and signature checks.
 * @module
 */
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import { backoffMs, sleep as delay } from "../_internal/sleep.ts";
import { jsonError } from "../_internal/json_error.ts";
import { type Logger, silentLogger } from "../_internal/logger.ts";
import type { ChannelOptions } from "./types.ts";

/** Resolves after `ms`, or rejects with the abort as an `AgentError` (`E_ABORTED`). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, signal);
  } catch {
    throw abortReason(signal!);
  }
}

/** The abort reason as an `AgentError` with code `E_ABORTED`. */
export function abortReason(signal: AbortSignal): AgentError {
  const reason = signal.reason;
  if (reason instanceof AgentError) return reason;
  return new AgentError("Cannot continue: aborted", { code: ErrorCode.Aborted, cause: reason });
}

/** True when `error` comes from an abort. */
export function isAbort(error: unknown): boolean {
  if (error instanceof AgentError) return error.code === ErrorCode.Aborted;
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/**
 * A reconnect loop's wait after `attempt` failures: the shared back-off
 * (`min(base * 2^attempt, max)`) with up to 25 % negative jitter.
 */
export function backoff(attempt: number, baseMs: number, maxMs: number): number {
  return backoffMs(attempt, { baseDelayMs: baseMs, maxDelayMs: maxMs, jitter: 0.25 });
}

/** Retry settings shared by every channel's HTTP client. */
export interface RetryOptions {
  /** Retries after a network error or a 5xx. @default {3} */
  maxRetries?: number;
  /** Retries after a 429. @default {5} */
  maxRateLimitRetries?: number;
  /** First back-off delay. @default {500} */
  baseDelayMs?: number;
  /** Longest back-off delay. @default {8000} */
  maxDelayMs?: number;
  /** A service asking to wait longer than this fails the call instead. @default {120000} */
  maxRetryAfterMs?: number;
}

/** `RetryOptions` with every default filled in. */
export type ResolvedRetry = Required<RetryOptions>;

/** Fills in the defaults of {@linkcode RetryOptions}. */
export function resolveRetry(options: RetryOptions = {}): ResolvedRetry {
  return {
    maxRetries: options.maxRetries ?? 3,
    maxRateLimitRetries: options.maxRateLimitRetries ?? 5,
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 8000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 120_000,
  };
}

/** What every channel derives from its options the same way. */
export interface ChannelSetup {
  logger: Logger;
  fetchFn: typeof globalThis.fetch;
  /** `options.apiBase` (else `defaultApiBase`) without a trailing slash. */
  apiBase: string;
  retry: ResolvedRetry;
}

/** The logger, fetch, API base and retry settings of a channel built from `options`. */
export function channelSetup(
  options: Pick<ChannelOptions, "logger" | "fetch" | "apiBase" | "retry">,
  defaultApiBase: string,
): ChannelSetup {
  return {
    logger: options.logger ?? silentLogger,
    fetchFn: options.fetch ?? globalThis.fetch,
    apiBase: (options.apiBase ?? defaultApiBase).replace(/\/+$/, ""),
    retry: resolveRetry(options.retry),
  };
}

/** A bounded "seen before" set (oldest entries are forgotten first). */
export interface SeenSet {
  /** Records `key`; returns true when it was already recorded. */
  check(key: string): boolean;
}

/** Creates a {@linkcode SeenSet} remembering the last `max` keys. */
export function createSeen(max: number = 4096): SeenSet {
  const keys = new Set<string>();
  return {
    check(key) {
      if (keys.has(key)) return true;
      keys.add(key);
      if (keys.size > max) keys.delete(keys.values().next().value!);
      return false;
    },
  };
}

const encoder = new TextEncoder();

/** Decodes lower- or upper-case hex; undefined when `hex` is not exactly hex of that length. */
export function hexToBytes(hex: string, bytes: number): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length !== bytes * 2 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Lower-case hex of `bytes`. */
export function bytesToHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** HMAC-SHA256 of `message` with `secret`, as lower-case hex. */
export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return bytesToHex(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
}

/** Verifies an Ed25519 signature (hex) over `message` with a raw public key (hex). */
export async function verifyEd25519(
  publicKeyHex: string,
  signatureHex: string,
  message: string,
): Promise<boolean> {
  const key = hexToBytes(publicKeyHex, 32);
  const signature = hexToBytes(signatureHex, 64);
  if (!key || !signature) return false;
  try {
    const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, [
      "verify",
    ]);
    return await crypto.subtle.verify(
      { name: "Ed25519" },
      cryptoKey,
      signature,
      encoder.encode(message),
    );
  } catch {
    return false;
  }
}

/**
 * The text of a webhook request, or the refusal to answer with: 400 unless it is a POST, 413
 * when the body is over `max` bytes.
 */
export async function readWebhookBody(
  request: Request,
  max: number = 1 << 20,
): Promise<string | Response> {
  if (request.method !== "POST") return refused(400, "Expected POST");
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > max) return refused(413, "Body too large");
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.length > max) return refused(413, "Body too large");
  return new TextDecoder().decode(bytes);
}

/** A JSON response. */
export function json(
  body: unknown,
  status: number = 200,
  headers?: Record<string, string>,
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** The error body of a refused webhook call. */
export function refused(status: number, message: string): Response {
  const code = status === 401 ? "E_UNAUTHORIZED" : status === 413 ? "E_TOO_LARGE" : "E_BAD_REQUEST";
  return jsonError(status, code, message);
}

/** Parses JSON without throwing; undefined when malformed. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Narrows to a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty string property, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Seconds since the epoch, now. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Resolves once `signal` aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/**
 * A channel's `sendTest`: sends `text` to `to` and reports the outcome; never throws.
 * `where` names the recipient for the report, e.g. `Telegram chat 42`.
 */
export async function sendTestVia(
  send: (to: string, text: string) => Promise<{ ids: string[] }>,
  to: string,
  text: string,
  where: string,
): Promise<{ ok: boolean; detail: string }> {
  try {
    const sent = await send(to, text);
    return { ok: true, detail: `Sent ${sent.ids.length} message(s) to ${where}` };
  } catch (error) {
    return { ok: false, detail: errorMessage(error) };
  }
}
