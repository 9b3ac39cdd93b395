/**
 * Chat channels: Telegram, Discord and Slack, each with a per-sender allowlist.
 * @module
 */
export type * from "./types.ts";
export { chunkText } from "./chunk.ts";
export { createTelegram, TELEGRAM_MESSAGE_LIMIT, type TelegramOptions } from "./telegram.ts";
