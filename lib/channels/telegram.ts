/**
 * Telegram Bot API channel: long polling (`_telegram_poll.ts`) or a webhook through the gateway,
 * per-sender allowlist, chunked replies, inline-keyboard buttons.
 * @module
 */
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import { chunkText } from "./chunk.ts";
import { httpWithRetry } from "./_http.ts";
import { WEBHOOK_PATHS } from "./webhook_paths.ts";
import { createRunner } from "./_runner.ts";
import { type ApiFail, type ApiOk, telegramPolling } from "./_telegram_poll.ts";
import {
  channelSetup,
  createSeen,
  isAbort,
  isRecord,
  json,
  parseJson,
  readWebhookBody,
  refused,
  sendTestVia,
  str,
} from "./_util.ts";
import type {
  Button,
  ButtonPress,
  ButtonReply,
  Channel,
  ChannelOptions,
  CheckResult,
  SendOptions,
  SentMessage,
} from "./types.ts";
import { constantTimeEqual } from "../secrets/secret.ts";

/** Telegram's message limit, in UTF-16 code units. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

/** Options of {@linkcode createTelegram}. */
export interface TelegramOptions extends ChannelOptions {
  /** Bot token from @BotFather (`BOT_TOKEN`). */
  token: string;
  /** `TELEGRAM_WEBHOOK_SECRET`; without it `webhook()` refuses every request. */
  webhookSecret?: string | undefined;
  /** Long-poll `timeout` in seconds. @default {25} */
  pollTimeoutSeconds?: number;
  /** @default {["message", "callback_query"]} */
  allowedUpdates?: string[];
  /** Longest wait after a 409 conflict or a failed poll. @default {60000} */
  maxPollBackoffMs?: number;
  /**
   * Shortest time between the starts of two `getUpdates` calls when a call came back empty:
   * a Bot API server that does not hold the long poll (a proxy, an emulator, a wrong
   * `TELEGRAM_API_BASE`) would otherwise be called in a tight loop. @default {1000}
   */
  minPollGapMs?: number;
  /**
   * `polling` runs `getUpdates` in `start()`; `webhook` leaves receiving to `webhook()` (mounted
   * by the gateway) and `start()` only waits. @default {"webhook" when webhookSecret is set}
   */
  mode?: "polling" | "webhook";
  /**
   * Where the polling offset survives a restart or a crash (the runtime keeps it in the state
   * store), so an update handled before is never fetched and answered again.
   */
  offsetStore?: {
    load(): Promise<number | undefined>;
    save(offset: number): Promise<void>;
  } | undefined;
}

