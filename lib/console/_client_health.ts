/**
 * The Health view and the gateway line in the header. Served as the text of {@linkcode
 * consoleHealth} in the console's one script, so the function must use nothing from outside its
 * own body and its `kit`.
 * @module
 */
import type { ConsoleKit } from "./_client_kit.ts";

/** Sets up the view in the page; returns what the console calls on routing and polling. */
export function consoleHealth(
  kit: ConsoleKit,
): { renderHealth(): Promise<void>; refreshHealthLine(): Promise<void> } {
  const { $, h, fill, when, stateLabel, api, list, changed, pairingOff, view } = kit;

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
      `Gateway ${String(r.data.status)}${pairingOff() ? " · pairing off" : ""}`,
    );
  }

  async function renderHealth(): Promise<void> {
    const r = await api("GET", "/health");
    if (view() !== "health" || !changed("health", [r.status, r.data])) return;
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

  return { renderHealth, refreshHealthLine };
}
