import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createGateway, type Gateway, type TaskHandler } from "../../lib/gateway/mod.ts";
import { createStateStoreFromUrl } from "../../lib/storage/from_url.ts";
import type { StateStore } from "../../lib/storage/types.ts";
import { type LocalRedis, redisSkipReason, startRedis } from "../_utils/redis.ts";
import { echoAgent, FAST, req, until } from "./_helpers.ts";

const SUBMISSIONS = 200;

describe("two gateways on one real Redis", { skip: redisSkipReason() }, () => {
  let redis: LocalRedis;
  let stores: StateStore[] = [];
  let a: Gateway;
  let b: Gateway;
  const runs = new Map<string, number>();
  const aborted = new Set<string>();

  const handler: TaskHandler = async (task, { signal }) => {
    runs.set(task.task_id, (runs.get(task.task_id) ?? 0) + 1);
    if (task.input === "hang") {
      await new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(), { once: true })
      );
      aborted.add(task.task_id);
      throw new Error("cancelled");
    }
    await new Promise((r) => setTimeout(r, 1));
    return "done";
  };

  before(async () => {
    redis = await startRedis();
    const prefix = `fleet${Date.now()}`;
    // Two processes' worth of state: each gateway has its own Redis connection.
    stores = await Promise.all([0, 1].map(() => createStateStoreFromUrl(redis.url, { prefix })));
    const options = {
      ...FAST,
      taskQueueLimit: SUBMISSIONS + 10,
      taskConcurrency: 8,
      tasks: { agent: handler },
    };
    a = createGateway({ agent: echoAgent(), store: stores[0]!, ...options });
    b = createGateway({ agent: echoAgent(), store: stores[1]!, ...options });
    await Promise.all([a.start(), b.start()]);
  });

  after(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await Promise.allSettled(stores.map((s) => s.dispose()));
    await redis?.stop();
  });

  it(`share tokens, and run each of ${SUBMISSIONS} concurrent submissions exactly once`, {
    timeout: 60_000,
  }, async () => {
    const paired = await a.fetch(
      req("/pair", { method: "POST", headers: { "x-pairing-code": a.pairingCode()! } }),
    );
    assert.equal(paired.status, 200);
    const { token } = await paired.json() as { token: string };
    assert.equal(
      (await b.fetch(req("/tasks", { token }))).status,
      200,
      "a token issued by A works on B",
    );

    const responses = await Promise.all(
      Array.from(
        { length: SUBMISSIONS },
        (_, i) =>
          (i % 2 === 0 ? a : b).fetch(
            req("/tasks", { method: "POST", token, json: { type: "agent", input: `t${i}` } }),
          ),
      ),
    );
    const ids = await Promise.all(responses.map(async (r) => {
      assert.equal(r.status, 202);
      return (await r.json() as { task_id: string }).task_id;
    }));
    assert.equal(new Set(ids).size, SUBMISSIONS);
    await until(async () => {
      const list = await (await b.fetch(req("/tasks", { token }))).json() as { status: string }[];
      return list.filter((t) => t.status === "complete").length === SUBMISSIONS;
    }, 30_000);
    for (const id of ids) {
      assert.equal(runs.get(id), 1, `task ${id} ran ${runs.get(id) ?? 0} times`);
    }
  });

  it("a task submitted to A is read and cancelled through B, and A's handler stops", {
    timeout: 60_000,
  }, async () => {
    const token = await tokenOf(a);
    const queued = await a.fetch(
      req("/tasks", { method: "POST", token, json: { type: "agent", input: "hang" } }),
    );
    const { task_id } = await queued.json() as { task_id: string };
    await until(async () => {
      const res = await b.fetch(req(`/tasks/${task_id}`, { token }));
      return (await res.json() as { status: string }).status === "running";
    }, 10_000);
    const cancelled = await b.fetch(req(`/tasks/${task_id}`, { method: "DELETE", token }));
    assert.equal(cancelled.status, 200);
    await until(() => aborted.has(task_id), 10_000);
    const detail = await (await a.fetch(req(`/tasks/${task_id}`, { token }))).json() as {
      status: string;
    };
    assert.equal(detail.status, "cancelled");
  });

  async function tokenOf(gateway: Gateway): Promise<string> {
    const code = await gateway.issuePairingCode();
    const res = await gateway.fetch(
      req("/pair", { method: "POST", headers: { "x-pairing-code": code }, ip: "10.0.0.7" }),
    );
    return (await res.json() as { token: string }).token;
  }
});
