import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createGateway, type Gateway, type TaskHandler } from "../../lib/gateway/mod.ts";
import { createStateStoreFromUrl } from "../../lib/storage/from_url.ts";
import type { StateStore } from "../../lib/storage/types.ts";
import { createJobManager, type JobManager } from "../../lib/jobs/create_job_manager.ts";
import { type LocalRedis, redisSkipReason, startRedis } from "../_utils/redis.ts";
import { echoAgent, FAST, req, until } from "../gateway/_helpers.ts";

const DUE_TIMES = 12;

describe("two gateways on one real Redis run a job once per due time", {
  skip: redisSkipReason(),
}, () => {
  let redis: LocalRedis;
  let stores: StateStore[] = [];
  let gateways: Gateway[] = [];
  let managers: JobManager[] = [];
  const clock = { t: Date.parse("2026-06-01T00:00:00Z") };
  const runs = new Map<string, number>();

  const job: TaskHandler = (task) => {
    runs.set(task.task_id, (runs.get(task.task_id) ?? 0) + 1);
    return Promise.resolve(`ran ${task.params?.job_id}`);
  };

  before(async () => {
    redis = await startRedis();
    const prefix = `jobs${Date.now()}`;
    stores = await Promise.all([0, 1].map(() => createStateStoreFromUrl(redis.url, { prefix })));
    gateways = stores.map((store) =>
      createGateway({ agent: echoAgent(), store, ...FAST, tasks: { job } })
    );
    await Promise.all(gateways.map((g) => g.start()));
    managers = gateways.map((g, i) =>
      createJobManager({
        store: stores[i]!,
        now: () => clock.t,
        defaultZone: () => Promise.resolve("Europe/Riga"),
        submit: (j) => g.submitTask({ type: "job", params: { job_id: j.job_id } }, j.created_by),
      })
    );
  });

  after(async () => {
    await Promise.allSettled(managers.map((m) => m.stop()));
    await Promise.allSettled(gateways.map((g) => g.stop()));
    await Promise.allSettled(stores.map((s) => s.dispose()));
    await redis?.stop();
  });

  it(`${DUE_TIMES} due times, both schedulers ticking at once: ${DUE_TIMES} tasks`, async () => {
    const created = await managers[0]!.create(
      { schedule: "every 1m", prompt: "count" },
      "telegram:4242",
    );
    assert.equal(created.tz, "Europe/Riga", "the default zone is used and shown");
    // The other gateway sees the job through the shared store.
    assert.equal((await managers[1]!.list()).length, 1);
    for (let i = 0; i < DUE_TIMES; i++) {
      clock.t += 60_000;
      // Both gateways' schedulers wake for the same due time, twice each.
      await Promise.all([...managers, ...managers].map((m) => m.tick()));
    }
    const paired = await gateways[0]!.fetch(
      req("/pair", { method: "POST", headers: { "x-pairing-code": gateways[0]!.pairingCode()! } }),
    );
    const { token } = await paired.json() as { token: string };
    const res = await gateways[1]!.fetch(
      req("/tasks", { headers: { authorization: `Bearer ${token}` } }),
    );
    assert.equal(res.status, 200);
    const tasks = (await res.json() as { task_id: string; type: string }[])
      .filter((t) => t.type === "job");
    assert.equal(tasks.length, DUE_TIMES, "one task per due time across the fleet");
    await until(async () => {
      const done = await Promise.all(
        tasks.map(async (t) =>
          (await stores[0]!.get<{ status: string }>(`tasks:${t.task_id}`))?.status
        ),
      );
      return done.every((s) => s === "complete");
    }, 30_000);
    assert.equal(runs.size, DUE_TIMES);
    assert.ok([...runs.values()].every((n) => n === 1), "each task ran once");
    const record = await stores[1]!.get<{ requested_by: string }>(`tasks:${tasks[0]!.task_id}`);
    assert.equal(record?.requested_by, "telegram:4242", "a run is requested by the job's creator");
  });
});
