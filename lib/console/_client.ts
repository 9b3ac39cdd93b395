/**
 * The web console's browser code. It is served as the text of {@linkcode consoleClient}
 * (`(function consoleClient(dom) {...})(...)`), so the function must use nothing from outside
 * its own body and its `dom` argument: no imports (but of types), no module-level names.
 *
 * Rules it keeps: every request goes to this page's own origin by a fixed absolute path (never a
 * URL from the query string or the page's data); the bearer token lives in `sessionStorage` (this
 * tab only), never in a URL or `localStorage`; everything shown from the gateway is set as text
 * (`textContent` / text nodes), never parsed as HTML.
 *
 * The DOM helpers and the event-stream reader come in as `dom` ({@linkcode consoleDom}, served
 * in the same script).
 * @module
 */
import type { ConsoleDom } from "./_client_dom.ts";

/** Runs the console in the page; see the module doc for the rules it keeps. */
export function consoleClient(dom: ConsoleDom): void {
  const { $, h, fill, when, text, stateLabel, details, sse } = dom;
  const TOKEN_KEY = "mikroclaw.token";
  const SESSION_KEY = "mikroclaw.session";
  const POLL_MS = 5000;
  const tab = globalThis.sessionStorage;

  interface Reply {
    ok: boolean;
    status: number;
    data: any;
    message: string;
  }

  let token: string | null = tab.getItem(TOKEN_KEY);
  let pairingOff = false;
  let view = "chat";
  let detailId: string | null = null;
  let chatAbort: AbortController | null = null;
  let forceUndo: string | null = null;
  // What each region last showed: polling re-renders only on a change, so focus stays put.
  const shown = new Map<string, string>();

  function changed(region: string, data: unknown): boolean {
    const json = JSON.stringify(data) ?? "";
    if (shown.get(region) === json) return false;
    shown.set(region, json);
    return true;
  }

  /** Sets a message region's text, leaving it alone (not re-announced) when it is the same. */
  function say(id: string, message: string): void {
    const el = $(id);
    if (el.textContent !== message) el.textContent = message;
  }

  /** Fills a `<ul>` with one `<li>` per row, when the rows differ from what it shows. */
  function list(
    id: string,
    rows: any[],
    empty: string,
    row: (r: any) => Node,
  ): void {
    if (!changed(id, rows)) return;
    fill(
      $(id),
      rows.length ? null : h("li", { class: "plain" }, empty),
      ...rows.map((r) => h("li", null, row(r))),
    );
  }

  let session = tab.getItem(SESSION_KEY);
  if (!session) {
    session = crypto.randomUUID();
    tab.setItem(SESSION_KEY, session);
  }

  // --- Talking to the gateway: same origin, fixed paths, the token in a header ---

  async function api(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Reply> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
        redirect: "error",
      });
    } catch {
      return {
        ok: false,
        status: 0,
        data: null,
        message: "Cannot reach the gateway",
      };
    }
    const data = await res.json().catch(() => null);
    if (res.status === 401 && token) {
      signOut("Your token expired or was revoked: pair again.");
    }
    const message = data?.error?.message ??
      (res.ok ? "" : `The gateway answered ${res.status}`);
    return { ok: res.ok, status: res.status, data, message: String(message) };
  }

  // --- Pairing ---

  function showPair(message = ""): void {
    $("pair").hidden = false;
    $("nav").hidden = true;
    $("main").hidden = true;
    $("account").hidden = true;
    fill($("conn"), "Not paired");
    $("conn").className = "conn";
    fill($("pair-error"), message);
    $<HTMLInputElement>("pair-code").focus();
  }

  function showApp(): void {
    $("pair").hidden = true;
    $("nav").hidden = false;
    $("main").hidden = false;
    $("account").hidden = pairingOff;
    route();
    void refreshBadge();
    void refreshHealthLine();
  }

  function signOut(message: string): void {
    token = null;
    tab.removeItem(TOKEN_KEY);
    chatAbort?.abort();
    $("minted").hidden = true;
    showPair(message);
  }

  $("pair-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $<HTMLInputElement>("pair-code");
    const code = input.value.trim();
    if (!/^\d{6}$/.test(code)) {
      fill($("pair-error"), "The pairing code is 6 digits.");
      return;
    }
    fill($("pair-error"), "Pairing…");
    let res: Response;
    try {
      res = await fetch("/pair", {
        method: "POST",
        headers: { "x-pairing-code": code, accept: "application/json" },
        cache: "no-store",
        credentials: "omit",
        redirect: "error",
      });
    } catch {
      fill($("pair-error"), "Cannot reach the gateway.");
      return;
    }
    const data = await res.json().catch(() => null);
    if (res.ok && typeof data?.token === "string") {
      token = data.token as string;
      tab.setItem(TOKEN_KEY, token);
      input.value = "";
      fill($("pair-error"));
      showApp();
      return;
    }
    const retry = res.headers.get("retry-after");
    fill(
      $("pair-error"),
      String(data?.error?.message ?? `Pairing failed (${res.status})`) +
        (retry ? ` Try again in ${retry} s.` : ""),
    );
  });

  $("signout").addEventListener("click", async () => {
    await api("DELETE", "/pair");
    signOut("Signed out: this tab's token is revoked.");
  });

  $("mint").addEventListener("click", async () => {
    const r = await api("POST", "/pair/codes");
    const box = $("minted");
    box.hidden = false;
    if (!r.ok) {
      fill(box, `Cannot make a pairing code: ${r.message}`);
      return;
    }
    const minutes = Math.round(Number(r.data.expires_in) / 60);
    fill(
      box,
      "Pairing code for another device: ",
      h("strong", { class: "mono", id: "minted-code" }, String(r.data.code)),
      ` (one-time, valid ${minutes} minutes). Open this console there and enter it. ` +
        "That device counts as this one: it cannot approve this browser's router changes.",
    );
  });

  // --- Views and routing (#/chat, #/tasks/<id>, #/changes/<id>, #/jobs, #/health) ---

  const VIEWS = ["chat", "tasks", "changes", "jobs", "health"];

  function route(): void {
    const [name, id] = location.hash.replace(/^#\/?/, "").split("/");
    view = VIEWS.includes(name ?? "") ? name! : "chat";
    try {
      detailId = id ? decodeURIComponent(id) : null;
    } catch {
      detailId = null; // a malformed %-escape in a hand-typed address
    }
    shown.clear();
    say("tasks-error", "");
    say("changes-error", "");
    fill($("change-progress"));
    for (const v of VIEWS) $(`view-${v}`).hidden = v !== view;
    for (const link of document.querySelectorAll<HTMLAnchorElement>("#nav a")) {
      if (link.dataset.tab === view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    void refreshView();
  }

  async function refreshView(): Promise<void> {
    if (!token && !pairingOff) return;
    if (view === "tasks") await renderTasks();
    else if (view === "changes") await renderChanges();
    else if (view === "jobs") await renderJobs();
    else if (view === "health") await renderHealth();
  }

  // --- Chat: POST /chat with Accept: text/event-stream ---

  const chatInput = $<HTMLTextAreaElement>("chat-input");
  const chatStatus = $("chat-status");

  chatInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $<HTMLFormElement>("chat-form").requestSubmit();
    }
  });
  $("chat-stop").addEventListener("click", () => chatAbort?.abort());
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = chatInput.value.trim();
    if (input && !chatAbort) void sendChat(input);
  });

  function pendingChange(content: string): string | null {
    try {
      const parsed = JSON.parse(content);
      return parsed?.status === "pending_approval" &&
          typeof parsed.change_id === "string"
        ? parsed.change_id
        : null;
    } catch {
      return null;
    }
  }

  async function sendChat(input: string): Promise<void> {
    const log = $("chat-log");
    log.append(
      h("li", { class: "msg user" }, h("span", { class: "who" }, "You"), input),
    );
    chatInput.value = "";
    const body = h("div", { class: "body" });
    const item = h(
      "li",
      { class: "msg agent", "aria-busy": "true" },
      h("span", { class: "who" }, "MikroClaw"),
      body,
    );
    log.append(item);
    item.scrollIntoView({ block: "nearest" });
    let segment: HTMLElement | null = null;
    const tools = new Map<string, HTMLElement>();
    chatAbort = new AbortController();
    $<HTMLButtonElement>("chat-send").disabled = true;
    $("chat-stop").hidden = false;
    fill(chatStatus, "Sending…");
    try {
      const res = await fetch("/chat", {
        method: "POST",
        headers: {
          authorization: token ? `Bearer ${token}` : "",
          "content-type": "application/json",
          accept: "text/event-stream",
        },
        body: JSON.stringify({ input, session }),
        cache: "no-store",
        credentials: "omit",
        redirect: "error",
        signal: chatAbort.signal,
      });
      if (!res.ok || !res.body) {
        const data = await res.json().catch(() => null);
        if (res.status === 401) {
          signOut("Your token expired or was revoked: pair again.");
        }
        throw new Error(
          String(data?.error?.message ?? `The gateway answered ${res.status}`),
        );
      }
      for await (const [event, data] of sse(res.body)) {
        if (event === "turn-start") fill(chatStatus, "Thinking…");
        else if (event === "text-delta") {
          segment ??= body.appendChild(h("p", { class: "text" }));
          segment.append(String(data?.text ?? ""));
          fill(chatStatus, "Writing…");
        } else if (event === "tool-start") {
          segment = null;
          const call = data?.toolCall ?? {};
          const box = h(
            "details",
            { class: "tool" },
            h("summary", null, `Tool ${String(call.name)}: running…`),
            h("pre", null, text(call.arguments)),
          );
          tools.set(String(call.id), box);
          body.append(box);
          fill(chatStatus, `Running tool ${String(call.name)}…`);
        } else if (event === "tool-end") {
          const call = data?.toolCall ?? {};
          const result = data?.result ?? {};
          const box = tools.get(String(call.id)) ??
            body.appendChild(h("details", { class: "tool" }));
          const failed = result.isError === true;
          box.classList.toggle("failed", failed);
          const summary = box.querySelector("summary") ??
            box.appendChild(h("summary", null));
          summary.textContent = `Tool ${String(call.name)}: ${failed ? "failed" : "done"}`;
          box.append(h("pre", { class: "result" }, text(result.content)));
          const changeId = pendingChange(String(result.content ?? ""));
          if (changeId) {
            body.append(
              h(
                "p",
                { class: "notice" },
                `Change ${changeId} awaits a person's approval. `,
                h(
                  "a",
                  { href: `#/changes/${encodeURIComponent(changeId)}` },
                  "Review it",
                ),
                " — another paired device must approve it.",
              ),
            );
            void refreshBadge();
          }
          fill(chatStatus, "Thinking…");
        } else if (event === "fallback") {
          fill(
            chatStatus,
            `Model ${String(data?.from)} failed; trying ${String(data?.to)}…`,
          );
        } else if (event === "step-limit") {
          fill(chatStatus, `Stopped after ${String(data?.maxSteps)} steps.`);
        } else if (event === "error") {
          body.append(
            h(
              "p",
              { class: "error" },
              `Error: ${String(data?.message ?? "unknown")}`,
            ),
          );
        } else if (event === "turn-end" && !body.querySelector(".text")) {
          body.append(h("p", { class: "text" }, String(data?.text ?? "")));
        }
      }
      fill(chatStatus, "");
    } catch (error) {
      const aborted = chatAbort?.signal.aborted;
      body.append(
        h(
          "p",
          { class: "error" },
          aborted ? "Stopped." : `Error: ${(error as Error).message}`,
        ),
      );
      fill(chatStatus, "");
    } finally {
      item.setAttribute("aria-busy", "false");
      chatAbort = null;
      $<HTMLButtonElement>("chat-send").disabled = false;
      $("chat-stop").hidden = true;
      void refreshBadge();
    }
  }

  /**
   * Loads the item open in a list view (`#/tasks/<id>`, `#/changes/<id>`) into its detail box.
   * Returns the reply to show, or null when no item is open, the view moved on, nothing changed
   * since the last poll, or the load failed (then the box says why).
   */
  async function loadDetail(box: HTMLElement, list: string): Promise<Reply | null> {
    box.hidden = !detailId;
    if (!detailId) return null;
    const d = await api("GET", `/${list}/${encodeURIComponent(detailId)}`);
    if (view !== list || !changed(box.id, [d.status, d.data])) return null;
    if (!d.ok) {
      fill(box, h("p", { class: "error" }, d.message), h("a", { href: `#/${list}` }, "Close"));
      return null;
    }
    return d;
  }

  // --- Tasks ---

  $("task-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const type = $<HTMLSelectElement>("task-type").value;
    const input = $<HTMLInputElement>("task-input").value;
    const r = await api("POST", "/tasks", { type, input });
    fill($("tasks-error"), r.ok ? "" : r.message);
    if (r.ok) {
      $<HTMLInputElement>("task-input").value = "";
      location.hash = `#/tasks/${encodeURIComponent(String(r.data.task_id))}`;
    }
  });

  async function renderTasks(): Promise<void> {
    const r = await api("GET", "/tasks");
    if (view !== "tasks") return;
    say("tasks-error", r.ok ? "" : r.message);
    const rows = r.ok && Array.isArray(r.data) ? [...r.data].reverse() : [];
    list("tasks-list", rows, "No tasks yet.", (t) =>
      h(
        "a",
        {
          class: "row",
          href: `#/tasks/${encodeURIComponent(String(t.task_id))}`,
        },
        stateLabel(t.status),
        h(
          "span",
          { class: "main" },
          `${String(t.type)} task ${String(t.task_id)}`,
        ),
        h("span", { class: "meta" }, when(t.created_at)),
      ));
    const box = $("task-detail");
    const d = await loadDetail(box, "tasks");
    if (!d) return;
    const t = d.data;
    const id = String(t.task_id);
    const cancel = t.status === "queued" || t.status === "running"
      ? h("button", {
        type: "button",
        class: "danger",
        click: async () => {
          const c = await api("DELETE", `/tasks/${encodeURIComponent(id)}`);
          say("tasks-error", c.ok ? "" : c.message);
          shown.delete("task-detail");
          await renderTasks();
        },
      }, "Cancel task")
      : null;
    fill(
      box,
      h("h3", null, `Task ${id}`),
      details([
        ["State", stateLabel(t.status)],
        ["Type", String(t.type)],
        ["Created", when(t.created_at)],
      ]),
      t.result !== undefined ? h("h3", null, "Result") : null,
      t.result !== undefined ? h("pre", { class: "result" }, text(t.result)) : null,
      t.error !== undefined ? h("p", { class: "error" }, `Error: ${text(t.error)}`) : null,
      h(
        "div",
        { class: "buttons" },
        cancel,
        h("a", { href: "#/tasks" }, "Close"),
      ),
    );
  }

  // --- Changes: list, diff, Approve / Deny / Confirm / Undo ---

  async function refreshBadge(): Promise<void> {
    if (!token && !pairingOff) return;
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
    shown.delete("change-detail");
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
    if (view !== "changes") return;
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

  // --- Jobs (GET /jobs, when this gateway has them) ---

  $("job-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (id: string) => $<HTMLInputElement>(id).value.trim() || undefined;
    const r = await api("POST", "/jobs", {
      schedule: value("job-schedule"),
      tz: value("job-tz"),
      prompt: value("job-prompt"),
    });
    say("jobs-error", r.ok ? "" : r.message);
    if (!r.ok) return;
    for (const id of ["job-schedule", "job-tz", "job-prompt"]) {
      $<HTMLInputElement>(id).value = "";
    }
    say("jobs-note", `Job ${String(r.data.job_id)} added.`);
    await renderJobs();
  });

  async function runJob(id: string): Promise<void> {
    const r = await api("POST", `/jobs/${encodeURIComponent(id)}/run`);
    say("jobs-error", r.ok ? "" : r.message);
    if (r.ok) {
      location.hash = `#/tasks/${encodeURIComponent(String(r.data.task_id))}`;
    }
  }

  async function renderJobs(): Promise<void> {
    const r = await api("GET", "/jobs");
    if (view !== "jobs") return;
    if (r.status === 404) {
      say("jobs-note", "Jobs are not available on this gateway.");
      $("job-form").hidden = true;
      shown.delete("jobs-list");
      fill($("jobs-list"));
      return;
    }
    const rows: any[] = r.ok && Array.isArray(r.data) ? r.data : [];
    if (!r.ok) say("jobs-error", r.message);
    list("jobs-list", rows, "No jobs scheduled.", (j) =>
      h(
        "div",
        { class: "plain job" },
        stateLabel(j.last_status ?? j.state ?? "scheduled"),
        h("span", { class: "mono" }, `${String(j.schedule)} (${String(j.tz ?? "")})`),
        h(
          "button",
          {
            type: "button",
            "aria-label": `Run job ${String(j.job_id)} now`,
            click: () => runJob(String(j.job_id)),
          },
          "Run now",
        ),
        h("span", { class: "what" }, j.prompt ? text(j.prompt) : `recipe: ${text(j.recipe)}`),
        h(
          "span",
          { class: "meta" },
          `${j.next_run ? `next ${when(j.next_run)}` : "no next run"}${
            j.last_run ? ` · last ${when(j.last_run)}` : ""
          } · ${String(j.job_id)}`,
        ),
      ));
  }

  // --- Health ---

  async function refreshHealthLine(): Promise<void> {
    const r = await api("GET", "/health");
    const conn = $("conn");
    if (!r.ok) {
      conn.className = "conn bad";
      fill(
        conn,
        r.status === 0 ? "Gateway unreachable" : `Gateway error ${r.status}`,
      );
      return;
    }
    conn.className = `conn ${r.data.status === "ok" ? "ok" : "bad"}`;
    fill(
      conn,
      `Gateway ${String(r.data.status)}${pairingOff ? " · pairing off" : ""}`,
    );
  }

  async function renderHealth(): Promise<void> {
    const r = await api("GET", "/health");
    if (view !== "health" || !changed("health", [r.status, r.data])) return;
    if (!r.ok) {
      fill($("health-summary"), r.message);
      return;
    }
    const b = r.data;
    fill(
      $("health-summary"),
      "Overall: ",
      stateLabel(b.status),
      b.version ? ` · version ${String(b.version)}` : "",
      typeof b.uptime_s === "number" ? ` · up ${Math.floor(b.uptime_s / 60)} min` : "",
      b.checked_at ? ` · checked ${when(b.checked_at)}` : "",
    );
    list(
      "health-list",
      Object.entries(b.components ?? {}),
      "",
      ([name, up]) =>
        h(
          "div",
          { class: "plain" },
          // Unconfigured components report false without degrading the status.
          stateLabel(
            up === true ? "ok" : b.status === "ok" ? "not configured" : "down or off",
          ),
          h("span", { class: "main" }, String(name)),
        ),
    );
  }

  // --- Start ---

  async function poll(): Promise<void> {
    if (document.hidden || (!token && !pairingOff)) return;
    await Promise.all([refreshView(), refreshBadge(), refreshHealthLine()]);
  }

  globalThis.addEventListener("hashchange", route);
  setInterval(() => void poll(), POLL_MS);

  if (token) showApp();
  else {
    // With pairing off (loopback only), the gateway answers without a token.
    void api("GET", "/tasks").then((r) => {
      pairingOff = r.ok;
      if (pairingOff) showApp();
      else showPair();
    });
  }
}
