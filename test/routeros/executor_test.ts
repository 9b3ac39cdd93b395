import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { compactResult, createRouterOSExecutor } from "../../lib/routeros/executor.ts";
import { createRouterOSPolicy } from "../../lib/routeros/policy.ts";
import { createRouterOS } from "../../lib/routeros/create_routeros.ts";
import { routerosExecuteTool } from "../../lib/tools/routeros_execute.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";
import type { RouterOS, RouterOSPlan } from "../../lib/routeros/types.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

const context = () => ({
  signal: new AbortController().signal,
  requestedBy: "telegram:4242",
  sessionKey: "telegram:4242",
  logger: silentLogger,
});

describe("createRouterOSExecutor() and the routeros_execute tool", () => {
  let fake: FakeRouterOS;
  let router: RouterOS;
  before(async () => {
    fake = await startFakeRouterOS();
    router = createRouterOS({
      url: fake.url,
      user: FAKE_ROUTEROS_USER,
      password: FAKE_ROUTEROS_PASSWORD,
    });
  });
  after(() => fake.close());

  it("has the seed's schema, description, effect and timeout", () => {
    const readOnly = routerosExecuteTool(
      createRouterOSExecutor({ router, policy: createRouterOSPolicy() }),
    );
    assert.equal(readOnly.name, "routeros_execute");
    assert.equal(readOnly.description, "Execute RouterOS command from args");
    assert.deepEqual(readOnly.parameters, {
      type: "object",
      properties: { command: { type: "string" } },
      required: ["command"],
    });
    assert.equal(readOnly.effect, "read");
    assert.equal(readOnly.timeoutMs, 70_000);
    const writer = routerosExecuteTool(
      createRouterOSExecutor({
        router,
        policy: createRouterOSPolicy({ allowWrite: true }),
      }),
    );
    assert.equal(writer.effect, "write");
  });
  it("reads compactly: no counters, no empty or default-false columns", async () => {
    const tool = routerosExecuteTool(
      createRouterOSExecutor({ router, policy: createRouterOSPolicy() }),
    );
    const result = await tool.call({
      command: "/ip firewall filter print where chain=input",
    }, context());
    assert.equal(result.isError, false);
    const rows = JSON.parse(result.content) as Record<string, string>[];
    assert.equal(rows.length, 4);
    for (const row of rows) {
      assert.equal(
        "bytes" in row || "packets" in row || "log-prefix" in row ||
          "invalid" in row,
        false,
      );
      assert.equal(row.chain, "input");
    }
    const stats = await tool.call({
      command: "/ip firewall filter print stats where chain=input",
    }, context());
    assert.equal(
      (JSON.parse(stats.content) as Record<string, string>[])[0]!.bytes,
      "123456",
    );
  });
  it("applies ~ filters to print results", async () => {
    const executor = createRouterOSExecutor({
      router,
      policy: createRouterOSPolicy(),
    });
    const rows = await executor.execute(
      '/ip firewall filter print where comment~"drop"',
    ) as Record<string, string>[];
    assert.deepEqual(rows.map((r) => r.comment), [
      "defconf: drop invalid",
      "defconf: drop all not coming from LAN",
    ]);
  });
  it("caps rows with a note", () => {
    const rows = Array.from(
      { length: 60 },
      (_, i) => ({ ".id": `*${i}`, name: `x${i}`, ".about": "noise" }),
    );
    const out = compactResult(rows) as { rows: unknown[]; more: string };
    assert.equal(out.rows.length, 50);
    assert.match(out.more, /^10 more rows not shown \(60 in all\)/);
    assert.deepEqual(out.rows[0], { ".id": "*0", name: "x0" });
  });
  it("refuses a write with the default policy, tells onRefused, and never touches the router", async () => {
    const refused: string[] = [];
    const executor = createRouterOSExecutor({
      router,
      policy: createRouterOSPolicy(),
      onRefused: (plan, error) => {
        refused.push(`${plan.verb}:${error.code}`);
      },
    });
    const tool = routerosExecuteTool(executor);
    const before = fake.requests.length;
    const result = await tool.call({
      command: "/ip firewall address-list add list=blocked address=203.0.113.7",
    }, context());
    assert.equal(result.isError, true);
    assert.match(result.content, /ROUTEROS_ALLOW_WRITE=1/);
    assert.deepEqual(refused, ["add:E_POLICY_BLOCKED"]);
    assert.equal(fake.requests.length, before);
  });
  it("writes through plan -> check -> resolve -> onWrite(apply)", async () => {
    const seen: RouterOSPlan[] = [];
    const executor = createRouterOSExecutor({
      router,
      policy: createRouterOSPolicy({ allowWrite: true }),
      onWrite: async (plan, ctx, apply) => {
        seen.push(plan);
        assert.equal(ctx.requestedBy, "telegram:4242");
        const replies = await apply();
        return { recorded: true, replies: replies.length };
      },
    });
    const tool = routerosExecuteTool(executor);
    const result = await tool.call({
      command: '/ip firewall address-list add list=blocked address=203.0.113.7 comment="from bot"',
    }, context());
    assert.equal(result.isError, false, result.content);
    assert.deepEqual(JSON.parse(result.content), {
      recorded: true,
      replies: 1,
    });
    assert.equal(seen[0]!.calls[0]!.method, "PUT");
    const entry = fake.items("/ip/firewall/address-list").find((r) => r.address === "203.0.113.7")!;
    assert.equal(entry.comment, "from bot");
    // The resolved plan an approval layer would see carries concrete *IDs.
    const removed = await tool.call({
      command: '/ip firewall address-list remove [find comment="from bot"]',
    }, context());
    assert.equal(removed.isError, false, removed.content);
    assert.deepEqual(seen[1]!.calls, [{
      method: "DELETE",
      path: `/ip/firewall/address-list/${entry[".id"]}`,
    }]);
    assert.deepEqual(seen[1]!.ids, [entry[".id"]]);
  });
  it("onWrite's apply tells the hook each call the router took", async () => {
    let applied: number[] = [];
    const executor = createRouterOSExecutor({
      router,
      policy: createRouterOSPolicy({ allowWrite: true }),
      onWrite: async (_plan, _ctx, apply) => {
        applied = [];
        return await apply((index) => applied.push(index));
      },
    });
    const line = "/ip firewall address-list add list=progress address=203.0.113.50";
    await executor.execute(line);
    assert.deepEqual(applied, [0]);
    // The same entry again: the router refuses the only call, so none is reported.
    await assert.rejects(executor.execute(line), /already have such entry/);
    assert.deepEqual(applied, []);
  });
  it("without onWrite, applies and summarises; router errors come back readable", async () => {
    const tool = routerosExecuteTool(
      createRouterOSExecutor({
        router,
        policy: createRouterOSPolicy({ allowWrite: true }),
      }),
    );
    const ok = await tool.call({
      command: "/ip firewall address-list add list=blocked address=203.0.113.99",
    }, context());
    assert.match(
      JSON.parse(ok.content).applied[0],
      /^PUT \/ip\/firewall\/address-list -> \*[0-9A-F]+$/,
    );
    const dup = await tool.call({
      command: "/ip firewall address-list add list=blocked address=203.0.113.99",
    }, context());
    assert.equal(dup.isError, true);
    assert.match(dup.content, /failure: already have such entry \(HTTP 400\)/);
    const unmapped = await tool.call(
      { command: "/interface disable 0" },
      context(),
    );
    assert.equal(unmapped.isError, true);
    assert.match(unmapped.content, /item numbers/);
    const bad = await tool.call({ cmd: "x" }, context());
    assert.equal(bad.isError, true);
  });
  it("runs /execute only when allowed, and reboot only when scoped", async () => {
    const exec = createRouterOSExecutor({
      router,
      policy: createRouterOSPolicy({
        allowExecute: true,
        allowWrite: true,
        writeScopes: ["/system/reboot"],
      }),
    });
    const out = await exec.execute(":put [/system clock get date]") as {
      output: unknown;
    };
    // The router's answer reaches the result (the fake's clock says 2026-09-28).
    assert.equal(out.output, "2026-09-28");
    assert.deepEqual(
      fake.state.executed.at(-1),
      ":put [/system clock get date]",
    );
    await exec.execute("/system reboot");
    assert.equal(fake.state.rebooted, true);
  });
  it("moves a firewall rule before another (order matters)", async () => {
    const exec = createRouterOSExecutor({
      router,
      policy: createRouterOSPolicy({ allowWrite: true }),
    });
    await exec.execute(
      '/ip firewall filter move [find comment="defconf: accept ICMP"] [find comment="defconf: drop invalid"]',
    );
    const comments = fake.items("/ip/firewall/filter").map((r) => r.comment);
    assert.ok(
      comments.indexOf("defconf: accept ICMP") <
        comments.indexOf("defconf: drop invalid"),
    );
  });
});
