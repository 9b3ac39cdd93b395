/**
 * The Changes view: list router changes, show one with its diff, approve, deny, confirm or undo
 * it; and the count of changes awaiting approval. Served as the text of {@linkcode consoleChanges}
 * in the console's one script, so the function must use nothing from outside its own body and its
 * `kit`.
 * @module
 */
import type { ConsoleKit, Reply } from "./_client_kit.ts";

/** Sets up the view in the page; returns what the console calls on routing and polling. */
export function consoleChanges(
  kit: ConsoleKit,
): { renderChanges(): Promise<void>; refreshBadge(): Promise<void> } {
  const {
    $,
    h,
    fill,
    when,
    text,
    stateLabel,
    details,
    api,
    say,
    list,
    loadDetail,
    forget,
    paired,
    view,
  } = kit;
  let forceUndo: string | null = null;

  async function refreshBadge(): Promise<void> {
    if (!paired()) return;
    const r = await api("GET", "/changes");
    const pending = r.ok && Array.isArray(r.data)
      ? r.data.filter((c: any) => c.state === "pending").length
      : 0;
    const badge = $("pending-badge");
    badge.hidden = pending === 0;
    fill(badge, pending ? String(pending) : "");
    badge.setAttribute("aria-label", `${pending} awaiting approval`);
  }

  /** A refused decision in plain words first, then the gateway's own message. */
  function refusal(r: Reply, action: string): string {
    if (r.status !== 403) return r.message;
    const verb = action === "deny" ? "deny" : action === "revert" ? "undo" : "approve";
    if (/code the requesting token minted/.test(r.message)) {
      return `This browser cannot ${verb} this change: it was paired with a code made by ` +
        "“Pair a device” on the browser that asked for it, so the gateway counts both as the same " +
        `device. ${verb[0]!.toUpperCase()}${verb.slice(1)} it from a device paired with the ` +
        `gateway's own pairing code, or from chat. (${r.message})`;
    }
    if (/the token that requested it cannot/.test(r.message)) {
      return `This browser asked for this change, so it cannot ${verb} it itself: ` +
        `use another paired device. (${r.message})`;
    }
    return r.message;
  }

  async function act(
    id: string,
    action: string,
    body?: unknown,
  ): Promise<void> {
    const box = $("change-detail");
    for (const b of box.querySelectorAll("button")) b.disabled = true;
    say("changes-error", "");
    fill(
      $("change-progress"),
      `${action === "revert" ? "Undoing" : `${action}: sending`}…`,
    );
    const r = await api(
      "POST",
      `/changes/${encodeURIComponent(id)}/${action}`,
      body,
    );
    forceUndo = !r.ok && r.status === 409 && action === "revert" && body === undefined ? id : null;
    forget("change-detail");
    await renderChanges();
    say("changes-error", r.ok ? "" : refusal(r, action));
    fill(
      $("change-progress"),
      r.ok ? `Change ${id} is now ${String(r.data?.state)}.` : "",
    );
    box.querySelector("h3")?.focus();
    void refreshBadge();
  }

  function actionButton(
    id: string,
    action: string,
    label: string,
    tone = "",
  ): HTMLElement {
    return h(
      "button",
      {
        type: "button",
        class: tone,
        "data-action": action,
        click: () => act(id, action),
      },
      label,
    );
  }

  function diffBlock(diff: string): HTMLElement {
    const pre = h("pre", {
      class: "diff",
      "aria-label": "Diff, before and after",
    });
    for (const line of diff.split("\n")) {
      const tone = line.startsWith("+ ") ? "add" : line.startsWith("- ") ? "del" : "head";
      pre.append(h("span", { class: tone }, line));
    }
    return pre;
  }

  async function renderChanges(): Promise<void> {
    const r = await api("GET", "/changes");
    if (view() !== "changes") return;
    if (!r.ok) say("changes-error", r.message);
    const rows: any[] = r.ok && Array.isArray(r.data) ? r.data : [];
    list("changes-list", rows, "No router changes yet.", (c) =>
      h(
        "a",
        {
          class: "row",
          href: `#/changes/${encodeURIComponent(String(c.change_id))}`,
        },
        stateLabel(c.state),
        h("span", { class: "main mono" }, String(c.command ?? "")),
        h(
          "span",
          { class: "meta" },
          `${String(c.requested_by)} · ${when(c.created_at)}`,
        ),
      ));
    const box = $("change-detail");
    const d = await loadDetail(box, "changes");
    if (!d) return;
    const c = d.data;
    const id = String(c.change_id);
    const canUndo = (c.state === "applied" || c.state === "confirmed") &&
      Array.isArray(c.undo);
    const buttons = h(
      "div",
      { class: "buttons" },
      c.state === "pending" ? actionButton(id, "approve", "Approve") : null,
      c.state === "pending" ? actionButton(id, "deny", "Deny", "danger") : null,
      c.state === "applied" && c.revert ? actionButton(id, "confirm", "Confirm (keep it)") : null,
      canUndo ? actionButton(id, "revert", "Undo", "secondary") : null,
      canUndo && forceUndo === id
        ? h("button", {
          type: "button",
          class: "danger",
          "data-action": "force-revert",
          click: () => act(id, "revert", { force: true }),
        }, "Undo anyway")
        : null,
      h("a", { href: "#/changes" }, "Close"),
    );
    fill(
      box,
      h("h3", { tabindex: -1 }, `Change ${id}`),
      c.state === "pending"
        ? h(
          "p",
          { class: "hint" },
          "Waiting for approval. The device that asked for it cannot approve it, nor can a device paired with a code it made; approve it from a device paired with the gateway's printed code, or from chat.",
        )
        : null,
      details([
        ["State", stateLabel(c.state)],
        ["Command", h("code", null, String(c.command ?? ""))],
        ["Requested by", text(c.requested_by)],
        ["Approved by", text(c.approved_by)],
        ["Decided by", text(c.decided_by)],
        ["Created", when(c.created_at)],
        ["Updated", when(c.updated_at)],
        ["Expires", c.state === "pending" ? when(c.expires_at) : ""],
        [
          "Auto-revert",
          c.state === "applied" && c.revert ? `at ${when(c.revert.deadline)} unless confirmed` : "",
        ],
      ]),
      c.diff ? h("h3", null, "Diff") : null,
      c.diff ? diffBlock(String(c.diff)) : null,
      c.error ? h("p", { class: "error" }, `Error: ${text(c.error)}`) : null,
      buttons,
    );
  }

  return { renderChanges, refreshBadge };
}
