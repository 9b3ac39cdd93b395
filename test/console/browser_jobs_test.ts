import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  type ConsoleRig,
  launchChromium,
  lazySetup,
  pairConsole,
  SLOW,
  startConsoleRig,
} from "./_harness.ts";

// One paired browser on a real runtime (jobs on, the OpenAI and RouterOS fakes behind it) adds a
// job with the Jobs screen's form, one through the API, and runs one now.

interface Setup {
  rig: ConsoleRig;
  browser: Browser;
  page: Page;
  token: string;
}

interface JobRow {
  job_id: string;
  schedule: string;
  tz: string;
  prompt?: string;
  next_run: string | null;
  last_status?: string;
}

async function start(): Promise<Setup> {
  const browser = await launchChromium();
  const rig = await startConsoleRig().catch(async (error) => {
    await browser.close();
    throw error;
  });
  try {
    const page = await pairConsole(
      await browser.newContext(),
      rig.url,
      rig.runtime.gateway.pairingCode()!,
    );
    const token = await page.evaluate(() => sessionStorage.getItem("mikroclaw.token"));
    assert.ok(token, "the tab holds its token");
    return { rig, browser, page, token };
  } catch (error) {
    await browser.close();
    await rig.close();
    throw error;
  }
}

async function jobs(s: Setup): Promise<JobRow[]> {
  const res = await fetch(`${s.rig.url}/jobs`, {
    headers: { authorization: `Bearer ${s.token}` },
  });
  assert.equal(res.status, 200);
  return await res.json() as JobRow[];
}

/** The row of `job` in the Jobs screen, once it shows its zone and its next run as the page formats it. */
async function jobRow(page: Page, job: JobRow) {
  assert.ok(job.next_run, "the job has a next run");
  assert.ok(Date.parse(job.next_run) > Date.now(), "its next run lies ahead");
  const next = await page.evaluate(
    (iso) => new Date(iso).toLocaleString(),
    job.next_run,
  );
  const row = page.locator("#jobs-list li").filter({ hasText: job.job_id });
  await row.filter({ hasText: `${job.schedule} (${job.tz})` }).filter({
    hasText: `next ${next}`,
  })
    .waitFor();
  return row;
}

describe("web console in chromium: the Jobs screen with real jobs", () => {
  const ready = lazySetup(start, async (s) => {
    await s.browser.close();
    await s.rig.close();
  });

  it(
    "adds a job with the form: listed with its zone and next run, and stored",
    SLOW,
    async () => {
      const s = await ready();
      const { page } = s;
      await page.goto(`${s.rig.url}/console/#/jobs`);
      await page.locator("#jobs-list li").filter({
        hasText: "No jobs scheduled.",
      }).waitFor();
      await page.getByLabel("Schedule", { exact: true }).fill("30 6 * * 1-5");
      await page.getByLabel("Time zone", { exact: true }).fill("Asia/Tokyo");
      await page.getByLabel("Prompt", { exact: true }).fill(
        "Report interfaces that are down",
      );
      await page.getByRole("button", { name: "Add job" }).click();
      await page.locator("#jobs-note").filter({ hasText: "added" }).waitFor();
      const [job] = await jobs(s);
      assert.ok(job);
      assert.equal(job.tz, "Asia/Tokyo");
      assert.equal(job.prompt, "Report interfaces that are down");
      // 06:30 in Tokyo is 21:30 UTC the day before.
      assert.match(job.next_run!, /T21:30:00(\.000)?Z$/);
      const row = await jobRow(page, job);
      assert.match(await row.innerText(), /Report interfaces that are down/);
    },
  );

  it(
    "shows the gateway's reason for a bad schedule or zone and adds nothing",
    SLOW,
    async () => {
      const s = await ready();
      const { page } = s;
      await page.getByLabel("Schedule", { exact: true }).fill("every 6h");
      await page.getByLabel("Time zone", { exact: true }).fill("Mars/Olympus");
      await page.getByLabel("Prompt", { exact: true }).fill("x");
      const answer = page.waitForResponse((r) =>
        r.url().endsWith("/jobs") && r.request().method() === "POST"
      );
      await page.getByRole("button", { name: "Add job" }).click();
      assert.equal((await answer).status(), 400);
      await page.locator("#jobs-error").filter({ hasText: "tz" }).waitFor();
      assert.equal((await jobs(s)).length, 1);
    },
  );

  it(
    "lists a job added through the API, runs it with Run now, and the task shows in Tasks",
    SLOW,
    async () => {
      const s = await ready();
      const { page, rig } = s;
      const added = await fetch(`${rig.url}/jobs`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${s.token}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          schedule: "0 7 * * *",
          tz: "Europe/Berlin",
          prompt: "Summarise the night's firewall drops",
        }),
      });
      assert.equal(added.status, 201);
      const job = await added.json() as JobRow;
      assert.equal(job.tz, "Europe/Berlin");
      const row = await jobRow(page, job); // the open screen picks it up by polling

      rig.llm.push({ text: "Twelve drops overnight, all from 198.51.100.4." });
      const ran = page.waitForResponse((r) => r.url().endsWith(`/jobs/${job.job_id}/run`));
      await row.getByRole("button", { name: `Run job ${job.job_id} now` })
        .click();
      const answer = await ran;
      assert.equal(answer.status(), 202);
      const { task_id: taskId } = await answer.json() as { task_id: string };
      await page.waitForURL(`**/console/#/tasks/${taskId}`);
      const detail = page.locator("#task-detail");
      await detail.locator(".state").filter({ hasText: "complete" }).waitFor({
        timeout: 30_000,
      });
      assert.match(
        await detail.locator("pre.result").innerText(),
        /Twelve drops overnight/,
      );
      const taskRow = page.locator("#tasks-list a.row").filter({
        hasText: taskId,
      });
      await taskRow.filter({ hasText: "job task" }).filter({
        hasText: "complete",
      }).waitFor();

      // The job records the run: the Jobs screen shows its outcome.
      await page.goto(`${rig.url}/console/#/jobs`);
      await page.locator("#jobs-list li").filter({ hasText: job.job_id })
        .filter({ hasText: "complete" }).waitFor();
      const after = (await jobs(s)).find((j) => j.job_id === job.job_id);
      assert.equal(after?.last_status, "complete");
    },
  );
});
