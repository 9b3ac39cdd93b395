/**
 * What the channels show for a change: the approval prompt (diff + Approve / Deny), the confirm
 * prompt (Confirm / Undo) and an adapter from a channel button press to the manager.
 * @module
 */
import type { ChangeReply } from "./chat_commands.ts";
import type { ChangeManager } from "./manager_types.ts";
import type { ChangeRecord } from "./types.ts";

/** One button: `data` goes back on a press (`approve:<id>`…); `id`/`label` are aliases. */
export interface ChangeButton {
  /** Label (channels' `Button.text`). */
  text: string;
  /** Press payload (channels' `Button.data`), at most 41 bytes. */
  data: string;
  style?: "primary" | "danger";
  /** Same as `data`. */
  id: string;
  /** Same as `text`. */
  label: string;
}

/** A message with buttons, for `Channel.send(to, text, {buttons})`. */
export interface ChangePrompt {
  text: string;
  buttons: ChangeButton[];
}

function button(text: string, data: string, style?: "primary" | "danger"): ChangeButton {
  return { text, data, id: data, label: text, ...(style ? { style } : {}) };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

/** The prompt each approver gets for a pending change: who, what, the diff, Approve / Deny. */
export function approvalPrompt(record: ChangeRecord): ChangePrompt {
  const lines = [
    `Router change ${record.change_id} needs your approval`,
    `Requested by ${record.requested_by}: ${clip(record.command, 300)}`,
  ];
  if (record.diff) lines.push("", clip(record.diff, 2500));
  if (record.undo_missing) lines.push("", `Cannot be undone: ${record.undo_missing}`);
  if (record.expires_at) lines.push("", `Expires at ${record.expires_at}`);
  if (record.auto_revert === "router") {
    lines.push("Once applied it is reverted automatically unless confirmed (armed on the router).");
  } else if (record.auto_revert === "local") {
    lines.push(
      "Once applied it is reverted automatically unless confirmed. The router cannot schedule it " +
        "(ROUTEROS_ALLOW_EXECUTE is off), so MikroClaw keeps this timer itself: if MikroClaw is " +
        "down at the deadline, it reverts when it starts again.",
    );
  }
  return {
    text: lines.join("\n"),
    buttons: [
      button("Approve", `approve:${record.change_id}`, "primary"),
      button("Deny", `deny:${record.change_id}`, "danger"),
    ],
  };
}

/** The prompt after an applied change with an armed auto-revert: Confirm / Undo. */
export function confirmPrompt(record: ChangeRecord): ChangePrompt {
  const lines = [`Router change ${record.change_id} applied: ${clip(record.command, 300)}`];
  if (record.diff) lines.push("", clip(record.diff, 2500));
  if (record.revert) {
    lines.push(
      "",
      `It is reverted at ${new Date(record.revert.deadline).toISOString()} unless you confirm it` +
        (record.revert.mode === "local"
          ? " (MikroClaw keeps this timer itself)"
          : " (armed on the router)"),
    );
  }
  return {
    text: lines.join("\n"),
    buttons: [
      button("Confirm", `confirm:${record.change_id}`, "primary"),
      button("Undo", `undo:${record.change_id}`, "danger"),
    ],
  };
}

/** A channel button press, as the channels hand it to `onButton`. */
export interface ChangeButtonPress {
  channel: string;
  senderId: string;
  data: string;
}

/** Adapts {@linkcode ChangeManager.handleButton} to a channel's `onButton` hook. */
export function changeButtonHandler(
  manager: ChangeManager,
): (press: ChangeButtonPress) => Promise<ChangeReply> {
  return (press) => manager.handleButton(press.data, `${press.channel}:${press.senderId}`);
}
