import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ensureGatewayFirewallRule,
  ensureHeartbeatScheduler,
  heartbeatScript,
  removeGatewayFirewallRule,
  removeHeartbeatScheduler,
} from "../../lib/routeros/setup.ts";
import { probeRouterOS } from "../../lib/routeros/probe.ts";
import { analyzeRecipe, investigateRecipe, runRouterOSRecipe } from "../../lib/routeros/recipes.ts";
import { createRouterOSPolicy } from "../../lib/routeros/policy.ts";
import { createRouterOS } from "../../lib/routeros/create_routeros.ts";
import type { RouterOS } from "../../lib/routeros/types.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

describe("router setup helpers, probe and recipes", () => {
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

  it("ensureGatewayFirewallRule() is idempotent and places the rule before the input drops", async () => {
    const options = {
      router,
      port: 18789,
      allowSubnets: ["172.17.0.0/24", "192.168.88.0/24"],
    };
    const first = await ensureGatewayFirewallRule(options);
    assert.equal(first.added.length, 2);
    const second = await ensureGatewayFirewallRule(options);
    assert.deepEqual(second.added, []);
    assert.deepEqual(second.removed, []);
    assert.equal(second.unchanged.length, 2);
    const rules = fake.items("/ip/firewall/filter");
    const ours = rules.filter((r) => r.comment === "mikroclaw: gateway");
    assert.equal(ours.length, 2);
    assert.ok(
      rules.indexOf(ours[1]!) < rules.findIndex((r) => r.action === "drop"),
    );
    assert.equal(ours[0]!["dst-port"], "18789");
    // A changed port replaces the stale rules.
    const moved = await ensureGatewayFirewallRule({ ...options, port: 8080 });
    assert.equal(moved.removed.length, 2);
    assert.equal(moved.added.length, 2);
    const removed = await removeGatewayFirewallRule({ router });
    assert.equal(removed.removed.length, 2);
    assert.equal(
      fake.items("/ip/firewall/filter").some((r) => r.comment === "mikroclaw: gateway"),
      false,
    );
  });
  it("ensureGatewayFirewallRule() refuses to open the port to everyone or to bad input", async () => {
    await assert.rejects(
      ensureGatewayFirewallRule({ router, port: 18789, allowSubnets: [] }),
      /ROUTEROS_ALLOW_SUBNETS is empty/,
    );
    await assert.rejects(
      ensureGatewayFirewallRule({
        router,
        port: 18789,
        allowSubnets: ["1.2.3.4 x"],
      }),
      TypeError,
    );
    await assert.rejects(
      ensureGatewayFirewallRule({ router, port: 0, allowSubnets: ["1.2.3.4"] }),
      RangeError,
    );
  });
  it("ensureHeartbeatScheduler() is idempotent and updates a changed URL", async () => {
    const url = "http://172.17.0.2:18789/health/heartbeat";
    const first = await ensureHeartbeatScheduler({ router, url });
    assert.equal(first.added.length, 1);
    const second = await ensureHeartbeatScheduler({ router, url });
    assert.equal(second.unchanged.length, 1);
    assert.equal(fake.items("/system/scheduler").length, 1);
    const entry = fake.items("/system/scheduler")[0]!;
    assert.equal(entry["on-event"], `/tool fetch url="${url}" keep-result=no`);
    assert.equal(entry.interval, "5m");
    const third = await ensureHeartbeatScheduler({
      router,
      url: "http://172.17.0.3:18789/health/heartbeat",
      interval: "1m",
    });
    assert.equal(third.updated.length, 1);
    assert.equal(fake.items("/system/scheduler")[0]!.interval, "1m");
    await removeHeartbeatScheduler({ router });
    assert.equal(fake.items("/system/scheduler").length, 0);
  });
  it("heartbeatScript() refuses URLs that would inject script", () => {
    assert.throws(
      () => heartbeatScript('http://x/"; /system reboot; "'),
      TypeError,
    );
    assert.throws(() => heartbeatScript("http://x/$(a)"), TypeError);
    assert.throws(() => heartbeatScript("file:///etc/passwd"), TypeError);
  });
  it("probeRouterOS() reports version, group policies and settings", async () => {
    const probe = await probeRouterOS(router, {
      policy: createRouterOSPolicy({ allowWrite: true }),
    });
    assert.equal(probe.ok, true);
    assert.equal(probe.version, "7.16.1 (stable)");
    assert.equal(probe.group, "mikroclaw");
    assert.equal(probe.hasRestApi, true);
    assert.equal(probe.hasApi, true);
    assert.equal(probe.writeAllowed, true);
    assert.equal(probe.executeAllowed, false);
    assert.deepEqual(probe.problems, []);
  });
  it("probeRouterOS() names the missing policy, or the unreachable router", async () => {
    const f = await startFakeRouterOS({
      users: [{ name: "u", password: "p", group: "partial" }],
      groups: [{ name: "partial", policy: "read,rest-api,api,!write" }],
    });
    try {
      // A group can have rest-api and api yet lack a policy the probe would list; here it is fine.
      const ok = await probeRouterOS(
        createRouterOS({ url: f.url, user: "u", password: "p" }),
      );
      assert.equal(ok.ok, true);
      f.items("/user/group").find((g) => g.name === "partial")!.policy = "read,rest-api,!api";
      const bad = await probeRouterOS(
        createRouterOS({ url: f.url, user: "u", password: "p" }),
      );
      assert.equal(bad.ok, false);
      assert.match(bad.problems.join("\n"), /not allowed \(9\)/);
    } finally {
      await f.close();
    }
    const down = await probeRouterOS(
      createRouterOS({
        url: "http://127.0.0.1:1/rest",
        user: "u",
        password: "p",
      }),
    );
    assert.equal(down.reachable, false);
    assert.match(down.problems[0]!, /Cannot reach the router/);
  });
  it("investigate and analyze recipes read the right menus and build a prompt", async () => {
    const recipe = investigateRecipe({
      targets: ["192.168.88.254"],
      scopes: ["dhcp", "firewall"],
    });
    assert.deepEqual(recipe.reads.map((r) => r.path), [
      "/ip/dhcp-server/lease",
      "/ip/firewall/filter",
      "/ip/firewall/nat",
      "/ip/firewall/address-list",
    ]);
    const prompts: string[] = [];
    const { data, result } = await runRouterOSRecipe(recipe, {
      router,
      runAgent: (prompt) => {
        prompts.push(prompt);
        return Promise.resolve("done");
      },
    });
    assert.equal(result, "done");
    assert.equal((data[0]!.data as unknown[]).length, 1);
    assert.match(prompts[0]!, /MacBook-Pro/);
    assert.match(prompts[0]!, /untrusted/);
    const analyze = analyzeRecipe({
      scopes: ["services", "system"],
      question: "is winbox exposed?",
    });
    const out = await runRouterOSRecipe(analyze, {
      router,
      runAgent: (p) => Promise.resolve(p),
    });
    assert.match(out.data[0]!.error!, /no such command or directory/); // the fake has no /ip/service
    assert.match(out.result, /is winbox exposed\?/);
    assert.match(out.result, /7\.16\.1/);
    assert.throws(() => investigateRecipe({ targets: [] }), TypeError);
    assert.throws(() => analyzeRecipe({ scopes: ["nope"] }), /unknown scope/);
  });
});
