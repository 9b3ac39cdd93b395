/**
 * Sends messages to people through the chat channels: change-record events (the diff with
 * Approve / Deny to each approver, Confirm / Undo to the requester when an auto-revert is armed,
 * a short note when a pending change expires), and job results and watch alerts.
 * @module
 */
import type { Logger } from "../_internal/logger.ts";
import type { Channel } from "../channels/types.ts";
import type { ChangeEvent, ChangeRecord } from "../changes/types.ts";

/** Options of {@linkcode notifyChannels}. */
export interface NotifyChannelsOptions {
  /**
   * The runtime's channels, read at send time: they are built after the change manager and
   * the jobs part that send through them (their commands and buttons lead back to those).
   */
  channels: () => readonly Channel[];
  logger: Logger;
}

/** `telegram:4242` -> the channel and the recipient id. */
function target(
  channels: readonly Channel[],
  identity: string,
): [Channel, string] | undefined {
  const at = identity.indexOf(":");
  if (at < 0) return undefined;
  const channel = channels.find((c) => c.name === identity.slice(0, at));
  return channel ? [channel, identity.slice(at + 1)] : undefined;
}

/** A chat button for {@linkcode channelSender}. */
export interface SendButton {
  text: string;
  data: string;
  style?: "primary" | "danger";
}

/**
 * Sends `text` (with optional buttons) to `telegram:<id>`, `discord:<id>` or `slack:<id>`
 * through the channel of that name; an unknown channel is skipped, a failure logged (never
 * thrown).
 */
export function channelSender(
  options: NotifyChannelsOptions,
): (identity: string, text: string, buttons?: SendButton[]) => Promise<void> {
  const { channels, logger } = options;
  return async (identity, text, buttons) => {
    const to = target(channels(), identity);
    if (!to) return;
    try {
      const [channel, user] = to;
      const where = channel.directTo ? await channel.directTo(user) : user;
      await channel.send(where, text, { buttons });
    } catch (error) {
      logger.warn(
        `Cannot send a message to ${identity}:`,
        error instanceof Error ? error.message : error,
      );
    }
  };
}

/** The `notify` hook of the change manager. */
export function notifyChannels(
  options: NotifyChannelsOptions,
): (record: ChangeRecord, event: ChangeEvent) => Promise<void> {
  const send = channelSender(options);
  return async (record, event) => {
    const { approvalPrompt, confirmPrompt } = await import("../changes/chat.ts");
    if (event === "pending") {
      const prompt = approvalPrompt(record);
      const approvers = record.approvers?.length ? record.approvers : [record.requested_by];
      await Promise.all(approvers.map((a) => send(a, prompt.text, prompt.buttons)));
    } else if (event === "applied" && record.revert) {
      const prompt = confirmPrompt(record);
      await send(record.requested_by, prompt.text, prompt.buttons);
    } else if (event === "expired") {
      await send(
        record.requested_by,
        `Router change ${record.change_id} expired without approval; nothing was written`,
      );
    }
  };
}
