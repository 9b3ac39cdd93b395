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
  const { $, h, fill } = dom;
  const TOKEN_KEY = "mikroclaw.token";
  const POLL_MS = 5000;
  const tab = globalThis.sessionStorage;

  let token: string | null = tab.getItem(TOKEN_KEY);
  let pairingOff = false;
  let view = "chat";
  let detailId: string | null = null;
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
    chat.stop();
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

  // --- The views: each its own function (served in the same script), given this kit ---

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
    token: () => token,
    signOut,
    refreshBadge: () => refreshBadge(),
  };
  const chat = views.chat(kit);
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
