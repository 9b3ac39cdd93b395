import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { memoryStore } from "../gateway/_helpers.ts";
import { createJobManager, type JobManager } from "../../lib/jobs/create_job_manager.ts";
import { formatInZone, parseSchedule, ScheduleError } from "../../lib/jobs/schedule.ts";
import type { JobRecord } from "../../lib/jobs/types.ts";

const RIGA = "Europe/Riga";
const MINUTE = 60_000;

/** A job manager on a memory store with a clock the test moves; records each submitted run. */
function manager(start: string, graceMs?: number) {
  const clock = { t: Date.parse(start) };
  const runs: { at: number; job: JobRecord }[] = [];
  const jobs: JobManager = createJobManager({
    store: memoryStore(),
    now: () => clock.t,
    defaultZone: () => Promise.resolve("UTC"),
    submit: (job) => {
      runs.push({ at: clock.t, job });
      return Promise.resolve({ task_id: `t${runs.length}` });
    },
    ...(graceMs === undefined ? {} : { graceMs }),
  });
  return { clock, runs, jobs };
}

/** Moves the clock minute by minute from its start to `end`, ticking the scheduler each minute. */
async function runUntil(m: ReturnType<typeof manager>, end: string): Promise<void> {
  const stop = Date.parse(end);
  while (m.clock.t < stop) {
    m.clock.t += MINUTE;
    await m.jobs.tick();
  }
}

describe("a daily 08:00 Europe/Riga job across daylight-saving changes", () => {
  for (
    const [name, from, to, days, following] of [
      ["spring (2026-03-29, 03:00 -> 04:00)", "2026-03-27T12:00:00Z", "2026-03-31T12:00:00Z", [
        "2026-03-28",
        "2026-03-29",
        "2026-03-30",
        "2026-03-31",
      ], "2026-04-01"],
      ["autumn (2026-10-25, 04:00 -> 03:00)", "2026-10-23T12:00:00Z", "2026-10-27T12:00:00Z", [
        "2026-10-24",
        "2026-10-25",
        "2026-10-26",
        "2026-10-27",
      ], "2026-10-28"],
    ] as const
  ) {
    it(`fires at 08:00 local once a day around the ${name} change`, async () => {
      const m = manager(from);
      const job = await m.jobs.create({ schedule: "0 8 * * *", tz: RIGA, prompt: "report" }, "t:1");
      assert.equal(job.tz, RIGA);
      await runUntil(m, to);
      const local = m.runs.map((r) => formatInZone(r.at, RIGA));
      assert.deepEqual(local, days.map((d) => `${d} 08:00`), "one run per day, at 08:00 local");
      // The UTC instants differ by 23 h or 25 h across the change: the zone rules were applied.
      const gaps = m.runs.slice(1).map((r, i) => (r.at - m.runs[i]!.at) / 3_600_000);
      assert.ok(gaps.includes(name.startsWith("spring") ? 23 : 25), `gaps ${gaps.join(",")}`);
      const stored = await m.jobs.get(job.job_id);
      assert.equal(stored?.last_status, "queued");
      assert.equal(formatInZone(stored!.next_ms!, RIGA), `${following} 08:00`);
    });
  }
});

describe("missed runs", () => {
  it("a run missed while down runs once on start, not once per missed day", async () => {
    const m = manager("2026-05-01T00:00:00Z");
    await m.jobs.create({ schedule: "0 8 * * *", tz: RIGA, prompt: "report" }, "t:1");
    // MikroClaw was down for three days and a half.
    m.clock.t = Date.parse("2026-05-04T12:00:00Z");
    await m.jobs.tick();
    await m.jobs.tick();
    assert.equal(m.runs.length, 1, "exactly one catch-up run");
    const [job] = await m.jobs.list();
    assert.equal(formatInZone(job!.next_ms!, RIGA), "2026-05-05 08:00", "then back on schedule");
  });

  it("with catchup false the missed run is skipped and recorded", async () => {
    const m = manager("2026-05-01T00:00:00Z");
    await m.jobs.create(
      { schedule: "0 8 * * *", tz: RIGA, prompt: "report", catchup: false },
      "t:1",
    );
    m.clock.t = Date.parse("2026-05-04T12:00:00Z");
    await m.jobs.tick();
    assert.equal(m.runs.length, 0);
    const [job] = await m.jobs.list();
    assert.equal(job!.last_status, "skipped");
    assert.equal(formatInZone(job!.next_ms!, RIGA), "2026-05-05 08:00");
    // The next due time runs normally.
    await runUntil(m, "2026-05-05T06:00:00Z");
    assert.equal(m.runs.length, 1);
  });

  it("an interval keeps its rhythm and an at job runs once", async () => {
    const m = manager("2026-05-01T00:00:00Z");
    await m.jobs.create({ schedule: "every 15m", tz: "UTC", prompt: "ping" }, "t:1");
    await m.jobs.create(
      { schedule: "at 2026-05-01T03:30", tz: RIGA, recipe: "analyze" },
      "t:1",
    );
    await runUntil(m, "2026-05-01T01:00:00Z");
    const every = m.runs.filter((r) => r.job.prompt === "ping").map((r) =>
      new Date(r.at).toISOString().slice(11, 16)
    );
    assert.deepEqual(every, ["00:15", "00:30", "00:45", "01:00"]);
    const at = m.runs.filter((r) => r.job.recipe === "analyze");
    assert.equal(at.length, 1);
    assert.equal(formatInZone(at[0]!.at, RIGA), "2026-05-01 03:30");
    const done = (await m.jobs.list()).find((j) => j.recipe === "analyze");
    assert.equal(done?.state, "done");
    assert.equal(done?.next_run, null);
  });
});

describe("parseSchedule", () => {
  it("refuses bad schedules and zones, naming the field", () => {
    const field = (schedule: string, tz = "UTC") => {
      try {
        parseSchedule(schedule, tz);
        return "ok";
      } catch (error) {
        assert.ok(error instanceof ScheduleError);
        return error.field;
      }
    };
    assert.equal(field("0 8 * * *"), "ok");
    assert.equal(field("61 8 * * *"), "schedule");
    assert.equal(field("0 0 8 * * *"), "schedule", "6 fields are not the contract's cron");
    assert.equal(field("every 0s"), "schedule");
    assert.equal(field("at tomorrow"), "schedule");
    assert.equal(field("0 8 * * *", "Mars/Olympus"), "tz");
  });
});
