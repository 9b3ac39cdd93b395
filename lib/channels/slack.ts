/**
 * Slack channel: Socket Mode (app token, `_slack_socket.ts`) or the Events API through the gateway
 * (signing secret), per-sender allowlist, threaded chunked replies, Block Kit buttons.
 * @module
 */
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import { chunkText } from "./chunk.ts";
import { httpWithRetry } from "./_http.ts";
import { parseRetryAfter } from "../_internal/retry_after.ts";
import { WEBHOOK_PATHS } from "./webhook_paths.ts";
import { createRunner } from "./_runner.ts";
import { slackSocketMode } from "./_slack_socket.ts";
import {
  channelSetup,
  createSeen,
  hmacSha256Hex,
  isAbort,
  isRecord,
  json,
  nowSeconds,
  parseJson,
  readWebhookBody,
  refused,
  sendTestVia,
  str,
  untilAborted,
} from "./_util.ts";
import type {
  Button,
  ButtonPress,
  Channel,
  ChannelOptions,
  CheckResult,
  SendOptions,
  SentMessage,
} from "./types.ts";
import { constantTimeEqual } from "../secrets/secret.ts";

/** Longest text MikroClaw puts in one Slack message. */
export const SLACK_MESSAGE_LIMIT = 4000;
/** Slack's limit for a section block's text (used when a message carries buttons). */
const SECTION_LIMIT = 3000;
/** Replay window of signed requests, in seconds. */
const SIGNATURE_WINDOW = 300;

/** Options of {@linkcode createSlack}. */
export interface SlackOptions extends ChannelOptions {
  /** `SLACK_BOT_TOKEN` (`xoxb-…`) for the Web API. */
  botToken: string;
  /** `SLACK_APP_TOKEN` (`xapp-…`) for Socket Mode. */
  appToken?: string | undefined;
  /** `SLACK_SIGNING_SECRET` for the Events API; without it `webhook()` refuses every request. */
  signingSecret?: string | undefined;
  /** @default {"socket" when appToken is set, else "events"} */
  mode?: "socket" | "events";
  /** The bot's own user id; asked with auth.test when absent. */
  botUserId?: string;
  /** Longest wait between Socket Mode reconnects. @default {30000} */
  maxReconnectDelayMs?: number;
}

