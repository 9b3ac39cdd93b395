/**
 * Where each channel's inbound webhook lives on the gateway (CONTRACT §4). A channel declares
 * its own path from here; the runtime answers 404 on the path of a channel not configured
 * without loading that channel's module.
 * @module
 */
import type { ChannelName } from "./types.ts";

/** `POST` path of each channel's webhook (updates, events, interactions). */
export const WEBHOOK_PATHS: Readonly<Record<ChannelName, string>> = {
  telegram: "/channels/telegram/webhook",
  slack: "/channels/slack/events",
  discord: "/channels/discord/interactions",
};
