/**
 * The Tasks view: start a task, list them, show one, cancel it. Served as the text of {@linkcode
 * consoleTasks} in the console's one script, so the function must use nothing from outside its own
 * body and its `kit`.
 * @module
 */
import type { ConsoleKit } from "./_client_kit.ts";

/** Sets up the view in the page; returns what the console calls on routing and polling. */
export function consoleTasks(kit: ConsoleKit): { renderTasks(): Promise<void> } {
  const { $, h, fill, when, text, stateLabel, details, api, say, list, loadDetail, forget, view } =
    kit;

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
    if (view() !== "tasks") return;
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
          forget("task-detail");
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

  return { renderTasks };
}
