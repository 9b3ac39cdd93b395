import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";
import { startCli } from "../_utils/cli.ts";
import { waitFor } from "../_utils/wait.ts";

describe("mikroclaw gateway with ROUTEROS_FIREWALL and HEARTBEAT_ROUTEROS", () => {
  let cwd = "";
  let router: FakeRouterOS;

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), "mikroclaw-setup-"));
    router = await startFakeRouterOS();
  });

  after(async () => {
    await router?.close();
    await rm(cwd, { recursive: true, force: true });
  });

  it("opens the gateway port to the allowed subnets, arms a heartbeat the router can reach, and closes the port on exit", async () => {
    const rulesBefore = router.items("/ip/firewall/filter").length;
    const server = startCli(["gateway", "--port", "0"], {
      cwd,
      env: {
        HOME: cwd,
        GATEWAY_BIND: "0.0.0.0",
        ROUTER_URL: router.url,
        ROUTER_USER: FAKE_ROUTEROS_USER,
        ROUTER_PASS: FAKE_ROUTEROS_PASSWORD,
        ROUTEROS_FIREWALL: "1",
        ROUTEROS_ALLOW_SUBNETS: "192.168.88.0/24",
        HEARTBEAT_ROUTEROS: "1",
        LOG_LEVEL: "info",
      },
    });
    try {
      const port = (await server.waitFor(/listening on http:\/\/\S+:(\d+)/))[1]!;
      const scheduled = () =>
        router.items("/system/scheduler").map((r) => r["on-event"] ?? "").join("\n");
      const scheduler = await waitFor(() => scheduled().includes("heartbeat") ? scheduled() : "", {
        timeout: 30_000,
        message: "the heartbeat scheduler entry on the router",
      });
      assert.match(scheduler, new RegExp(`http://127\\.0\\.0\\.1:${port}/health/heartbeat`));
      const rules = router.items("/ip/firewall/filter");
      assert.equal(rules.length, rulesBefore + 1);
      assert.ok(
        rules.some((r) => r["dst-port"] === port && r["src-address"] === "192.168.88.0/24"),
        JSON.stringify(rules),
      );
    } finally {
      assert.equal(await server.stop(), 0, server.output());
    }
    assert.equal(
      router.items("/ip/firewall/filter").length,
      rulesBefore,
      "the rule is removed on exit",
    );
  });
});
