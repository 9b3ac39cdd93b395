import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createAgent } from "../../lib/agent/mod.ts";
import { createMockProvider } from "../../lib/providers/mock.ts";
import type { TaskHandler } from "../../lib/gateway/mod.ts";
import { hangingAgent, pairedGateway, req, until } from "./_helpers.ts";

type Task = {
  task_id: string;
  type: string;
  status: string;
  created_at: string;
  result?: unknown;
  error?: string;
};

/** A handler that waits for its signal and records it. */
function waitingHandler(): { handler: TaskHandler; signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const handler: TaskHandler = (_task, { signal }) => {
    signals.push(signal);
    return new Promise((_, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  };
  return { handler, signals };
}

describe("createGateway() tasks", () => {
  it("queues an agent task (202), runs it, lists it and shows its result", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      const res = await gateway.fetch(
        req("/tasks", { method: "POST", token, json: { type: "agent", input: "hello" } }),
      );
      assert.equal(res.status, 202);
      const created = await res.json() as { task_id: string; status: string };
      assert.equal(created.status, "queued");
      const get = async () =>
        await (await gateway.fetch(req(`/tasks/${created.task_id}`, { token }))).json() as Task;
      await until(async () => (await get()).status === "complete");
      const task = await get();
      assert.equal(task.result, "echo: hello");
      assert.equal(task.type, "agent");
      const list = await (await gateway.fetch(req("/tasks", { token }))).json() as Task[];
      assert.equal(list.length, 1);
      assert.deepEqual(Object.keys(list[0]!).sort(), ["created_at", "status", "task_id", "type"]);
      assert.ok(!Number.isNaN(Date.parse(list[0]!.created_at)));
    } finally {
      await gateway.stop();
    }
  });

  it("answers 400 naming the problem for bad bodies", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      const cases: Array<[string, RegExp]> = [
        ["{not json", /malformed JSON/],
        ["", /malformed JSON/],
        ["[]", /body: must be a JSON object/],
        ["null", /body: must be a JSON object/],
        ["42", /body: must be a JSON object/],
        ["{}", /^type: is required/],
        [`{"type":"reboot"}`, /^type: must be one of/],
        [`{"type":7}`, /^type:/],
        [`{"type":"agent"}`, /^input:/],
        [`{"type":"agent","input":5}`, /^input: must be a string/],
        [`{"type":"agent","input":""}`, /^input: must not be empty/],
        [`{"type":"summarize"}`, /^input:/],
        [`{"type":"skill_invoke"}`, /^skill:/],
        [`{"type":"skill_invoke","skill":"../etc"}`, /^skill:/],
        [`{"type":"analyze","params":[1]}`, /^params:/],
      ];
      for (const [body, message] of cases) {
        const res = await gateway.fetch(
          req("/tasks", {
            method: "POST",
            token,
            body,
            headers: { "content-type": "application/json" },
          }),
        );
        assert.equal(res.status, 400, body);
        const err = (await res.json() as { error: { code: string; message: string } }).error;
        assert.equal(err.code, "E_BAD_REQUEST");
        assert.match(err.message, message, body);
      }
      const text = await gateway.fetch(
        req("/tasks", {
          method: "POST",
          token,
          body: "{}",
          headers: { "content-type": "text/plain" },
        }),
      );
      assert.equal(text.status, 415);
      assert.deepEqual(await (await gateway.fetch(req("/tasks", { token }))).json(), []);
    } finally {
      await gateway.stop();
    }
  });

  it('fails unconfigured task types with "not configured" and runs injected handlers', async () => {
    const { gateway, token } = await pairedGateway({
      tasks: {
        analyze: async (task) => ({ analysed: task.input ?? null, params: task.params ?? null }),
      },
    });
    try {
      const post = async (json: unknown) =>
        (await (await gateway.fetch(req("/tasks", { method: "POST", token, json }))).json() as {
          task_id: string;
        }).task_id;
      const inv = await post({ type: "investigate", input: "why" });
      const ana = await post({ type: "analyze", input: "x", params: { depth: 2 } });
      const get = async (id: string) =>
        await (await gateway.fetch(req(`/tasks/${id}`, { token }))).json() as Task;
      await until(async () =>
        (await get(inv)).status === "failed" && (await get(ana)).status === "complete"
      );
      assert.match((await get(inv)).error!, /not configured/);
      assert.deepEqual((await get(ana)).result, { analysed: "x", params: { depth: 2 } });
    } finally {
      await gateway.stop();
    }
  });

  it("DELETE /tasks/:id aborts a running handler's signal; 409 once finished; 404 unknown", async () => {
    const { handler, signals } = waitingHandler();
    const { gateway, token } = await pairedGateway({ tasks: { investigate: handler } });
    try {
      const res = await gateway.fetch(
        req("/tasks", { method: "POST", token, json: { type: "investigate" } }),
      );
      const { task_id } = await res.json() as { task_id: string };
      await until(() => signals.length === 1);
      assert.equal(signals[0]!.aborted, false);
      const del = await gateway.fetch(req(`/tasks/${task_id}`, { method: "DELETE", token }));
      assert.equal(del.status, 200);
      assert.deepEqual(await del.json(), { status: "cancelled" });
      assert.equal(signals[0]!.aborted, true);
      const task = await (await gateway.fetch(req(`/tasks/${task_id}`, { token }))).json() as Task;
      assert.equal(task.status, "cancelled");
      const again = await gateway.fetch(req(`/tasks/${task_id}`, { method: "DELETE", token }));
      assert.equal(again.status, 409);
      for (const id of ["0".repeat(32), "nope", "..%2F..%2Ftokens"]) {
        assert.equal(
          (await gateway.fetch(req(`/tasks/${id}`, { method: "DELETE", token }))).status,
          404,
        );
        assert.equal((await gateway.fetch(req(`/tasks/${id}`, { token }))).status, 404);
      }
    } finally {
      await gateway.stop();
    }
  });

  it("cancelling an agent task aborts the LLM request (real agent, hanging mock provider)", async () => {
    const provider = createMockProvider([{ hang: true }]);
    const agent = createAgent({ provider });
    const { gateway, token } = await pairedGateway({ agent });
    try {
      const res = await gateway.fetch(
        req("/tasks", { method: "POST", token, json: { type: "agent", input: "think hard" } }),
      );
      const { task_id } = await res.json() as { task_id: string };
      await until(() => provider.calls.length === 1);
      const llmSignal = provider.calls[0]!.signal!;
      assert.equal(llmSignal.aborted, false);
      assert.equal(
        (await gateway.fetch(req(`/tasks/${task_id}`, { method: "DELETE", token }))).status,
        200,
      );
      await until(() => llmSignal.aborted);
      assert.equal(llmSignal.aborted, true);
    } finally {
      await gateway.stop();
    }
  });

  it("fails a task that exceeds taskTimeoutMs and aborts its signal", async () => {
    const { handler, signals } = waitingHandler();
    const { gateway, token } = await pairedGateway({
      tasks: { investigate: handler },
      taskTimeoutMs: 30,
    });
    try {
      const { task_id } = await (await gateway.fetch(
        req("/tasks", { method: "POST", token, json: { type: "investigate" } }),
      )).json() as { task_id: string };
      const get = async () =>
        await (await gateway.fetch(req(`/tasks/${task_id}`, { token }))).json() as Task;
      await until(async () => (await get()).status === "failed");
      assert.match((await get()).error!, /timed out/);
      assert.equal(signals[0]!.aborted, true);
    } finally {
      await gateway.stop();
    }
  });

  it("answers 503 when the queue is full and honours the concurrency", async () => {
    const { handler, signals } = waitingHandler();
    const { gateway, token } = await pairedGateway({
      tasks: { investigate: handler },
      taskConcurrency: 1,
      taskQueueLimit: 2,
    });
    try {
      const post = () =>
        gateway.fetch(req("/tasks", { method: "POST", token, json: { type: "investigate" } }));
      assert.equal((await post()).status, 202);
      await until(() => signals.length === 1); // running, no longer queued
      assert.equal((await post()).status, 202);
      assert.equal((await post()).status, 202);
      const full = await post();
      assert.equal(full.status, 503);
      assert.equal((await full.json() as { error: { code: string } }).error.code, "E_QUEUE_FULL");
      assert.equal(signals.length, 1);
    } finally {
      await gateway.stop();
    }
  });

  it("drops finished tasks after the retention time", async () => {
    let clock = 1_000;
    const { gateway, token } = await pairedGateway({ now: () => clock, taskRetentionMs: 5_000 });
    try {
      const { task_id } = await (await gateway.fetch(
        req("/tasks", { method: "POST", token, json: { type: "agent", input: "x" } }),
      )).json() as { task_id: string };
      await until(async () =>
        (await (await gateway.fetch(req(`/tasks/${task_id}`, { token }))).json() as Task)
          .status === "complete"
      );
      clock += 5_001;
      assert.equal((await gateway.fetch(req(`/tasks/${task_id}`, { token }))).status, 404);
      assert.deepEqual(await (await gateway.fetch(req("/tasks", { token }))).json(), []);
    } finally {
      await gateway.stop();
    }
  });

  it("stop() aborts tasks still running after the drain time and fails them", async () => {
    const agent = hangingAgent();
    const { gateway, token, store } = await pairedGateway({ agent, taskDrainMs: 20 });
    const { task_id } = await (await gateway.fetch(
      req("/tasks", { method: "POST", token, json: { type: "agent", input: "x" } }),
    )).json() as { task_id: string };
    await agent.started(1);
    await gateway.stop();
    assert.equal(agent.signals[0]!.aborted, true);
    const rec = await store.get<Task>(`tasks:${task_id}`);
    assert.equal(rec!.status, "failed");
    assert.match(rec!.error!, /gateway stopped/);
  });
});
