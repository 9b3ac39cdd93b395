/**
 * The Discord bot Gateway over WebSocket: identify or resume, heartbeats and their ACKs,
 * reconnects with back-off, INVALID_SESSION and the close codes after which reconnecting
 * cannot help. Dispatches other than READY / RESUMED go to the channel.
 * @module
 */
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import { backoff, isRecord, parseJson, sleep, str } from "./_util.ts";

/** Options of {@linkcode discordGateway}. */
export interface DiscordGatewayOptions {
  /** `DISCORD_BOT_TOKEN`. */
  token: string;
  intents: number;
  logger: Logger;
  /** First reconnect delay. */
  baseDelayMs: number;
  /** Longest wait between reconnects. */
  maxReconnectDelayMs: number;
  /** Wait after an INVALID_SESSION. @default {1000 + random 4000} */
  invalidSessionDelayMs?: number | undefined;
  /** The Gateway URL (`DISCORD_GATEWAY_URL`, or asked with GET /gateway/bot). */
  gatewayBase(signal: AbortSignal): Promise<string>;
  /** READY's payload; returns the bot's user id (for the log). */
  onReady(ready: Record<string, unknown>): string | undefined;
  /** Every other dispatch (`MESSAGE_CREATE`, `INTERACTION_CREATE`, …). */
  onDispatch(type: string, d: Record<string, unknown>): void;
}

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSE: Record<number, string> = {
  4004: "authentication failed; check DISCORD_BOT_TOKEN",
  4010: "invalid shard",
  4011: "sharding required",
  4012: "invalid API version",
  4013: "invalid intents",
  4014: "disallowed intents; enable the Message Content intent in the Discord developer portal",
};
/** How a connection ended, and so how to go on. */
type Outcome =
  | { kind: "resume" }
  | { kind: "identify" }
  | { kind: "fatal"; message: string }
  | { kind: "aborted" };

/** Adds `v=10&encoding=json` unless the URL already has a query. */
function gatewayQuery(base: string): string {
  const url = new URL(base);
  if (!url.searchParams.has("v")) url.searchParams.set("v", "10");
  if (!url.searchParams.has("encoding")) url.searchParams.set("encoding", "json");
  return url.toString();
}

/**
 * The Gateway loop: connects, reconnects (resuming when it can) until `signal` aborts; rejects
 * only when reconnecting cannot help (bad token, disallowed intents).
 */
