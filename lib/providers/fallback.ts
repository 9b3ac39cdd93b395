/**
 * Reliability: retries of one entry (official SDK policy, on the shared retry counter of
 * `_internal/sleep.ts`, inside a total time budget), the fallback chain and per provider+model
 * cooldown. Providers themselves make exactly one attempt.
 * @module
 */
import { errorMessage, ProviderError } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { ChatOptions, ChatRequest, Provider, StreamPart } from "./types.ts";
import {
  backoffMs,
  createRetryCounter,
  type RetryPolicy,
  sleep as delay,
} from "../_internal/sleep.ts";

/** One entry of a fallback chain: a provider with its own key, base URL and model. */
export interface FallbackEntry {
  provider: Provider;
  /** Model for this entry (default: the provider's configured model). */
  model?: string;
}

/** Options of {@linkcode createFallbackProvider}. */
export interface FallbackOptions {
  /** How long a failing provider+model is skipped (default 60000). */
  cooldownMs?: number;
  /** Retries per entry for retryable failures (default 2, as the official SDKs). */
  maxRetries?: number;
  /** Total time budget per entry, retries included (`LLM_TIMEOUT_MS`; default 120000). */
  timeoutMs?: number;
  /** Fail over on 401/403 (never retried) when another entry exists (default true). */
  failoverOnAuth?: boolean;
  /** Logs each retry and switch. */
  logger?: Logger;
  /** Backoff sleep (inject a short one in tests). */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Clock for cooldowns (tests). */
  now?: () => number;
  /** Random source for jitter, in [0, 1). */
  random?: () => number;
}

/**
 * Delay before retry `attempt` (0-based): the server's `retryAfterMs` when in [0, 60 s], else
 * exponential backoff `min(0.5 s * 2^attempt, 8 s)` minus up to 25 % jitter.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  return serverWait(retryAfterMs) ?? backoffMs(attempt, { ...SDK_BACKOFF, random });
}

// The official SDKs' back-off: 0.5 s doubling to 8 s, up to 25 % jitter.
const SDK_BACKOFF: Omit<RetryPolicy, "retries"> = {
  baseDelayMs: 500,
  maxDelayMs: 8000,
  jitter: 0.25,
};

/** A server's wait worth honouring (0 to 60 s); a longer one is replaced by back-off. */
function serverWait(ms: number | undefined): number | undefined {
  return ms !== undefined && ms >= 0 && ms <= 60_000 ? ms : undefined;
}

const NO_FAILOVER = new Set(["bad-request", "aborted"]);
const NO_COOLDOWN = new Set(["bad-request", "aborted", "context-overflow"]);

function isOutput(part: StreamPart): boolean {
  return part.type === "text-delta" || part.type === "tool-call-delta" || part.type === "tool-call";
}

/**
 * Chains providers: each entry is tried with retries inside its time budget; a failure before
 * any output moves to the next entry (a `fallback` part, logged), and cools down only that
 * provider+model. After the first text or tool part nothing is switched or retried: a later
 * failure is the caller's `error` part. A chain of one entry is a retrying provider.
 */
export function createFallbackProvider(
  entries: readonly FallbackEntry[],
  options: FallbackOptions = {},
): Provider {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new TypeError("Cannot create fallback provider: entries must be a non-empty array");
  }
  const cooldownMs = options.cooldownMs ?? 60_000;
  const maxRetries = options.maxRetries ?? 2;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const failoverOnAuth = options.failoverOnAuth ?? true;
  const logger = options.logger ?? silentLogger;
  const sleep = options.sleep ?? delay;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const cooling = new Map<string, number>();

  const label = (e: FallbackEntry): string => `${e.provider.id}:${e.model ?? e.provider.model}`;

  /** Runs one entry with retries; yields its parts, ends with `{ failed }` when it failed before output. */
  async function* runEntry(
    entry: FallbackEntry,
    request: ChatRequest,
    signal: AbortSignal | undefined,
    result: { error?: ProviderError },
  ): AsyncGenerator<StreamPart> {
    const retries = createRetryCounter(
      { ...SDK_BACKOFF, retries: maxRetries, random },
      now() + timeoutMs,
      now,
    );
    const budget = new AbortController();
    const timer = setTimeout(() => {
      budget.abort(new DOMException(`Time budget of ${timeoutMs} ms spent`, "TimeoutError"));
    }, timeoutMs);
    const onAbort = (): void => budget.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (let attempt = 0;; attempt++) {
        let output = false;
        let failure: ProviderError | undefined;
        for await (const part of entry.provider.chat(request, { signal: budget.signal })) {
          if (part.type === "error") {
            if (output) {
              yield part;
              return;
            }
            failure = part.error;
            break;
          }
          if (isOutput(part)) output = true;
          yield part;
        }
        if (!failure) return;
        const delay = failure.isRetryable && !budget.signal.aborted
          ? retries(serverWait(failure.retryAfterMs))
          : undefined;
        if (delay === undefined) {
          result.error = failure;
          return;
        }
        logger.warn(
          `Provider ${label(entry)} failed (${failure.kind}), retry ${
            attempt + 1
          }/${maxRetries} in ${Math.round(delay)} ms: ${failure.message}`,
        );
        try {
          await sleep(delay, budget.signal);
        } catch (error) {
          result.error = new ProviderError(
            `Cannot call provider "${entry.provider.id}": ${errorMessage(error)}`,
            {
              kind: signal?.aborted ? "aborted" : "timeout",
              provider: entry.provider.id,
              cause: error,
            },
          );
          return;
        }
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  async function* chat(
    request: ChatRequest,
    chatOptions: ChatOptions = {},
  ): AsyncGenerator<StreamPart> {
    const t = now();
    let order = entries.map((entry, index) => ({ entry, index }));
    const available = order.filter(({ entry }) => (cooling.get(label(entry)) ?? 0) <= t);
    if (available.length > 0) order = available;
    let previous: string | undefined;
    let lastError: ProviderError | undefined;
    if (order[0] && order[0].index !== 0) {
      previous = label(entries[0]!);
      const to = label(order[0].entry);
      logger.warn(`Provider ${previous} is cooling down; using ${to}`);
      yield { type: "fallback", from: previous, to, reason: "cooldown" };
      previous = undefined;
    }
    for (let i = 0; i < order.length; i++) {
      const { entry, index } = order[i]!;
      const model = entry.model ?? (index === 0 ? request.model : undefined);
      const req: ChatRequest = { ...request };
      if (model === undefined) delete req.model;
      else req.model = model;
      if (previous !== undefined && lastError) {
        const to = label(entry);
        const reason = `${lastError.kind}: ${lastError.message}`;
        logger.warn(`Falling back from ${previous} to ${to} (${reason})`);
        yield { type: "fallback", from: previous, to, reason };
      }
      const result: { error?: ProviderError } = {};
      yield* runEntry(entry, req, chatOptions.signal, result);
      if (!result.error) {
        cooling.delete(label(entry));
        return;
      }
      lastError = result.error;
      previous = label(entry);
      if (!NO_COOLDOWN.has(lastError.kind)) cooling.set(previous, now() + cooldownMs);
      const last = i === order.length - 1;
      const eligible = !NO_FAILOVER.has(lastError.kind) &&
        (lastError.kind !== "auth" || failoverOnAuth) && !chatOptions.signal?.aborted;
      if (last || !eligible) {
        yield { type: "error", error: lastError };
        return;
      }
    }
  }

  const first = entries[0]!;
  return { id: "fallback", model: first.model ?? first.provider.model, chat };
}