/** Creates the Slack channel (`apiBase` default `https://slack.com/api`). */
export function createSlack(options: SlackOptions): Channel {
  const { logger, fetchFn, apiBase, retry } = channelSetup(options, "https://slack.com/api");
  const events = createSeen();
  let selfId: string | undefined = options.botUserId;

  async function api(
    method: string,
    body: Record<string, unknown> | undefined,
    init: { token?: string; signal?: AbortSignal | undefined } = {},
  ): Promise<Record<string, unknown>> {
    const token = init.token ?? options.botToken;
    if (!token) {
      throw new AgentError(`Cannot call Slack ${method}: SLACK_BOT_TOKEN is not set`, {
        code: ErrorCode.NotConfigured,
      });
    }
    const result = await httpWithRetry({
      fetch: fetchFn,
      url: `${apiBase}/${method}`,
      init: {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": body
            ? "application/json; charset=utf-8"
            : "application/x-www-form-urlencoded",
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      },
      retry,
      label: `Slack ${method}`,
      signal: init.signal,
      retryAfterMs: (r) => parseRetryAfter(r.headers),
    });
    const parsed = parseJson(result.text);
    if (isRecord(parsed) && parsed.ok === true) return parsed;
    const error = isRecord(parsed) && typeof parsed.error === "string"
      ? parsed.error
      : `HTTP ${result.status}`;
    throw new AgentError(`Cannot call Slack ${method}: ${error}`, { code: ErrorCode.Channel });
  }

  async function self(): Promise<string | undefined> {
    if (selfId) return selfId;
    try {
      selfId = str((await api("auth.test", {})).user_id);
    } catch (error) {
      logger.warn(`slack: cannot learn the bot's user id: ${errorMessage(error)}`);
    }
    return selfId;
  }

  async function send(to: string, text: string, sendOptions: SendOptions = {}) {
    const limit = sendOptions.buttons ? SECTION_LIMIT : SLACK_MESSAGE_LIMIT;
    const parts = chunkText(text, limit).filter((p) => p.trim() !== "");
    if (parts.length === 0) throw new TypeError("Cannot send a Slack message: text is empty");
    const ids: string[] = [];
    for (const [i, part] of parts.entries()) {
      const body: Record<string, unknown> = { channel: to, text: part, mrkdwn: true };
      if (sendOptions.replyTo) body.thread_ts = sendOptions.replyTo;
      if (sendOptions.buttons && i === parts.length - 1) {
        body.blocks = [
          { type: "section", text: { type: "mrkdwn", text: part } },
          ...actionBlocks(sendOptions.buttons),
        ];
      }
      const r = await api("chat.postMessage", body, { signal: sendOptions.signal });
      ids.push(String(r.ts ?? ""));
    }
    return { ids } satisfies SentMessage;
  }

  const runner = createRunner({
    name: "slack",
    agent: options.agent,
    onCommand: options.onCommand,
    allowlist: options.allowlist,
    allowlistEnv: "SLACK_ALLOWLIST",
    logger,
    typingIntervalMs: options.typingIntervalMs ?? 0,
    send,
  });

  /** Handles an `event_callback` payload; never throws. */
  async function onEventCallback(payload: Record<string, unknown>): Promise<void> {
    const eventId = str(payload.event_id);
    if (eventId && events.check(eventId)) {
      logger.debug(`slack: duplicate event ${eventId} ignored`);
      return;
    }
    const event = isRecord(payload.event) ? payload.event : undefined;
    if (!event) return;
    const type = event.type;
    if (type !== "message" && type !== "app_mention") return;
    // bots (ourselves included) and edits, joins, deletions are not for the agent
    if (event.bot_id !== undefined || event.subtype !== undefined) return;
    const user = str(event.user);
    const channel = str(event.channel);
    const ts = str(event.ts);
    if (!user || !channel || !ts) return;
    const me = await self();
    if (me && user === me) return;
    const direct = event.channel_type === "im";
    // in channels only mentions are answered; the mention also arrives as `message`
    if (type === "message" && !direct) return;
    let text = typeof event.text === "string" ? event.text : undefined;
    if (text !== undefined && me) text = text.replaceAll(`<@${me}>`, "").trim();
    const thread = str(event.thread_ts) ?? (direct ? undefined : ts);
    runner.dispatch({
      messageId: `${channel}:${ts}`,
      senderId: user,
      to: channel,
      scope: direct ? undefined : channel,
      text,
      replyTo: thread,
    });
  }

  /** Handles a `block_actions` payload (a button press); never throws. */
  async function onInteractive(payload: Record<string, unknown>): Promise<void> {
    if (payload.type !== "block_actions") return;
    const user = isRecord(payload.user) ? str(payload.user.id) : undefined;
    const action = Array.isArray(payload.actions) && isRecord(payload.actions[0])
      ? payload.actions[0]
      : undefined;
    const channel = isRecord(payload.channel) ? str(payload.channel.id) : undefined;
    const container = isRecord(payload.container) ? payload.container : {};
    const messageTs = str(container.message_ts);
    if (!user || !action || !channel) return;
    if (!runner.allowed(user)) {
      logger.warn(`slack: button press from sender "${user}" refused (not in SLACK_ALLOWLIST)`);
      return;
    }
    if (!options.onButton) {
      logger.warn("slack: button pressed but no button handler is configured");
      return;
    }
    const press: ButtonPress = {
      channel: "slack",
      senderId: user,
      data: typeof action.value === "string" ? action.value : "",
      to: channel,
      ...(messageTs ? { messageId: messageTs } : {}),
    };
    let text: string;
    let notice = false;
    try {
      const reply = await options.onButton(press);
      text = reply?.text ?? "";
      notice = reply?.notice === true;
    } catch (error) {
      logger.error("slack: button handler failed", error);
      text = "Failed; see the log";
    }
    if (text && notice) {
      // Only the presser sees it; the message and its buttons stay.
      await api("chat.postEphemeral", {
        channel,
        user,
        text: chunkText(text, SLACK_MESSAGE_LIMIT)[0],
      });
    } else if (text && messageTs) {
      await api("chat.update", {
        channel,
        ts: messageTs,
        text: chunkText(text, SLACK_MESSAGE_LIMIT)[0],
        blocks: [],
      });
    }
  }

  function route(payload: unknown): void {
    if (!isRecord(payload)) return;
    const task = payload.type === "event_callback"
      ? onEventCallback(payload)
      : onInteractive(payload);
    task.catch((error) => {
      if (!isAbort(error)) logger.error("slack: cannot handle an event", error);
    });
  }

  const socketMode = slackSocketMode({
    logger,
    baseDelayMs: retry.baseDelayMs,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? 30_000,
    openUrl: async (signal) =>
      str(
        (await api("apps.connections.open", undefined, { token: options.appToken!, signal })).url,
      ),
    onPayload: route,
  });

  async function verify(request: Request, body: string): Promise<string | undefined> {
    const secret = options.signingSecret;
    if (!secret) return "Slack signing secret is not configured";
    const ts = request.headers.get("x-slack-request-timestamp") ?? "";
    const signature = request.headers.get("x-slack-signature") ?? "";
    if (!/^\d{1,12}$/.test(ts)) return "Missing or malformed Slack request timestamp";
    if (Math.abs(nowSeconds() - Number(ts)) > SIGNATURE_WINDOW) {
      return "Stale Slack request timestamp";
    }
    const expected = `v0=${await hmacSha256Hex(secret, `v0:${ts}:${body}`)}`;
    if (!constantTimeEqual(signature, expected)) return "Invalid Slack request signature";
    return undefined;
  }

  return {
    name: "slack",
    idle: () => runner.idle(),
    async start({ signal }) {
      const mode = options.mode ?? (options.appToken ? "socket" : "events");
      await runner.serve(signal, async (s) => {
        await self();
        if (mode !== "socket") return await untilAborted(s);
        if (!options.appToken) {
          throw new AgentError("Cannot start Slack Socket Mode: SLACK_APP_TOKEN is not set", {
            code: ErrorCode.NotConfigured,
          });
        }
        await socketMode(s);
      });
    },
    send,
    async check(): Promise<CheckResult> {
      try {
        const r = await api("auth.test", {});
        const user = str(r.user) ?? "?";
        const id = str(r.user_id);
        let detail = `Slack bot ${user} (${id ?? "?"}) in team ${String(r.team ?? "?")}`;
        if (options.appToken) {
          await api("apps.connections.open", undefined, { token: options.appToken });
          detail += "; Socket Mode token ok";
        }
        return { ok: true, detail, ...(id ? { identity: id } : {}) };
      } catch (error) {
        return {
          ok: false,
          detail: `${errorMessage(error)}; check SLACK_BOT_TOKEN / SLACK_APP_TOKEN`,
        };
      }
    },
    sendTest: (to, text) => sendTestVia(send, to, text, `Slack channel ${to}`),
    webhook: {
      path: WEBHOOK_PATHS.slack,
      async handle(request: Request): Promise<Response> {
        const body = await readWebhookBody(request);
        if (body instanceof Response) return body;
        const problem = await verify(request, body);
        if (problem) {
          logger.warn(`slack: request refused: ${problem}`);
          return refused(401, problem);
        }
        const type = request.headers.get("content-type") ?? "";
        let payload: unknown;
        if (type.includes("application/x-www-form-urlencoded")) {
          const form = new URLSearchParams(body);
          payload = parseJson(form.get("payload") ?? "");
        } else {
          payload = parseJson(body);
        }
        if (!isRecord(payload)) return refused(400, "Not a Slack payload");
        if (payload.type === "url_verification") {
          return json({
            challenge: typeof payload.challenge === "string" ? payload.challenge : "",
          });
        }
        route(payload);
        return new Response(null, { status: 200 });
      },
    },
  };
}

function actionBlocks(buttons: Button[][] | Button[]): Record<string, unknown>[] {
  const rows =
    (buttons.length > 0 && Array.isArray(buttons[0]) ? buttons : [buttons]) as Button[][];
  let n = 0;
  return rows.map((row) => ({
    type: "actions",
    elements: row.map((b) => {
      if (b.data.length < 1 || b.data.length > 2000) {
        throw new RangeError(
          `Cannot send a Slack button: data must be 1-2000 characters, got ${b.data.length}`,
        );
      }
      return {
        type: "button",
        action_id: `mikroclaw_${n++}`,
        value: b.data,
        text: { type: "plain_text", text: b.text },
        ...(b.style ? { style: b.style } : {}),
      };
    }),
  }));
}
