/**
 * Chat channels: Telegram, Discord and Slack, each with a per-sender allowlist.
 * @module
 */
export type { Button } from "./types.ts";
export type { ButtonHandler } from "./types.ts";
export type { ButtonPress } from "./types.ts";
export type { ButtonReply } from "./types.ts";
export type { Channel } from "./types.ts";
export type { ChannelName } from "./types.ts";
export type { ChannelOptions } from "./types.ts";
export type { CheckResult } from "./types.ts";
export type { RetryOptions } from "./types.ts";
export type { SendOptions } from "./types.ts";
export type { SentMessage } from "./types.ts";
export { createTelegram } from "./telegram.ts";
export type { TelegramOptions } from "./telegram.ts";
export { createDiscord } from "./discord.ts";
export type { DiscordOptions } from "./discord.ts";
export { createSlack } from "./slack.ts";
export type { SlackOptions } from "./slack.ts";
