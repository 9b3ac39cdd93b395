/**
 * The chat channels a {@linkcode Config} turns on (a bot token each), wired to the agent. Each
 * channel's module is imported only when its token is set.
 * @module
 */
import type { Allowlist, Config } from "../config/types.ts";
import type { Agent } from "../agent/types.ts";
import type { Logger } from "../_internal/logger.ts";
import type { ButtonHandler, Channel, CommandHandler } from "../channels/types.ts";
import type { StateStore } from "../storage/types.ts";

/** Options of {@linkcode configuredChannels}. */
export interface ConfiguredChannelsOptions {
  config: Config;
  agent: Agent;
  logger: Logger;
  fetch?: typeof globalThis.fetch | undefined;
  /** Chat commands (`/undo`, `/confirm`, `/jobs`), answered before the agent. */
  onCommand?: CommandHandler;
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
  // What every channel takes, from its settings and the runtime.
  const common = (settings: { apiBase: string; allowlist: Allowlist }) => ({
    agent,
    logger,
    apiBase: settings.apiBase,
    allowlist: ids(settings.allowlist),
    fetch: options.fetch,
    onCommand: options.onCommand,
    onButton: options.onButton,
  });
  const channels: Channel[] = [];
  if (telegram.botToken) {
    const { createTelegram } = await import("../channels/telegram.ts");
    channels.push(createTelegram({
      ...common(telegram),
      token: telegram.botToken.reveal(),
      webhookSecret: telegram.webhookSecret?.reveal(),
      offsetStore: options.store && storedOffset(options.store, "channels:telegram:offset"),
    }));
  }
  if (discord.botToken) {
    const { createDiscord } = await import("../channels/discord.ts");
    channels.push(createDiscord({
      ...common(discord),
      token: discord.botToken.reveal(),
      publicKey: discord.publicKey,
      gatewayUrl: discord.gatewayUrl,
    }));
  }
  if (slack.botToken) {
    const { createSlack } = await import("../channels/slack.ts");
    channels.push(createSlack({
      ...common(slack),
      botToken: slack.botToken.reveal(),
      appToken: slack.appToken?.reveal(),
      signingSecret: slack.signingSecret?.reveal(),
    }));
  }
  return channels;
}
