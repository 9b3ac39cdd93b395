/**
 * Chat channels: Telegram, Discord and Slack, each with a per-sender allowlist.
 * @module
 */
export type * from "./types.ts";
export { chunkText } from "./chunk.ts";
export { parseAllowlist } from "./allowlist.ts";
export { createTelegram, TELEGRAM_MESSAGE_LIMIT, type TelegramOptions } from "./telegram.ts";
export {
  createDiscord,
  DISCORD_DEFAULT_INTENTS,
  DISCORD_MESSAGE_LIMIT,
  type DiscordOptions,
} from "./discord.ts";
export { createSlack, SLACK_MESSAGE_LIMIT, type SlackOptions } from "./slack.ts";
