/**
 * The inbound pipeline every channel shares: de-duplication, allowlist, per-session ordering,
 * typing indicator, agent turn, reply, and error reporting.
 * @module
 */
import type { Agent } from "../agent/types.ts";
import type { Logger } from "../_internal/logger.ts";
import { errorMessage, isAgentError } from "../errors.ts";
import type { ChannelName, CommandHandler } from "./types.ts";
import { createSeen, isAbort, untilAborted } from "./_util.ts";

/** A message that arrived on a channel, before the allowlist. */
export interface Inbound {
  /** Unique per message on this channel; the same message seen twice is handled once. */
  messageId: string;
  /** Immutable sender id. */
  senderId: string;
  /** Where to reply (chat / channel id). */
  to: string;
  /** Conversation scope beyond the sender, e.g. a group chat id; absent for direct messages. */
  scope?: string | undefined;
  /** Text; undefined for non-text messages (photos, stickers…). */
  text: string | undefined;
  /** What the reply refers to (message id / thread ts). */
  replyTo?: string | undefined;
  /** Delivers the reply some other way (Discord interaction follow-ups); no typing indicator. */
  respond?: (text: string) => Promise<void>;
}

/** What the pipeline needs from a channel driver. */
export interface RunnerDriver {
  name: ChannelName;
  agent: Agent;
  /** Tried before the agent; a reply it gives is sent instead of an agent turn. */
  onCommand?: CommandHandler | undefined;
  allowlist: readonly string[];
  logger: Logger;
  /** Env variable named in the "add this id" hint. */
  allowlistEnv: string;
  /** The channel's own `send`; the runner passes the reply target and the channel's lifetime. */
  send(
    to: string,
    text: string,
    options: { replyTo?: string | undefined; signal?: AbortSignal | undefined },
  ): Promise<unknown>;
  /** Shows "typing…" once; undefined when the service has none. */
  typing?: (to: string) => Promise<void>;
  typingIntervalMs: number;
}

/** The shared pipeline of one channel. */
export interface Runner {
  /** True when `senderId` may use the agent (exact match; `*` allows all). */
  allowed(senderId: string): boolean;
  /** Queues one inbound message; never throws. */
  dispatch(message: Inbound): void;
  /**
   * A channel's `start`: links the lifetime, runs `loop` (polling, a socket) or just waits for
   * the abort (webhook modes), then waits for the replies in flight.
   */
  serve(signal: AbortSignal, loop?: (signal: AbortSignal) => Promise<void>): Promise<void>;
  /** Resolves when every queued message is handled. */
  idle(): Promise<void>;
}

const NON_TEXT_NOTE = "I can only read text messages.";

/** Creates the pipeline; logs the `*` warning and the deny-all notice once. */
export function createRunner(driver: RunnerDriver): Runner {
  const list = new Set(driver.allowlist.map((s) => s.trim()).filter((s) => s.length > 0));
  const everyone = list.has("*");
  const { logger, name } = driver;
  if (everyone) {
    logger.warn(
      `${name}: ${driver.allowlistEnv}="*" lets anyone who finds the bot use the agent; ` +
        `list sender ids instead`,
    );
  } else if (list.size === 0) {
    logger.warn(
      `${name}: ${driver.allowlistEnv} is empty, so every sender is refused; ` +
        `set it to a comma list of sender ids`,
    );
  }
  const seen = createSeen();
  const sessions = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();
  let signal: AbortSignal | undefined;

  function allowed(senderId: string): boolean {
    if (everyone) return senderId.length > 0;
    return list.has(senderId);
  }

  async function handle(message: Inbound): Promise<void> {
    const sessionKey = message.scope
      ? `${name}:${message.scope}:${message.senderId}`
      : `${name}:${message.senderId}`;
    const reply = message.respond ??
      ((text: string) =>
        driver.send(message.to, text, {
          replyTo: message.replyTo,
          signal,
        }).then(() => {}));
    if (message.text === undefined || message.text.trim() === "") {
      await reply(NON_TEXT_NOTE);
      return;
    }
    let typingTimer: ReturnType<typeof setInterval> | undefined;
    if (driver.typing && !message.respond) {
      const typing = driver.typing;
      const tick = (): void => {
        typing(message.to).catch((e) => logger.debug(`${name}: typing failed`, errorMessage(e)));
      };
      tick();
      typingTimer = setInterval(tick, driver.typingIntervalMs);
    }
    let answer: string;
    const requestedBy = `${name}:${message.senderId}`;
    try {
      const text = await driver.onCommand?.(message.text, requestedBy) ??
        (await driver.agent.run({
          input: message.text,
          sessionKey,
          requestedBy,
          signal,
        })).text;
      answer = text.trim() === "" ? "(no reply)" : text;
    } catch (error) {
      if (isAbort(error)) return;
      logger.error(`${name}: agent turn for ${sessionKey} failed`, error);
      const code = isAgentError(error) ? ` (${error.code})` : "";
      answer = `Sorry, I could not answer that${code}. The error has been logged.`;
    } finally {
      if (typingTimer !== undefined) clearInterval(typingTimer);
    }
    await reply(answer);
  }

  function dispatch(message: Inbound): void {
    if (seen.check(message.messageId)) {
      logger.debug(`${name}: duplicate message ${message.messageId} ignored`);
      return;
    }
    if (!allowed(message.senderId)) {
      logger.warn(
        `${name}: message from sender ${JSON.stringify(message.senderId)} refused (not in ` +
          `${driver.allowlistEnv}; add the id there to allow it)`,
      );
      return;
    }
    const key = `${message.scope ?? ""}:${message.senderId}`;
    const previous = sessions.get(key) ?? Promise.resolve();
    const run = previous.then(() => handle(message)).catch((error) => {
      if (!isAbort(error)) logger.error(`${name}: cannot answer ${message.messageId}`, error);
    });
    sessions.set(key, run);
    pending.add(run);
    run.finally(() => {
      pending.delete(run);
      if (sessions.get(key) === run) sessions.delete(key);
    });
  }

  async function idle(): Promise<void> {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  }

  return {
    allowed,
    dispatch,
    idle,
    async serve(s, loop) {
      signal = s;
      try {
        await (loop ?? untilAborted)(s);
      } finally {
        await idle();
      }
    },
  };
}