export function discordGateway(
  options: DiscordGatewayOptions,
): (signal: AbortSignal) => Promise<void> {
  const { logger } = options;
  const session: { id?: string; resumeUrl?: string; seq: number | null } = { seq: null };

  return async function gateway(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const resuming = session.id !== undefined && session.resumeUrl !== undefined;
      let base: string;
      try {
        base = resuming ? session.resumeUrl! : await options.gatewayBase(signal);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof AgentError && error.code === ErrorCode.NotConfigured) throw error;
        const wait = backoff(failures++, options.baseDelayMs, options.maxReconnectDelayMs);
        logger.warn(`discord: ${errorMessage(error)}; retrying in ${wait} ms`);
        await sleep(wait, signal).catch(() => {});
        continue;
      }
      const { outcome, ready } = await connect(gatewayQuery(base), resuming, signal);
      if (ready) failures = 0;
      if (outcome.kind === "aborted" || signal.aborted) return;
      if (outcome.kind === "fatal") {
        throw new AgentError(`Cannot stay connected to Discord: ${outcome.message}`, {
          code: ErrorCode.Channel,
        });
      }
      if (outcome.kind === "identify") {
        delete session.id;
        delete session.resumeUrl;
        session.seq = null;
      }
      const wait = backoff(failures++, options.baseDelayMs, options.maxReconnectDelayMs);
      logger.info(
        `discord: connection closed; ${outcome.kind === "resume" ? "resuming" : "reconnecting"} ` +
          `in ${wait} ms`,
      );
      await sleep(wait, signal).catch(() => {});
    }
  };

  /** One Gateway connection; resolves when it ends, saying how to go on. */
  function connect(
    url: string,
    resuming: boolean,
    signal: AbortSignal,
  ): Promise<{ outcome: Outcome; ready: boolean }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url);
      let ready = false;
      let acked = true;
      let settled = false;
      let first: ReturnType<typeof setTimeout> | undefined;
      let beat: ReturnType<typeof setInterval> | undefined;
      let pendingDelay: ReturnType<typeof setTimeout> | undefined;

      function sendFrame(frame: unknown): void {
        try {
          ws.send(JSON.stringify(frame));
        } catch (error) {
          logger.debug("discord: cannot send a gateway frame", errorMessage(error));
        }
      }
      function finish(outcome: Outcome, code: number): void {
        if (settled) return;
        settled = true;
        clearTimeout(first);
        clearInterval(beat);
        clearTimeout(pendingDelay);
        signal.removeEventListener("abort", onAbort);
        ws.onclose = null;
        ws.onmessage = null;
        try {
          ws.close(code);
        } catch {
          // already closed
        }
        resolve({ outcome, ready });
      }
      function onAbort(): void {
        finish({ kind: "aborted" }, 1000);
      }
      function heartbeat(): void {
        if (!acked) {
          logger.warn("discord: no heartbeat ACK; reconnecting");
          finish({ kind: "resume" }, 4000);
          return;
        }
        acked = false;
        sendFrame({ op: 1, d: session.seq });
      }
      signal.addEventListener("abort", onAbort, { once: true });

      ws.onmessage = (event) => {
        const frame = parseJson(typeof event.data === "string" ? event.data : "");
        if (!isRecord(frame)) return;
        if (typeof frame.s === "number") session.seq = frame.s;
        const d = frame.d;
        switch (frame.op) {
          case 10: {
            const interval = isRecord(d) && typeof d.heartbeat_interval === "number"
              ? d.heartbeat_interval
              : 41250;
            first = setTimeout(() => {
              heartbeat();
              beat = setInterval(heartbeat, interval);
            }, interval * Math.random());
            if (resuming) {
              sendFrame({
                op: 6,
                d: { token: options.token, session_id: session.id, seq: session.seq },
              });
            } else {
              sendFrame({
                op: 2,
                d: {
                  token: options.token,
                  intents: options.intents,
                  properties: { os: "linux", browser: "mikroclaw", device: "mikroclaw" },
                },
              });
            }
            break;
          }
          case 11:
            acked = true;
            break;
          case 1:
            sendFrame({ op: 1, d: session.seq });
            break;
          case 7:
            logger.info("discord: gateway asked to reconnect");
            finish({ kind: "resume" }, 4000);
            break;
          case 9: {
            const resumable = d === true;
            logger.info(`discord: invalid session (resumable: ${resumable})`);
            const delay = options.invalidSessionDelayMs ?? 1000 + Math.random() * 4000;
            pendingDelay = setTimeout(
              () => finish({ kind: resumable ? "resume" : "identify" }, 4000),
              delay,
            );
            break;
          }
          case 0:
            dispatchEvent(String(frame.t), d);
            break;
        }
      };
      function dispatchEvent(type: string, d: unknown): void {
        if (!isRecord(d)) return;
        if (type === "READY") {
          ready = true;
          session.id = str(d.session_id)!;
          session.resumeUrl = str(d.resume_gateway_url)!;
          logger.info(`discord: connected as ${options.onReady(d) ?? "?"}`);
        } else if (type === "RESUMED") {
          ready = true;
          logger.info("discord: session resumed");
        } else {
          options.onDispatch(type, d);
        }
      }
      ws.onclose = (event) => {
        const fatal = FATAL_CLOSE[event.code];
        if (fatal) {
          finish({ kind: "fatal", message: `closed with ${event.code}: ${fatal}` }, 1000);
        } else if (event.code === 4007 || event.code === 4009) {
          finish({ kind: "identify" }, 1000);
        } else {
          finish({ kind: session.id ? "resume" : "identify" }, 1000);
        }
      };
      ws.onerror = () => {
        logger.debug("discord: gateway socket error");
      };
    });
  }
}
