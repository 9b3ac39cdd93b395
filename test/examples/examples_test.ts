import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { runExample } from "../../examples/agent_custom_tool.ts";
import { auditRouter } from "../../examples/routeros_auditor.ts";
import { startFleet } from "../../examples/fleet_redis.ts";
import { createRouterOS } from "../../lib/routeros/mod.ts";
import { createMockProvider } from "../../lib/providers/mock.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";
import { type LocalRedis, redisSkipReason, startRedis } from "../_utils/redis.ts";

describe("examples/agent_custom_tool.ts", () => {
  it("runs the custom tool with validated arguments and answers", async () => {
    const { turn, toolOutput } = await runExample();
    assert.deepEqual(JSON.parse(toolOutput), { value: 0.25, unit: "Gbps" });
    assert.equal(turn.text, "250 Mbps is 0.25 Gbps.");
    assert.equal(turn.toolCalls, 1);
    assert.equal(turn.stopReason, "stop");
  });
});

describe("examples/routeros_auditor.ts", () => {
  let fake: FakeRouterOS;
  before(async () => {
    fake = await startFakeRouterOS();
  });
  after(async () => {
    await fake.close();
  });
  const router = () =>
    createRouterOS({ url: fake.url, user: FAKE_ROUTEROS_USER, password: FAKE_ROUTEROS_PASSWORD });

  it("reads the router with GETs only and reports the link that is down", async () => {
    const before = fake.requests.length;
    const report = await auditRouter(router());
    assert.deepEqual(report.router, {
      board: "hAP ax^2",
      version: "7.16.1 (stable)",
      architecture: "arm64",
    });
    assert.ok(fake.requests.length > before);
    assert.deepEqual([...new Set(fake.requests.slice(before).map((r) => r.method))], ["GET"]);
    assert.ok(
      report.findings.some((f) => f.where === "/interface" && f.message.startsWith("ether3")),
    );
    assert.ok(
      !report.findings.some((f) => f.where === "/ip/firewall/filter"),
      "the default drop rule is there",
    );
  });

  it("reports a missing input drop rule", async () => {
    const filters = fake.items("/ip/firewall/filter");
    const index = filters.findIndex((r) => r["in-interface-list"] === "!LAN");
    const [removed] = filters.splice(index, 1);
    try {
      const report = await auditRouter(router());
      assert.ok(
        report.findings.some((f) => f.severity === "high" && f.where === "/ip/firewall/filter"),
      );
    } finally {
      filters.splice(index, 0, removed!);
    }
  });
});

describe("examples/fleet_redis.ts", { skip: redisSkipReason() }, () => {
  let redis: LocalRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  it("a token paired on one gateway works on the other, and tasks are shared", async () => {
    const provider = createMockProvider(["fleet answer"]);
    const fleet = await startFleet({
      redisUrl: redis.url,
      size: 2,
      provider,
      prefix: `t${Date.now()}`,
    });
    try {
      const [a, b] = fleet.urls as [string, string];
      const code = fleet.gateways[0]!.pairingCode()!;
      const paired = await fetch(`${a}/pair`, {
        method: "POST",
        headers: { "x-pairing-code": code },
      });
      assert.equal(paired.status, 200);
      const { token } = await paired.json() as { token: string };
      const auth = { authorization: `Bearer ${token}` };
      assert.equal((await fetch(`${b}/tasks`, { headers: auth })).status, 200);
      assert.equal(
        (await fetch(`${b}/tasks`, { headers: { authorization: "Bearer nope" } })).status,
        401,
      );
      const queued = await fetch(`${a}/tasks`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ type: "agent", input: "hello" }),
      });
      assert.equal(queued.status, 202);
      const { task_id } = await queued.json() as { task_id: string };
      const seen = await fetch(`${b}/tasks/${task_id}`, { headers: auth });
      assert.equal(seen.status, 200);
      assert.equal((await seen.json() as { task_id: string }).task_id, task_id);
    } finally {
      await fleet.stop();
    }
  });

  it("refuses a non-Redis store", async () => {
    await assert.rejects(
      startFleet({ redisUrl: "memory", provider: createMockProvider([]) }),
      TypeError,
    );
  });
});
