/**
 * Discord's REST API for the channel: the bot token, Discord's per-route buckets and the
 * global rate limit (waited out before a call), `retry_after` from the JSON body, and errors
 * as `AgentError`s naming the route.
 * @module
 */
import { AgentError, ErrorCode } from "../errors.ts";
import { parseRetryAfter } from "../_internal/retry_after.ts";
import { type HttpResult, httpWithRetry } from "./_http.ts";
import { isRecord, parseJson, type ResolvedRetry, sleep } from "./_util.ts";

/** Options of {@linkcode discordRest}. */
export interface DiscordRestOptions {
  /** `DISCORD_BOT_TOKEN`; calls fail with `E_NOT_CONFIGURED` without it. */
  token: string;
  fetch: typeof globalThis.fetch;
  /** Without a trailing slash. */
  apiBase: string;
  retry: ResolvedRetry;
}

/** One REST call; `route` is the path template used for buckets and messages. */
export type DiscordRest = (
  method: string,
  path: string,
  route: string,
  body?: unknown,
  signal?: AbortSignal,
) => Promise<unknown>;

interface Bucket {
  remaining: number;
  resetAt: number;
}

/** A {@linkcode DiscordRest} with its own rate-limit state. */
export function discordRest(options: DiscordRestOptions): DiscordRest {
  const { token, apiBase, retry } = options;
  const buckets = new Map<string, Bucket>();
  const routeBuckets = new Map<string, string>();
  let globalUntil = 0;

  /** One REST call; `route` is the path template used for buckets and messages. */
  return async function rest(
    method: string,
    path: string,
    route: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (!token) {
      throw new AgentError("Cannot call Discord: DISCORD_BOT_TOKEN is not set", {
        code: ErrorCode.NotConfigured,
      });
    }
    const routeKey = `${method} ${route}`;
    const bucketKey = (): string => routeBuckets.get(routeKey) ?? routeKey;
    const result = await httpWithRetry({
      fetch: options.fetch,
      url: `${apiBase}${path}`,
      init: {
        method,
        headers: {
          authorization: `Bot ${token}`,
          "user-agent": "DiscordBot (https://github.com/mikroclaw, 0.1.0)",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      },
      retry,
      label: `Discord ${routeKey}`,
      signal,
      async beforeAttempt() {
        const now = Date.now();
        let wait = globalUntil - now;
        const bucket = buckets.get(bucketKey());
        if (bucket && bucket.remaining <= 0) wait = Math.max(wait, bucket.resetAt - now);
        if (wait > 0) await sleep(Math.min(wait, retry.maxRetryAfterMs), signal);
      },
      afterAttempt(r) {
        track(routeKey, r);
      },
      retryAfterMs(r) {
        const parsed = parseJson(r.text);
        if (isRecord(parsed) && typeof parsed.retry_after === "number") {
          return Math.ceil(parsed.retry_after * 1000);
        }
        return parseRetryAfter(r.headers);
      },
    });
    const parsed = parseJson(result.text);
    if (result.status >= 400) {
      const message = isRecord(parsed) && typeof parsed.message === "string"
        ? parsed.message
        : `HTTP ${result.status}`;
      throw new AgentError(`Cannot call Discord ${routeKey}: ${result.status} ${message}`, {
        code: ErrorCode.Channel,
      });
    }
    return parsed;
  };

  function track(routeKey: string, r: HttpResult): void {
    const h = r.headers;
    const id = h.get("x-ratelimit-bucket") ?? routeKey;
    routeBuckets.set(routeKey, id);
    const remaining = Number(h.get("x-ratelimit-remaining"));
    const resetAfter = Number(h.get("x-ratelimit-reset-after"));
    if (h.has("x-ratelimit-remaining") && Number.isFinite(remaining)) {
      buckets.set(id, {
        remaining,
        resetAt: Date.now() + (Number.isFinite(resetAfter) ? resetAfter * 1000 : 0),
      });
    }
    if (r.status === 429) {
      const parsed = parseJson(r.text);
      if (isRecord(parsed) && parsed.global === true && typeof parsed.retry_after === "number") {
        globalUntil = Date.now() + parsed.retry_after * 1000;
      }
    }
  }
}
