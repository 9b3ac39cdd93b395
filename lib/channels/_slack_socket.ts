/**
 * Slack Socket Mode: opens a connection URL with the app token, acks every envelope before
 * handing its payload on (Slack redelivers what is not acked within 3 s), reconnects with
 * back-off and on Slack's `disconnect`, and stops for good on a token Slack refuses.
 * @module
 */
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import { backoff, isRecord, parseJson, sleep, str } from "./_util.ts";

/** Options of {@linkcode slackSocketMode}. */
export interface SlackSocketOptions {
  logger: Logger;
  /** First reconnect delay. */
  baseDelayMs: number;
  /** Longest wait between reconnects. */
  maxReconnectDelayMs: number;
  /** `apps.connections.open` with the app token: the socket URL. */
  openUrl(signal: AbortSignal): Promise<string | undefined>;
  /** The payload of an `events_api` or `interactive` envelope, after its ack. */
  onPayload(payload: unknown): void;
}

/** The Socket Mode loop: runs until `signal` aborts; rejects when the app token is refused. */
export function slackSocketMode(
  options: SlackSocketOptions,
): (signal: AbortSignal) => Promise<void> {
  const { logger } = options;
  return async function socketMode(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let url: string | undefined;
      try {
        url = await options.openUrl(signal);
        if (!url) {
          throw new AgentError("Cannot open Slack Socket Mode: no url", {
            code: ErrorCode.Channel,
          });
        }
      } catch (error) {
        if (signal.aborted) return;
        if (/invalid_auth|not_authed|not_allowed_token_type/.test(errorMessage(error))) {
          throw new AgentError(`${errorMessage(error)}; check SLACK_APP_TOKEN (xapp-…)`, {
            code: ErrorCode.Channel,
            cause: error,
          });
        }
        const wait = backoff(failures++, options.baseDelayMs, options.maxReconnectDelayMs);
        logger.warn(`slack: ${errorMessage(error)}; retrying in ${wait} ms`);
        await sleep(wait, signal).catch(() => {});
        continue;
      }
      const outcome = await connect(url, signal);
      if (outcome === "refresh") {
        failures = 0;
        continue;
      }
      if (outcome === "hello") failures = 0;
      if (signal.aborted) return;
      const wait = backoff(failures++, options.baseDelayMs, options.maxReconnectDelayMs);
      logger.info(`slack: socket closed; reconnecting in ${wait} ms`);
      await sleep(wait, signal).catch(() => {});
    }
  };

  /** One Socket Mode connection; resolves when it ends. */
  function connect(url: string, signal: AbortSignal): Promise<"refresh" | "hello" | "closed"> {
    return new Promise((resolve) => {
      let greeted = false;
      let settled = false;
      const ws = new WebSocket(url);
      function finish(outcome: "refresh" | "hello" | "closed"): void {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        try {
          ws.close(1000);
        } catch {
          // already closed
        }
        resolve(outcome);
      }
      function onAbort(): void {
        finish("closed");
      }
      signal.addEventListener("abort", onAbort, { once: true });
      ws.onmessage = (event) => {
        const frame = parseJson(typeof event.data === "string" ? event.data : "");
        if (!isRecord(frame)) return;
        if (frame.type === "hello") {
          greeted = true;
          logger.info("slack: Socket Mode connected");
          return;
        }
        if (frame.type === "disconnect") {
          logger.info(`slack: Socket Mode asked to reconnect (${String(frame.reason)})`);
          finish("refresh");
          return;
        }
        const envelopeId = str(frame.envelope_id);
        if (envelopeId) {
          // ack first: Slack redelivers anything not acked within 3 s
          ws.send(JSON.stringify({ envelope_id: envelopeId }));
          if (frame.type === "events_api" || frame.type === "interactive") {
            options.onPayload(frame.payload);
          }
        }
      };
      ws.onerror = () => {
        logger.debug("slack: socket error");
      };
      ws.onclose = () => finish(greeted ? "hello" : "closed");
    });
  }
}