/** Creates the Telegram channel (`apiBase` default `https://api.telegram.org`). */
export function createTelegram(options: TelegramOptions): Channel {
  const { logger, fetchFn, apiBase, retry } = channelSetup(options, "https://api.telegram.org");
  const updates = createSeen();
  let lifetime: AbortSignal | undefined;

  async function request(
    method: string,
    params: Record<string, unknown>,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<ApiOk | ApiFail> {
    if (!options.token) {
      throw new AgentError("Cannot call Telegram: BOT_TOKEN is not set", {
        code: ErrorCode.NotConfigured,
      });
    }
    const result = await httpWithRetry({
      fetch: fetchFn,
      url: `${apiBase}/bot${options.token}/${method}`,
      init: {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(params),
      },
      retry,
      label: `Telegram ${method}`,
      redact: [options.token],
      signal,
      timeoutMs,
      retryAfterMs(r) {
        const body = parseJson(r.text);
        const after = isRecord(body) && isRecord(body.parameters)
          ? body.parameters.retry_after
          : undefined;
        return typeof after === "number" && after >= 0 ? after * 1000 : undefined;
      },
    });
    const body = parseJson(result.text);
    if (isRecord(body) && body.ok === true && result.status < 300) {
      return { ok: true, result: body.result };
    }
    const description = isRecord(body) && typeof body.description === "string"
      ? body.description
      : `HTTP ${result.status}`;
    return { ok: false, status: result.status, description };
  }

  async function call(
    method: string,
    params: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const r = await request(method, params, signal);
    if (!r.ok) {
      throw new AgentError(`Cannot call Telegram ${method}: ${r.status} ${r.description}`, {
        code: ErrorCode.Channel,
      });
    }
    return r.result;
  }

  async function send(to: string, text: string, sendOptions: SendOptions = {}) {
    const parts = chunkText(text, TELEGRAM_MESSAGE_LIMIT).filter((p) => p.trim() !== "");
    if (parts.length === 0) {
      throw new TypeError("Cannot send a Telegram message: text is empty");
    }
    const markup = sendOptions.buttons ? keyboard(sendOptions.buttons) : undefined;
    const ids: string[] = [];
    for (const [i, part] of parts.entries()) {
      const params: Record<string, unknown> = { chat_id: chatId(to), text: part };
      if (i === 0 && sendOptions.replyTo) {
        params.reply_parameters = {
          message_id: Number(sendOptions.replyTo),
          allow_sending_without_reply: true,
        };
      }
      if (markup && i === parts.length - 1) params.reply_markup = markup;
      const message = await call("sendMessage", params, sendOptions.signal);
      ids.push(isRecord(message) ? String(message.message_id) : "");
    }
    return { ids } satisfies SentMessage;
  }

  const runner = createRunner({
    name: "telegram",
    agent: options.agent,
    onCommand: options.onCommand,
    allowlist: options.allowlist,
    allowlistEnv: "TELEGRAM_ALLOWLIST",
    logger,
    typingIntervalMs: options.typingIntervalMs ?? 4000,
    send,
    async typing(to) {
      await call("sendChatAction", { chat_id: chatId(to), action: "typing" }, lifetime);
    },
  });

  async function onCallback(query: Record<string, unknown>): Promise<void> {
    const id = str(query.id);
    const from = isRecord(query.from) ? query.from : undefined;
    const senderId = from && typeof from.id === "number" ? String(from.id) : undefined;
    if (!id || !senderId) return;
    const message = isRecord(query.message) ? query.message : undefined;
    const chat = message && isRecord(message.chat) ? message.chat : undefined;
    if (!runner.allowed(senderId)) {
      logger.warn(
        `telegram: button press from sender "${senderId}" refused (not in TELEGRAM_ALLOWLIST)`,
      );
      await call("answerCallbackQuery", { callback_query_id: id, text: "Not allowed" });
      return;
    }
    const press: ButtonPress = {
      channel: "telegram",
      senderId,
      data: typeof query.data === "string" ? query.data : "",
      to: chat && chat.id !== undefined ? String(chat.id) : senderId,
      ...(message && message.message_id !== undefined
        ? { messageId: String(message.message_id) }
        : {}),
    };
    let text = "Not available";
    let reply: ButtonReply | undefined;
    if (options.onButton) {
      try {
        reply = await options.onButton(press);
        text = reply?.text ?? "Done";
      } catch (error) {
        logger.error("telegram: button handler failed", error);
        text = "Failed; see the log";
      }
    }
    await call("answerCallbackQuery", { callback_query_id: id, text: text.slice(0, 200) });
    if (reply && !reply.notice && chat && message) {
      await call("editMessageText", {
        chat_id: chat.id,
        message_id: message.message_id,
        text: chunkText(reply.text, TELEGRAM_MESSAGE_LIMIT)[0] ?? "Done",
      });
    }
  }

  /** Routes one update; never throws. */
  function handleUpdate(update: Record<string, unknown>): void {
    const message = isRecord(update.message) ? update.message : undefined;
    if (message) {
      const from = isRecord(message.from) ? message.from : undefined;
      const chat = isRecord(message.chat) ? message.chat : undefined;
      // channel posts and service messages without a user are not for the agent
      if (!from || typeof from.id !== "number" || !chat || chat.id === undefined) return;
      if (from.is_bot === true) return;
      const senderId = String(from.id);
      const isPrivate = chat.type === "private";
      runner.dispatch({
        messageId: `${chat.id}:${message.message_id}`,
        senderId,
        to: String(chat.id),
        scope: isPrivate ? undefined : String(chat.id),
        text: typeof message.text === "string" ? message.text : undefined,
        ...(message.message_id !== undefined ? { replyTo: String(message.message_id) } : {}),
      });
      return;
    }
    if (isRecord(update.callback_query)) {
      onCallback(update.callback_query).catch((error) => {
        if (!isAbort(error)) logger.error("telegram: cannot answer a button press", error);
      });
    }
  }

  /** De-duplicates by `update_id` and routes; false for malformed updates. */
  function accept(update: unknown): number | undefined {
    if (!isRecord(update) || !Number.isSafeInteger(update.update_id)) return undefined;
    const id = update.update_id as number;
    if (updates.check(String(id))) {
      logger.debug(`telegram: duplicate update ${id} ignored`);
      return id;
    }
    try {
      handleUpdate(update);
    } catch (error) {
      logger.error(`telegram: update ${id} failed`, error);
    }
    return id;
  }

  const poll = telegramPolling({
    request,
    accept,
    logger,
    pollTimeoutSeconds: options.pollTimeoutSeconds ?? 25,
    allowedUpdates: options.allowedUpdates ?? ["message", "callback_query"],
    baseDelayMs: retry.baseDelayMs,
    maxPollBackoffMs: options.maxPollBackoffMs ?? 60_000,
    minPollGapMs: options.minPollGapMs ?? 1000,
    offsetStore: options.offsetStore,
  });

  return {
    name: "telegram",
    idle: () => runner.idle(),
    async start({ signal }) {
      lifetime = signal;
      const polling =
        (options.mode ?? (options.webhookSecret ? "webhook" : "polling")) === "polling";
      await runner.serve(signal, polling ? poll : undefined);
    },
    send,
    async check(): Promise<CheckResult> {
      try {
        const me = await call("getMe", {});
        const username = isRecord(me) ? str(me.username) : undefined;
        const id = isRecord(me) ? me.id : undefined;
        return {
          ok: true,
          detail: `Telegram bot @${username ?? "?"} (id ${String(id)})`,
          ...(username ? { identity: `@${username}` } : {}),
        };
      } catch (error) {
        return {
          ok: false,
          detail: `${errorMessage(error)}; check BOT_TOKEN and TELEGRAM_API_BASE`,
        };
      }
    },
    sendTest: (to, text) => sendTestVia(send, to, text, `Telegram chat ${to}`),
    webhook: {
      path: WEBHOOK_PATHS.telegram,
      async handle(request: Request): Promise<Response> {
        const secret = options.webhookSecret;
        const given = request.headers.get("x-telegram-bot-api-secret-token") ?? "";
        if (!secret) {
          logger.warn("telegram: webhook call refused: TELEGRAM_WEBHOOK_SECRET is not set");
          return refused(401, "Telegram webhook secret is not configured");
        }
        if (!constantTimeEqual(given, secret)) {
          logger.warn("telegram: webhook call refused: wrong or missing secret token");
          return refused(401, "Invalid Telegram webhook secret token");
        }
        const text = await readWebhookBody(request);
        if (text instanceof Response) return text;
        const update = parseJson(text);
        if (accept(update) === undefined) return refused(400, "Not a Telegram update");
        return json({ ok: true });
      },
    },
  };
}

/** Numeric chat ids go out as numbers, `@channel` names as strings. */
function chatId(to: string): number | string {
  if (/^-?\d+$/.test(to)) {
    const n = Number(to);
    if (Number.isSafeInteger(n)) return n;
  }
  return to;
}

function keyboard(buttons: Button[][] | Button[]): Record<string, unknown> {
  const rows =
    (buttons.length > 0 && Array.isArray(buttons[0]) ? buttons : [buttons]) as Button[][];
  const encoder = new TextEncoder();
  return {
    inline_keyboard: rows.map((row) =>
      row.map((b) => {
        const bytes = encoder.encode(b.data).length;
        if (bytes < 1 || bytes > 64) {
          throw new RangeError(
            `Cannot send a Telegram button: data must be 1-64 bytes, got ${bytes}`,
          );
        }
        return { text: b.text, callback_data: b.data };
      })
    ),
  };
}
