/**
 * Discord channel: messages from the bot Gateway (`_discord_gateway.ts`: WebSocket, heartbeats,
 * RESUME, reconnect), REST replies (`_discord_rest.ts`: per-bucket rate limits), and the HTTP
 * interactions endpoint with Ed25519 verification.
 * @module
 */
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import { chunkText } from "./chunk.ts";
import { WEBHOOK_PATHS } from "./webhook_paths.ts";
import { createRunner, type Inbound } from "./_runner.ts";
import { discordRest } from "./_discord_rest.ts";
import { discordGateway } from "./_discord_gateway.ts";
import {
  channelSetup,
  createSeen,
  isAbort,
  isRecord,
  json,
  nowSeconds,
  parseJson,
  readWebhookBody,
  refused,
  sendTestVia,
  str,
  verifyEd25519,
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

/** Discord's message content limit. */
export const DISCORD_MESSAGE_LIMIT = 2000;
/** GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT. */
export const DISCORD_DEFAULT_INTENTS = 37377;
/** Replay window for signed interactions, in seconds. */
const SIGNATURE_WINDOW = 300;

/** Options of {@linkcode createDiscord}. */
export interface DiscordOptions extends ChannelOptions {
  /** `DISCORD_BOT_TOKEN`. */
  token: string;
  /** `DISCORD_PUBLIC_KEY` (hex) for the interactions endpoint; without it every call gets 401. */
  publicKey?: string | undefined;
  /** `DISCORD_GATEWAY_URL`; else asked with GET /gateway/bot. */
  gatewayUrl?: string | undefined;
  /** @default {37377} */
  intents?: number;
  /**
   * `gateway` connects the WebSocket in `start()`; `interactions` only serves `webhook()`.
   * @default {"gateway"}
   */
  mode?: "gateway" | "interactions";
  /** Longest wait between reconnects. @default {30000} */
  maxReconnectDelayMs?: number;
  /** Wait after an INVALID_SESSION (Discord suggests 1–5 s). @default {1000 + random 4000} */
  invalidSessionDelayMs?: number;
}

/** Creates the Discord channel (`apiBase` default `https://discord.com/api/v10`). */
export function createDiscord(options: DiscordOptions): Channel {
  const { logger, fetchFn, apiBase, retry } = channelSetup(options, "https://discord.com/api/v10");
  const interactions = createSeen();
  let lifetime: AbortSignal | undefined;
  let selfId: string | undefined;

  const rest = discordRest({ token: options.token, fetch: fetchFn, apiBase, retry });

  async function send(to: string, text: string, sendOptions: SendOptions = {}) {
    const parts = chunkText(text, DISCORD_MESSAGE_LIMIT).filter((p) => p.trim() !== "");
    if (parts.length === 0) throw new TypeError("Cannot send a Discord message: text is empty");
    if (!/^\d{1,25}$/.test(to)) {
      throw new TypeError(`Cannot send a Discord message: "${to}" is not a channel id`);
    }
    const components = sendOptions.buttons ? componentRows(sendOptions.buttons) : undefined;
    const ids: string[] = [];
    for (const [i, part] of parts.entries()) {
      const body: Record<string, unknown> = { content: part, allowed_mentions: { parse: [] } };
      if (i === 0 && sendOptions.replyTo) {
        body.message_reference = { message_id: sendOptions.replyTo, fail_if_not_exists: false };
      }
      if (components && i === parts.length - 1) body.components = components;
      const r = await rest(
        "POST",
        `/channels/${to}/messages`,
        `/channels/${to}/messages`,
        body,
        sendOptions.signal,
      );
      ids.push(isRecord(r) ? String(r.id ?? "") : "");
    }
    return { ids } satisfies SentMessage;
  }

  const dmChannels = new Map<string, string>();
  /** The DM channel with `userId` (opened once, then cached). */
  async function directTo(userId: string): Promise<string> {
    const known = dmChannels.get(userId);
    if (known) return known;
    const r = await rest("POST", "/users/@me/channels", "/users/@me/channels", {
      recipient_id: userId,
    });
    const id = isRecord(r) ? str(r.id) : undefined;
    if (!id) {
      throw new AgentError(`Cannot open a Discord DM with ${userId}: no channel id in the answer`, {
        code: ErrorCode.Channel,
      });
    }
    dmChannels.set(userId, id);
    return id;
  }

  const runner = createRunner({
    name: "discord",
    agent: options.agent,
    onCommand: options.onCommand,
    allowlist: options.allowlist,
    allowlistEnv: "DISCORD_ALLOWLIST",
    logger,
    typingIntervalMs: options.typingIntervalMs ?? 8000,
    send,
    async typing(to) {
      await rest("POST", `/channels/${to}/typing`, `/channels/${to}/typing`, undefined, lifetime);
    },
  });

  function onMessage(d: Record<string, unknown>): void {
    const author = isRecord(d.author) ? d.author : undefined;
    const authorId = author ? str(author.id) : undefined;
    const channelId = str(d.channel_id);
    const id = str(d.id);
    if (!author || !authorId || !channelId || !id) return;
    // never answer bots, ourselves included: that is how reply loops start
    if (author.bot === true || authorId === selfId) return;
    const direct = d.guild_id === undefined || d.guild_id === null;
    const content = typeof d.content === "string" ? d.content : "";
    const mentions = Array.isArray(d.mentions) ? d.mentions : [];
    const mentioned = selfId !== undefined &&
      (mentions.some((m) => isRecord(m) && m.id === selfId) ||
        content.includes(`<@${selfId}>`) || content.includes(`<@!${selfId}>`));
    if (!direct && !mentioned) return;
    const text = selfId
      ? content.replaceAll(`<@${selfId}>`, "").replaceAll(`<@!${selfId}>`, "").trim()
      : content.trim();
    runner.dispatch({
      messageId: `message:${id}`,
      senderId: authorId,
      to: channelId,
      scope: direct ? undefined : channelId,
      text: text === "" ? undefined : text,
      replyTo: id,
    });
  }

  /**
   * Answers one interaction (HTTP endpoint or Gateway); returns the response body. Commands
   * are acknowledged as deferred and answered through the webhook follow-up API.
   */
  async function onInteraction(i: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (i.type === 1) return { type: 1 };
    const member = isRecord(i.member) ? i.member : undefined;
    const user = member && isRecord(member.user) ? member.user : isRecord(i.user) ? i.user : {};
    const senderId = str(user.id);
    const id = str(i.id);
    const data = isRecord(i.data) ? i.data : {};
    const notAllowed = { type: 4, data: { content: "Not allowed", flags: 64 } };
    if (!senderId || !id) return notAllowed;
    if (!runner.allowed(senderId)) {
      logger.warn(
        `discord: interaction from sender "${senderId}" refused (not in DISCORD_ALLOWLIST; ` +
          `add the id there to allow it)`,
      );
      return notAllowed;
    }
    const channelId = str(i.channel_id) ?? (isRecord(i.channel) ? str(i.channel.id) : undefined);
    if (i.type === 3) {
      const message = isRecord(i.message) ? i.message : {};
      const press: ButtonPress = {
        channel: "discord",
        senderId,
        data: typeof data.custom_id === "string" ? data.custom_id : "",
        to: channelId ?? "",
        ...(str(message.id) ? { messageId: str(message.id)! } : {}),
      };
      if (!options.onButton) return { type: 4, data: { content: "Not available", flags: 64 } };
      try {
        const reply = await options.onButton(press);
        if (!reply) return { type: 6 };
        if (reply.notice) {
          return { type: 4, data: { content: reply.text.slice(0, 1900), flags: 64 } };
        }
        return {
          type: 7,
          data: { content: chunkText(reply.text, DISCORD_MESSAGE_LIMIT)[0], components: [] },
        };
      } catch (error) {
        logger.error("discord: button handler failed", error);
        return { type: 4, data: { content: "Failed; see the log", flags: 64 } };
      }
    }
    if (i.type === 2) {
      const appId = str(i.application_id);
      const token = str(i.token);
      if (!appId || !token) return notAllowed;
      const input = commandText(data);
      const inbound: Inbound = {
        messageId: `interaction:${id}`,
        senderId,
        to: channelId ?? senderId,
        scope: i.guild_id ? channelId ?? "guild" : undefined,
        text: input,
        respond: (text) => followUp(appId, token, text),
      };
      runner.dispatch(inbound);
      return { type: 5 };
    }
    return { type: 4, data: { content: "Not supported", flags: 64 } };
  }

  /** Replaces the deferred answer, then posts the remaining parts as follow-ups. */
  async function followUp(appId: string, token: string, text: string): Promise<void> {
    const parts = chunkText(text, DISCORD_MESSAGE_LIMIT).filter((p) => p.trim() !== "");
    const route = "/webhooks/{application}/{token}";
    for (const [n, part] of parts.entries()) {
      const body = { content: part, allowed_mentions: { parse: [] } };
      if (n === 0) {
        await rest(
          "PATCH",
          `/webhooks/${appId}/${token}/messages/@original`,
          route,
          body,
          lifetime,
        );
      } else {
        await rest("POST", `/webhooks/${appId}/${token}`, route, body, lifetime);
      }
    }
  }

  async function gatewayBase(signal: AbortSignal): Promise<string> {
    if (options.gatewayUrl) return options.gatewayUrl;
    const r = await rest("GET", "/gateway/bot", "/gateway/bot", undefined, signal);
    const url = isRecord(r) ? str(r.url) : undefined;
    if (!url) {
      throw new AgentError("Cannot find the Discord Gateway: no url in /gateway/bot", {
        code: ErrorCode.Channel,
      });
    }
    return url;
  }

  const gateway = discordGateway({
    token: options.token,
    intents: options.intents ?? DISCORD_DEFAULT_INTENTS,
    logger,
    baseDelayMs: retry.baseDelayMs,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? 30_000,
    invalidSessionDelayMs: options.invalidSessionDelayMs,
    gatewayBase,
    onReady(ready) {
      selfId = isRecord(ready.user) ? str(ready.user.id) : selfId;
      return selfId;
    },
    onDispatch(type, d) {
      if (type === "MESSAGE_CREATE") {
        onMessage(d);
      } else if (type === "INTERACTION_CREATE") {
        const id = str(d.id);
        const token = str(d.token);
        if (!id || !token || interactions.check(id)) return;
        onInteraction(d).then((answer) =>
          rest(
            "POST",
            `/interactions/${id}/${token}/callback`,
            "/interactions/{id}/{token}/callback",
            answer,
            lifetime,
          )
        ).catch((error) => {
          if (!isAbort(error)) logger.error("discord: cannot answer an interaction", error);
        });
      }
    },
  });

  return {
    name: "discord",
    idle: () => runner.idle(),
    async start({ signal }) {
      lifetime = signal;
      await runner.serve(signal, (options.mode ?? "gateway") === "gateway" ? gateway : undefined);
    },
    send,
    directTo,
    async check(): Promise<CheckResult> {
      try {
        const me = await rest("GET", "/users/@me", "/users/@me");
        const name = isRecord(me) ? str(me.username) ?? "?" : "?";
        const id = isRecord(me) ? str(me.id) : undefined;
        return {
          ok: true,
          detail: `Discord bot ${name} (id ${id ?? "?"})`,
          identity: `${name}#${id ?? "?"}`,
        };
      } catch (error) {
        return { ok: false, detail: `${errorMessage(error)}; check DISCORD_BOT_TOKEN` };
      }
    },
    sendTest: (to, text) => sendTestVia(send, to, text, `Discord channel ${to}`),
    webhook: {
      path: WEBHOOK_PATHS.discord,
      async handle(request: Request): Promise<Response> {
        const body = await readWebhookBody(request);
        if (body instanceof Response) return body;
        const signature = request.headers.get("x-signature-ed25519") ?? "";
        const timestamp = request.headers.get("x-signature-timestamp") ?? "";
        let problem: string | undefined;
        if (!options.publicKey) problem = "DISCORD_PUBLIC_KEY is not configured";
        else if (!/^\d{1,12}$/.test(timestamp)) problem = "Missing or malformed timestamp";
        else if (Math.abs(nowSeconds() - Number(timestamp)) > SIGNATURE_WINDOW) {
          problem = "Stale request timestamp";
        } else if (!(await verifyEd25519(options.publicKey, signature, timestamp + body))) {
          problem = "invalid request signature";
        }
        if (problem) {
          logger.warn(`discord: interaction refused: ${problem}`);
          return refused(401, problem);
        }
        const interaction = parseJson(body);
        if (!isRecord(interaction)) return refused(400, "Not a Discord interaction");
        const id = str(interaction.id);
        if (interaction.type !== 1 && id && interactions.check(id)) {
          return json({ type: 4, data: { content: "Already answered", flags: 64 } });
        }
        return json(await onInteraction(interaction));
      },
    },
  };
}

/** The prompt of a slash command: its string options joined, else the command name. */
function commandText(data: Record<string, unknown>): string | undefined {
  const options = Array.isArray(data.options) ? data.options : [];
  const values = options.filter((o) => isRecord(o) && typeof o.value === "string").map((o) =>
    String((o as Record<string, unknown>).value)
  );
  if (values.length > 0) return values.join(" ");
  return typeof data.name === "string" ? data.name : undefined;
}

function componentRows(buttons: Button[][] | Button[]): Record<string, unknown>[] {
  const rows =
    (buttons.length > 0 && Array.isArray(buttons[0]) ? buttons : [buttons]) as Button[][];
  return rows.map((row) => ({
    type: 1,
    components: row.map((b) => {
      if (b.data.length < 1 || b.data.length > 100) {
        throw new RangeError(
          `Cannot send a Discord button: data must be 1-100 characters, got ${b.data.length}`,
        );
      }
      return {
        type: 2,
        style: b.style === "danger" ? 4 : b.style === "primary" ? 3 : 2,
        label: b.text,
        custom_id: b.data,
      };
    }),
  }));
}
