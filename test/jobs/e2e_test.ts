import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Runtime } from "../../lib/runtime/mod.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { type FakeTelegram, startFakeTelegram, type TelegramCall } from "../_fakes/telegram.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";
import type { LocalServer } from "../_utils/serve.ts";
import { waitFor } from "../_utils/wait.ts";
import { callText, sentTo, type Served, servedRuntime } from "./_helpers.ts";

const OWNER = 4242;
const BLOCK = "/ip firewall address-list add list=blocked address=203.0.113.9";

function buttonData(call: TelegramCall, prefix: string): string | undefined {
  const markup = call.params.reply_markup as
    | { inline_keyboard?: { callback_data: string }[][] }
    | string
    | undefined;
  const parsed = typeof markup === "string" ? JSON.parse(markup) : markup;
  return parsed?.inline_keyboard?.flat().find((b: { callback_data: string }) =>
    b.callback_data.startsWith(prefix)
  )?.callback_data;
}

const toOwner = sentTo(OWNER);
const text = callText;

describe("jobs and watches end to end (fake Telegram, fake router, real gateway socket)", () => {
  let llm: FakeLLMServer;
  let telegram: FakeTelegram;
  let router: FakeRouterOS;
  let runtime: Runtime;
  let server: LocalServer;
  let token = "";
  let served: Served;
  let pressId = 0;

  const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(server.url + path, {
      method: init.method ?? "GET",
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const press = async (data: string) => {
    const id = `cb-${++pressId}`;
    telegram.enqueue({
      callback_query: {
        id,
        from: { id: OWNER, is_bot: false, first_name: "Owner" },
        message: { message_id: 1, chat: { id: OWNER, type: "private" }, text: "x" },
        data,
      },
    });
    await telegram.waitFor(
      (c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === id,
      10_000,
    );
  };
  /** Messages to the owner after the `index`-th call. */
  const ownerMessagesAfter = (index: number) => telegram.calls.slice(index).filter(toOwner);

  before(async () => {
    llm = await startFakeOpenAI([], { onEmpty: { text: "Done." } });
    telegram = await startFakeTelegram({ maxHoldMs: 100 });
    router = await startFakeRouterOS();
    served = await servedRuntime(
      {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "sk-e2e-jobs",
        OPENAI_BASE_URL: llm.baseURL,
        BOT_TOKEN: telegram.token,
        TELEGRAM_API_BASE: telegram.url,
        TELEGRAM_ALLOWLIST: String(OWNER),
        ROUTER_URL: router.url,
        ROUTER_USER: FAKE_ROUTEROS_USER,
        ROUTER_PASS: FAKE_ROUTEROS_PASSWORD,
        ROUTEROS_ALLOW_WRITE: "1",
        ROUTEROS_APPROVAL: "writes",
        ROUTEROS_APPROVERS: `telegram:${OWNER}`,
        WATCH_POLL: "1",
        WATCH_DEDUPE: "1h",
      },
      { channels: true },
    );
    ({ runtime, server, token } = served);
  });

  after(async () => {
    await served?.close();
    await Promise.all([llm?.close(), telegram?.close(), router?.close()]);
  });

  it("a netwatch down alerts the owner once, a repeat does not, up sends resolved", async () => {
    const start = telegram.calls.length;
    const down = { source: "netwatch", subject: "8.8.8.8", status: "down", detail: "timeout" };
    const first = await api("/watch/events", { method: "POST", body: down });
    assert.equal(first.status, 202);
    const alert = await telegram.waitFor(
      (c) => toOwner(c) && /8\.8\.8\.8 is down since/.test(text(c)),
      10_000,
    );
    assert.match(text(alert), /Europe\/Riga/, "times are shown in the router's zone");
    assert.equal((await api("/watch/events", { method: "POST", body: down })).status, 202);
    const up = await api("/watch/events", {
      method: "POST",
      body: { ...down, status: "up", detail: undefined },
    });
    assert.equal(up.status, 202);
    const resolved = await telegram.waitFor(
      (c) => toOwner(c) && /8\.8\.8\.8 is up again after/.test(text(c)),
      10_000,
    );
    // The repeat produced nothing: the message after the alert is the resolved one.
    const sent = ownerMessagesAfter(start).filter((c) => /8\.8\.8\.8/.test(text(c)));
    assert.deepEqual(sent, [alert, resolved]);
  });

  it("refuses a bad watch event naming the field, and needs the bearer token", async () => {
    const bad = await api("/watch/events", {
      method: "POST",
      body: { source: "netwatch", subject: "x", status: "sideways" },
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json() as { error: { message: string } }).error.message, /^status:/);
    const anonymous = await fetch(`${server.url}/watch/events`, { method: "POST", body: "{}" });
    assert.equal(anonymous.status, 401);
  });

  // Four poll cycles of a second each: more than Bun's default 5 s on a busy machine.
  it("a polled interface going running=false alerts once, and up again resolves", {
    timeout: 60_000,
  }, async () => {
    const polls = () => router.requests.filter((r) => r.path.startsWith("/interface")).length;
    // Wait for the baseline poll, then unplug ether1.
    await waitFor(() => polls() >= 1, { message: "the baseline interface poll" });
    const start = telegram.calls.length;
    const ether1 = router.items("/interface").find((r) => r.name === "ether1")!;
    ether1.running = "false";
    const alert = await telegram.waitFor(
      (c) => toOwner(c) && /ether1 is down since/.test(text(c)),
      10_000,
    );
    // Two more polls see it still down; then it comes back.
    const seen = polls();
    await waitFor(() => polls() >= seen + 2, { message: "two more interface polls" });
    ether1.running = "true";
    const resolved = await telegram.waitFor(
      (c) => toOwner(c) && /ether1 is up again after/.test(text(c)),
      10_000,
    );
    const sent = ownerMessagesAfter(start).filter((c) => /ether1/.test(text(c)));
    assert.deepEqual(sent, [alert, resolved], "one alert, one resolved message");
  });

  it("a job's router write waits pending for the owner's Approve, like a chat request", async () => {
    const created = await api("/jobs", {
      method: "POST",
      body: { schedule: "0 8 * * 1", prompt: "Block 203.0.113.9", notify: `telegram:${OWNER}` },
    });
    assert.equal(created.status, 201);
    const job = await created.json() as { job_id: string; tz: string; next_run: string };
    assert.equal(job.tz, "Europe/Riga", "the router's time zone by default");
    llm.push({ toolCalls: [{ name: "routeros_execute", arguments: { command: BLOCK } }] });
    const run = await api(`/jobs/${job.job_id}/run`, { method: "POST" });
    assert.equal(run.status, 202);
    const { task_id } = await run.json() as { task_id: string };

    const prompt = await telegram.waitFor(
      (c) =>
        toOwner(c) && buttonData(c, "approve:") !== undefined && /203\.0\.113\.9/.test(text(c)),
      10_000,
    );
    // The run finishes (the model is told the change awaits approval) and its result is sent.
    await telegram.waitFor((c) => toOwner(c) && text(c).startsWith(`Job ${job.job_id}`), 10_000);
    const blocked = () =>
      router.items("/ip/firewall/address-list").filter((r) => r.address === "203.0.113.9");
    assert.equal(blocked().length, 0, "nothing written before the Approve");
    const tasks = await (await api("/tasks")).json() as { task_id: string; type: string }[];
    assert.ok(tasks.some((t) => t.task_id === task_id && t.type === "job"), "GET /tasks shows it");
    const changeId = buttonData(prompt, "approve:")!.slice("approve:".length);
    const change = await runtime.changes!.get(changeId);
    assert.equal(change?.state, "pending");
    assert.match(change!.requested_by, /^gateway:/, "requested by the job's creator (the token)");

    await press(`approve:${changeId}`);
    assert.equal(blocked().length, 1, "applied after the owner's Approve");
    const listed = await (await api("/jobs")).json() as { job_id: string; last_status: string }[];
    assert.equal(listed.find((j) => j.job_id === job.job_id)?.last_status, "complete");
    assert.equal((await api(`/jobs/${job.job_id}`, { method: "DELETE" })).status, 200);
    assert.equal((await api(`/jobs/${job.job_id}`, { method: "DELETE" })).status, 404);
  });

  it("the model proposes a job; it runs only after the owner presses Confirm", async () => {
    llm.push({
      toolCalls: [{
        name: "job_propose",
        arguments: { schedule: "0 8 * * 1", recipe: "analyze", notify: `telegram:${OWNER}` },
      }],
    });
    telegram.message(OWNER, "Every Monday at 8 analyse the router for me");
    const proposal = await telegram.waitFor(
      (c) => toOwner(c) && buttonData(c, "jobconfirm:") !== undefined,
      10_000,
    );
    const id = buttonData(proposal, "jobconfirm:")!.slice("jobconfirm:".length);
    const before = await (await api("/jobs")).json() as { job_id: string; state: string }[];
    assert.equal(before.find((j) => j.job_id === id)?.state, "proposed");
    const refused = await api(`/jobs/${id}/run`, { method: "POST" });
    assert.equal(refused.status, 409, "a proposal does not run");

    await press(`jobconfirm:${id}`);
    const after = await (await api("/jobs")).json() as {
      job_id: string;
      state: string;
      created_by: string;
    }[];
    const job = after.find((j) => j.job_id === id)!;
    assert.equal(job.state, "active");
    assert.equal(job.created_by, `telegram:${OWNER}`, "it runs as the person who asked");

    const start = telegram.calls.length;
    telegram.message(OWNER, "/jobs");
    const listing = await telegram.waitFor(
      (c) => toOwner(c) && telegram.calls.indexOf(c) >= start && text(c).includes(id),
      10_000,
    );
    assert.match(text(listing), /\(Europe\/Riga\) next \d{4}-\d{2}-\d{2} 08:00/);
  });

  it("the OpenAPI document describes the jobs and watch routes", async () => {
    const doc = await (await api("/openapi.json")).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (
      const [path, method] of [
        ["/jobs", "get"],
        ["/jobs", "post"],
        ["/jobs/{id}", "delete"],
        ["/jobs/{id}/run", "post"],
        ["/jobs/{id}/confirm", "post"],
        ["/watch/events", "post"],
      ] as const
    ) assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
  });

  it("POST /jobs refuses a bad schedule, zone or target with 400 naming the field", async () => {
    for (
      const [body, field] of [
        [{ schedule: "99 * * * *", prompt: "x" }, "schedule"],
        [{ schedule: "0 8 * * *", tz: "Mars/Olympus", prompt: "x" }, "tz"],
        [{ schedule: "0 8 * * *", prompt: "x", notify: "email:me" }, "notify"],
        [{ schedule: "0 8 * * *" }, "prompt"],
        [{ schedule: "0 8 * * *", recipe: "dance" }, "recipe"],
      ] as const
    ) {
      const res = await api("/jobs", { method: "POST", body });
      assert.equal(res.status, 400, JSON.stringify(body));
      const { error } = await res.json() as { error: { code: string; message: string } };
      assert.equal(error.code, "E_BAD_REQUEST");
      assert.ok(error.message.startsWith(`${field}:`), error.message);
    }
  });
});
