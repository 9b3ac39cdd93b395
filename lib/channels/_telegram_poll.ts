/**
 * Telegram long polling: `getUpdates` from the saved offset, back-off on failures (409: another
 * poller or a webhook is set), the offset moved past every update and saved, confirmed on stop,
 * and a minimum gap when the server does not hold the long poll.
 * @module
 */
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import { backoff, sleep } from "./_util.ts";

/** A Bot API answer with `ok: true`. */
export interface ApiOk {
  ok: true;
  result: unknown;
}
/** A Bot API failure (HTTP status and `description`). */
export interface ApiFail {
  ok: false;
  status: number;
  description: string;
}

/** Options of {@linkcode telegramPolling}. */
export interface TelegramPollingOptions {
  /** One Bot API call. */
  request(
    method: string,
    params: Record<string, unknown>,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<ApiOk | ApiFail>;
  /** Handles one update; its id, or `undefined` when it has none. */
  accept(update: unknown): number | undefined;
  logger: Logger;
  pollTimeoutSeconds: number;
  allowedUpdates: string[];
  /** First wait after a failed poll. */
  baseDelayMs: number;
  maxPollBackoffMs: number;
  minPollGapMs: number;
  /** Where the offset survives a restart. */
  offsetStore?:
    | { load(): Promise<number | undefined>; save(offset: number): Promise<void> }
    | undefined;
}

/** The polling loop: runs until `signal` aborts; rejects on a token Telegram refuses. */
export function telegramPolling(
  options: TelegramPollingOptions,
): (signal: AbortSignal) => Promise<void> {
  const { logger } = options;
  return async function poll(signal: AbortSignal): Promise<void> {
    let offset: number | undefined;
    try {
      await pollLoop(signal, (o) => {
        offset = o;
      });
    } finally {
      if (offset !== undefined) {
        // confirm what was handled, so a restart does not see those updates again
        await options.request("getUpdates", { offset, timeout: 0, limit: 1 }, undefined, 3000)
          .catch(
            (error) =>
              logger.debug("telegram: cannot confirm the last offset", errorMessage(error)),
          );
      }
    }
  };

  async function pollLoop(signal: AbortSignal, confirm: (offset: number) => void): Promise<void> {
    let offset = await options.offsetStore?.load().catch((error) => {
      logger.warn("telegram: cannot load the saved offset", errorMessage(error));
      return undefined;
    });
    let failures = 0;
    while (!signal.aborted) {
      let r: ApiOk | ApiFail;
      const startedAt = Date.now();
      try {
        r = await options.request(
          "getUpdates",
          {
            offset, // JSON.stringify leaves it out while undefined
            timeout: options.pollTimeoutSeconds,
            allowed_updates: options.allowedUpdates,
          },
          signal,
          (options.pollTimeoutSeconds + 10) * 1000,
        );
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof AgentError && error.code === ErrorCode.NotConfigured) throw error;
        const wait = backoff(failures++, options.baseDelayMs, options.maxPollBackoffMs);
        logger.warn(`telegram: polling failed (${errorMessage(error)}); retrying in ${wait} ms`);
        await sleep(wait, signal).catch(() => {});
        continue;
      }
      if (!r.ok) {
        if (r.status === 401 || r.status === 404) {
          throw new AgentError(
            `Cannot poll Telegram: ${r.status} ${r.description}; check BOT_TOKEN`,
            { code: ErrorCode.Channel },
          );
        }
        const wait = backoff(
          failures++,
          Math.max(options.baseDelayMs, 1000),
          options.maxPollBackoffMs,
        );
        if (r.status === 409) {
          logger.error(
            `telegram: cannot poll: 409 ${r.description}. Another instance is polling with ` +
              `this BOT_TOKEN, or a webhook is set (remove it with deleteWebhook, or use ` +
              `webhook mode). Retrying in ${wait} ms`,
          );
        } else {
          logger.warn(`telegram: getUpdates failed: ${r.status} ${r.description}`);
        }
        await sleep(wait, signal).catch(() => {});
        continue;
      }
      failures = 0;
      const list = Array.isArray(r.result) ? r.result : [];
      for (const update of list) {
        const id = options.accept(update);
        // the offset always moves past every update, handled, refused or broken
        if (id !== undefined && (offset === undefined || id + 1 > offset)) offset = id + 1;
      }
      if (offset !== undefined && list.length > 0) {
        confirm(offset);
        await options.offsetStore?.save(offset).catch((error) => {
          logger.warn("telegram: cannot save the offset", errorMessage(error));
        });
      }
      // An empty answer that came back at once was not a long poll: keep the minimum gap.
      const early = options.minPollGapMs - (Date.now() - startedAt);
      if (list.length === 0 && early > 0) await sleep(early, signal).catch(() => {});
    }
  }
}
