/**
 * The Jobs view (when the gateway has jobs): add a job, list them, run one now. Served as the text
 * of {@linkcode consoleJobs} in the console's one script, so the function must use nothing from
 * outside its own body and its `kit`.
 * @module
 */
import type { ConsoleKit } from "./_client_kit.ts";

/** Sets up the view in the page; returns what the console calls on routing and polling. */
export function consoleJobs(kit: ConsoleKit): { renderJobs(): Promise<void> } {
  const { $, h, fill, when, text, stateLabel, api, say, list, forget, view } = kit;

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
    if (view() !== "jobs") return;
    if (r.status === 404) {
      say("jobs-note", "Jobs are not available on this gateway.");
      $("job-form").hidden = true;
      forget("jobs-list");
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

  return { renderJobs };
}
