import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createGateway } from "../../lib/gateway/mod.ts";
import type { TaskHandler } from "../../lib/gateway/mod.ts";
import { echoAgent, FAST, memoryStore, req, until } from "./_helpers.ts";

describe("createGateway() fleet: two gateways on one StateStore", () => {
  it("share tokens and pairing codes, and run each task exactly once", async () => {
    const store = memoryStore();
    const runs = new Map<string, number>();
    const handler: TaskHandler = async (task) => {
      runs.set(task.task_id, (runs.get(task.task_id) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 5));
      return "done";
    };
    const a = createGateway({ agent: echoAgent(), store, ...FAST, tasks: { analyze: handler } });
    const b = createGateway({ agent: echoAgent(), store, ...FAST, tasks: { analyze: handler } });
    await a.start();
    await b.start();
    try {
      // A's code is redeemed on B; B's token works on A.
      const paired = await b.fetch(
        req("/pair", { method: "POST", headers: { "x-pairing-code": a.pairingCode()! } }),
      );
      assert.equal(paired.status, 200);
      const { token } = await paired.json() as { token: string };
      assert.equal((await a.fetch(req("/tasks", { token }))).status, 200);
      // ...and A's code is now used up on A as well.
      const reused = await a.fetch(
        req("/pair", {
          method: "POST",
          headers: { "x-pairing-code": a.pairingCode()! },
          ip: "10.0.0.9",
        }),
      );
      assert.equal(reused.status, 403);

      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const gw = i % 2 === 0 ? a : b;
        const res = await gw.fetch(
          req("/tasks", { method: "POST", token, json: { type: "analyze" } }),
        );
        ids.push((await res.json() as { task_id: string }).task_id);
      }
      await until(async () => {
        const list = await (await a.fetch(req("/tasks", { token }))).json() as Array<
          { status: string }
        >;
        return list.length === 20 && list.every((t) => t.status === "complete");
      });
      assert.equal(runs.size, 20);
      for (const id of ids) assert.equal(runs.get(id), 1, `task ${id} ran ${runs.get(id)} times`);

      // A token revoked through one gateway is refused by the other.
      assert.equal((await a.fetch(req("/pair", { method: "DELETE", token }))).status, 200);
      assert.equal((await b.fetch(req("/tasks", { token }))).status, 401);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it("a cancel written through one gateway aborts the handler running on the other", async () => {
    const store = memoryStore();
    const signals: AbortSignal[] = [];
    const waiting: TaskHandler = (_task, { signal }) => {
      signals.push(signal);
      return new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason))
      );
    };
    const a = createGateway({
      agent: echoAgent(),
      store,
      ...FAST,
      tasks: { investigate: waiting },
    });
    const b = createGateway({
      agent: echoAgent(),
      store,
      ...FAST,
      tasks: { investigate: waiting },
    });
    await a.start(); // only A runs workers
    try {
      const { token } = await (await a.fetch(
        req("/pair", { method: "POST", headers: { "x-pairing-code": a.pairingCode()! } }),
      )).json() as { token: string };
      const { task_id } = await (await b.fetch(
        req("/tasks", { method: "POST", token, json: { type: "investigate" } }),
      )).json() as { task_id: string };
      await until(() => signals.length === 1);
      const del = await b.fetch(req(`/tasks/${task_id}`, { method: "DELETE", token }));
      assert.equal(del.status, 200);
      await until(() => signals[0]!.aborted);
      assert.equal(signals[0]!.aborted, true);
      const task = await (await a.fetch(req(`/tasks/${task_id}`, { token }))).json() as {
        status: string;
      };
      assert.equal(task.status, "cancelled");
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
