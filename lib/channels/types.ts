/**
 * The channel contract: Telegram, Discord and Slack all look like this to the CLI and gateway.
 * @module
 */
import type { Agent } from "../agent/types.ts";
import type { Logger } from "../_internal/logger.ts";
import type { RetryOptions } from "./_util.ts";

export type { RetryOptions } from "./_util.ts";

/** The channels MikroClaw speaks. */
export type ChannelName = "telegram" | "discord" | "slack";

/** One button under a message (approvals, later). */
export interface Button {
  /** Label shown to the user. */
  text: string;
  /**
   * Opaque id returned when pressed: an id, never the payload itself (Telegram allows 64
   * bytes, Discord 100 characters, Slack 2000).
   */
  data: string;
  /** Colour hint where the service has one (Slack, Discord). */
  style?: "primary" | "danger";
}

/** Options of {@linkcode Channel.send}. */
export interface SendOptions {
  /** Buttons under the last part of the message: rows of buttons, or one row. */
  buttons?: Button[][] | Button[] | undefined;
  /**
   * What to reply to: Telegram message id, Discord message id, Slack thread `ts`.
   */
  replyTo?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** What {@linkcode Channel.send} delivered: one id per part, in order. */
export interface SentMessage {
  ids: string[];
}

/** Outcome of a credential check or a test send. */
export interface CheckResult {
  ok: boolean;
  /** One line for a person: who the bot is, or what is wrong and how to fix it. */
  detail: string;
  /** The bot's identity (`@name`, `name#id`, `U…`) when known. */
  identity?: string;
}

/** A button press from an allowlisted sender, handed to `onButton`. */
export interface ButtonPress {
  channel: ChannelName;
  /** Immutable id of who pressed (Telegram user id, Discord snowflake, Slack `U…`). */
  senderId: string;
  /** `Button.data` of the pressed button. */
  data: string;
  /** Where the message with the buttons is (chat / channel id). */
  to: string;
  /** Id of the message carrying the buttons. */
  messageId?: string;
}

/**
 * What to show after a press: replaces the message text and removes its buttons, or with
 * `notice` only answers the presser (a toast / ephemeral note) and leaves the message as it is.
 */
export interface ButtonReply {
  text: string;
  /** Answer the press only; keep the message and its buttons. */
  notice?: boolean;
}

/**
 * Called for each button press of an allowlisted sender. Must answer within about 2 seconds
 * (Discord and Slack give 3) and must not throw; a rejection is logged and the press answered
 * with a short failure note. Deciding who may approve what is the caller's job.
 */
export type ButtonHandler = (press: ButtonPress) => Promise<ButtonReply | undefined>;

/** A channel's inbound endpoint (see {@linkcode Channel.webhook}). */
export interface ChannelWebhook {
  /** The gateway path, e.g. `/channels/telegram/webhook`. */
  readonly path: string;
  handle(request: Request): Promise<Response>;
}

/**
 * Answers a chat command (`/undo`, `/jobs …`) before the agent sees the message: the reply, or
 * `undefined` to let the agent answer. `sender` is `<channel>:<sender id>`.
 */
export type CommandHandler = (text: string, sender: string) => Promise<string | undefined>;

/** Options every channel factory takes. */
export interface ChannelOptions {
  /** The agent answering inbound messages. */
  agent: Agent;
  /**
   * Immutable sender ids allowed to talk to the agent; `"*"` allows everyone (with a start-up
   * warning); empty denies everyone.
   */
  allowlist: readonly string[];
  /** API base URL (for a proxy, a local server or tests). */
  apiBase?: string;
  /** @default {globalThis.fetch} */
  fetch?: typeof globalThis.fetch | undefined;
  logger?: Logger;
  /**
   * Chat commands, tried before every agent turn: a person's command must not be
   * reinterpreted (or invented) by the model.
   */
  onCommand?: CommandHandler | undefined;
  /** Button presses (approvals). Without it presses are answered "Not available". */
  onButton?: ButtonHandler | undefined;
  retry?: RetryOptions;
  /** How often the typing indicator is renewed while the agent works. */
  typingIntervalMs?: number;
}

/** A running chat channel. */
export interface Channel {
  readonly name: ChannelName;
  /**
   * Receives messages (long polling, Gateway or Socket Mode) until `signal` aborts, then waits
   * for replies in flight and resolves. Rejects only on a fatal configuration problem (bad
   * token, disallowed intents).
   */
  start(options: { signal: AbortSignal }): Promise<void>;
  /**
   * Resolves when every message received so far has been handled (its turn run, its reply
   * sent or failed): what a caller waits on before saying something did not happen.
   */
  idle?(): Promise<void>;
  /** Sends `text` to a chat/channel id, split at the service's limit. Throws `AgentError`. */
  send(to: string, text: string, options?: SendOptions): Promise<SentMessage>;
  /** Checks the credentials (getMe / users/@me / auth.test). Never throws. */
  check(): Promise<CheckResult>;
  /**
   * Where to `send` a direct message to a user, when that is not the user id itself (Discord
   * needs a DM channel opened first). Absent: send to the user id.
   */
  directTo?(userId: string): Promise<string>;
  /** Sends a test message (the `channel --send` command). Never throws. */
  sendTest(to: string, text: string): Promise<CheckResult>;
  /**
   * Inbound HTTP endpoint the gateway mounts as `POST <path>` without bearer auth (webhook,
   * events, interactions): `handle` verifies the service's own signature.
   */
  webhook?: ChannelWebhook;
}
