/**
 * What a person does to a change from chat: `/undo [id]` and `/confirm [id]` typed in a chat,
 * and the Approve / Deny / Confirm / Undo buttons (`changes/chat.ts` draws them), with the
 * replies they get.
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { ChangeManager } from "./manager_types.ts";

/** What a chat or button handler shows the person. */
export interface ChangeReply {
  text: string;
  /**
   * A short notice for the presser only (the button press was refused or came too late): the
   * channel answers the press with it and leaves the message and its buttons as they are.
   */
  notice?: boolean;
}

/** `/undo [id]` and `/confirm [id]` typed in chat; `undefined` for any other text. */
export async function replyToChatCommand(
  manager: ChangeManager,
  text: string,
  sender: string,
): Promise<ChangeReply | undefined> {
  const m = /^\/(undo|confirm)(?:@\S+)?(?:\s+([a-z0-9]+))?\s*$/i.exec(text.trim());
  if (!m) return undefined;
  const command = m[1]!.toLowerCase();
  let id = m[2];
  if (!id) {
    const last = command === "undo"
      ? await manager.lastChangeOf(sender, ["applied", "confirmed"])
      : (await manager.list()).find((r) =>
        r.requested_by === sender && r.state === "applied" && r.revert
      ) ?? null;
    if (!last) {
      return {
        text: command === "undo" ? "Nothing to undo" : "Nothing awaits confirmation",
      };
    }
    id = last.change_id;
  }
  try {
    if (command === "undo") {
      await manager.revert(id, { by: sender });
      return { text: `Change ${id} reverted` };
    }
    await manager.confirm(id, sender);
    return { text: `Change ${id} confirmed; it stays` };
  } catch (error) {
    return { text: errorMessage(error) };
  }
}

/** A pressed button (`approve:<id>`, `deny:<id>`, `confirm:<id>`, `undo:<id>`). */
export async function replyToButton(
  manager: ChangeManager,
  data: string,
  sender: string,
): Promise<ChangeReply> {
  const m = /^(approve|deny|confirm|undo):([a-z0-9]{6,32})$/.exec(data);
  if (!m) return { text: "Unknown button" };
  const action = m[1]!;
  const id = m[2]!;
  try {
    if (action === "approve") {
      const record = await manager.approve(id, sender);
      return {
        text: record.state === "applied"
          ? `Change ${id} applied (approved by ${sender})${record.diff ? `\n${record.diff}` : ""}`
          : `Change ${id} ${record.state}: ${record.error ?? ""}`.trim(),
      };
    }
    if (action === "deny") {
      await manager.deny(id, sender);
      return { text: `Change ${id} denied by ${sender}; nothing was written` };
    }
    if (action === "confirm") {
      await manager.confirm(id, sender);
      return { text: `Change ${id} confirmed; it stays` };
    }
    await manager.revert(id, { by: sender });
    return { text: `Change ${id} reverted` };
  } catch (error) {
    // A second press, or one from someone who may not decide: the owner's message stays.
    return { text: errorMessage(error), notice: true };
  }
}
