/**
 * The gateway's channel webhooks: each configured channel's own declaration, and a 404 on the
 * path of every channel not configured (CONTRACT §4), without loading that channel's module.
 * @module
 */
import type { Channel, ChannelName } from "../channels/types.ts";
import { WEBHOOK_PATHS } from "../channels/webhook_paths.ts";
import type { Webhook } from "../gateway/types.ts";
import { jsonError } from "../_internal/json_error.ts";

/** One webhook per channel name: the channel's, or "Channel <name> is not configured". */
export function channelWebhooks(channels: readonly Channel[]): Webhook[] {
  return (Object.keys(WEBHOOK_PATHS) as ChannelName[]).map((name) =>
    channels.find((c) => c.name === name)?.webhook ?? {
      path: WEBHOOK_PATHS[name],
      handle: async () => jsonError(404, "E_NOT_FOUND", `Channel ${name} is not configured`),
    }
  );
}
