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
import type { ConsoleKit, ConsoleViews, Reply } from "./_client_kit.ts";

/** Runs the console in the page; see the module doc for the rules it keeps. */
export function consoleClient(dom: ConsoleDom, views: ConsoleViews): void {
  const { $, h, fill, text, sse } = dom;
  const TOKEN_KEY = "mikroclaw.token";
  const SESSION_KEY = "mikroclaw.session";
  const POLL_MS = 5000;
  const tab = globalThis.sessionStorage;

  let token: string | null = tab.getItem(TOKEN_KEY);
  let pairingOff = false;
  let view = "chat";
  let detailId: string | null = null;
  let chatAbort: AbortController | null = null;
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

  // --- The views: tasks, changes, jobs, health ---

  const kit: ConsoleKit = {
    ...dom,
    api,
    say,
    list,
    changed,
    loadDetail,
    forget: (region) => void shown.delete(region),
    view: () => view,
    paired: () => Boolean(token) || pairingOff,
    pairingOff: () => pairingOff,
  };
  const { renderTasks } = views.tasks(kit);
  const { renderChanges, refreshBadge } = views.changes(kit);
  const { renderJobs } = views.jobs(kit);
  const { renderHealth, refreshHealthLine } = views.health(kit);

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
