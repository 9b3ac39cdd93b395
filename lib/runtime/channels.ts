/**
 * The chat channels a {@linkcode Config} turns on (a bot token each), wired to the agent. Each
 * channel's module is imported only when its token is set.
 * @module
 */
import type { Allowlist, Config } from "../config/types.ts";
import type { Agent } from "../agent/types.ts";
import type { Logger } from "../_internal/logger.ts";
import type { ButtonHandler, Channel } from "../channels/types.ts";
import type { StateStore } from "../storage/types.ts";

/** Options of {@linkcode configuredChannels}. */
export interface ConfiguredChannelsOptions {
  config: Config;
  agent: Agent;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
  /** Approval buttons (safe router changes). */
  onButton?: ButtonHandler;
  /** Where channel state that must survive a restart lives (the Telegram offset). */
  store?: StateStore;
}

function ids(allowlist: Allowlist): string[] {
  return allowlist.all ? ["*"] : [...allowlist.ids];
}

function storedOffset(store: StateStore, key: string) {
  return {
    load: async () => (await store.get<number>(key)) ?? undefined,
    save: (offset: number) => store.set(key, offset),
  };
}

/** One channel per configured bot token; none when no token is set. */
export async function configuredChannels(options: ConfiguredChannelsOptions): Promise<Channel[]> {
  const { config, agent, logger } = options;
  const { telegram, discord, slack } = config.channels;
  const common = {
    agent,
    logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.onButton ? { onButton: options.onButton } : {}),
  };
  const channels: Channel[] = [];
  if (telegram.botToken) {
    const { createTelegram } = await import("../channels/telegram.ts");
    channels.push(createTelegram({
      ...common,
      token: telegram.botToken.reveal(),
      apiBase: telegram.apiBase,
      allowlist: ids(telegram.allowlist),
      ...(telegram.webhookSecret ? { webhookSecret: telegram.webhookSecret.reveal() } : {}),
      ...(options.store
        ? { offsetStore: storedOffset(options.store, "channels:telegram:offset") }
        : {}),
    }));
  }
  if (discord.botToken) {
    const { createDiscord } = await import("../channels/discord.ts");
    channels.push(createDiscord({
      ...common,
      token: discord.botToken.reveal(),
      apiBase: discord.apiBase,
      allowlist: ids(discord.allowlist),
      ...(discord.publicKey ? { publicKey: discord.publicKey } : {}),
      ...(discord.gatewayUrl ? { gatewayUrl: discord.gatewayUrl } : {}),
    }));
  }
  if (slack.botToken) {
    const { createSlack } = await import("../channels/slack.ts");
    channels.push(createSlack({
      ...common,
      botToken: slack.botToken.reveal(),
      apiBase: slack.apiBase,
      allowlist: ids(slack.allowlist),
      ...(slack.appToken ? { appToken: slack.appToken.reveal() } : {}),
      ...(slack.signingSecret ? { signingSecret: slack.signingSecret.reveal() } : {}),
    }));
  }
  return channels;
}
