import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createWatch, formatDuration, inQuietHours } from "../../lib/jobs/watch.ts";
import { createRouterPoller, type PollThresholds } from "../../lib/jobs/poll.ts";
import { createRouterOS } from "../../lib/routeros/mod.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";
import { memoryStore } from "../gateway/_helpers.ts";

const RIGA = "Europe/Riga";
const MIN = 60_000;

/** A watch on a memory store with a clock the test moves; `sent` are the outgoing messages. */
function watchWith(options: { start: string; quiet?: string[]; mode?: "hold" | "drop" }) {
  const clock = { t: Date.parse(options.start) };
  const sent: { to: string; text: string }[] = [];
  const watch = createWatch({
    store: memoryStore(),
    send: (to, text) => {
      sent.push({ to, text });
      return Promise.resolve();
    },
    recipients: ["telegram:1", "slack:U2"],
    zone: () => Promise.resolve(RIGA),
    now: () => clock.t,
    dedupeMs: 30 * MIN,
    ...(options.quiet ? { quietHours: options.quiet } : {}),
    ...(options.mode ? { quietMode: options.mode } : {}),
  });
  return { clock, sent, watch };
}

describe("watch: dedupe, reminder, resolved", () => {
  it("alerts every recipient once, reminds after the window, resolves with the duration", async () => {
    const w = watchWith({ start: "2026-07-01T00:12:00Z" }); // 03:12 in Riga (UTC+3)
    const down = { source: "netwatch", subject: "wan", status: "down" as const };
    assert.equal(await w.watch.event({ ...down, detail: "ether1 link lost" }), "alerted");
    assert.deepEqual(w.sent.map((m) => m.to), ["telegram:1", "slack:U2"]);
    assert.equal(
      w.sent[0]!.text,
      "wan is down since 03:12 Europe/Riga [netwatch] (ether1 link lost)",
    );
    w.clock.t += 10 * MIN;
    assert.equal(await w.watch.event(down), "ignored", "a repeat inside the window");
    w.clock.t += 25 * MIN;
    assert.equal(await w.watch.event(down), "repeat", "once the window passed: a reminder");
    assert.match(w.sent.at(-1)!.text, /^wan is still down since 03:12/);
    w.clock.t += 12 * MIN;
    assert.equal(await w.watch.event({ ...down, status: "up" }), "resolved");
    assert.equal(w.sent.at(-1)!.text, "wan is up again after 47 min [netwatch]");
    assert.equal(await w.watch.event({ ...down, status: "up" }), "ignored", "up while up");
    assert.equal(w.sent.length, 6);
  });
});

describe("watch: quiet hours", () => {
  it("holds alerts inside quiet hours and sends one summary after them", async () => {
    const w = watchWith({ start: "2026-07-01T20:00:00Z", quiet: ["22:00-07:00"] }); // 23:00 Riga
    assert.equal(
      await w.watch.event({ source: "netwatch", subject: "nas", status: "down" }),
      "held",
    );
    w.clock.t += 30 * MIN;
    assert.equal(await w.watch.event({ source: "netwatch", subject: "nas", status: "up" }), "held");
    await w.watch.flush();
    assert.equal(w.sent.length, 0, "nothing is sent while quiet");
    w.clock.t = Date.parse("2026-07-02T04:05:00Z"); // 07:05 Riga
    await w.watch.flush();
    await w.watch.flush();
    assert.equal(w.sent.length, 2, "one summary per recipient, once");
    assert.match(
      w.sent[0]!.text,
      /^While quiet hours were on \(2 alerts\):\n23:00 Europe\/Riga: nas is down/,
    );
    assert.match(w.sent[0]!.text, /23:30 Europe\/Riga: nas is up again after 30 min/);
  });

  it("drops alerts inside quiet hours with ALERT_QUIET_MODE=drop", async () => {
    const w = watchWith({ start: "2026-07-01T20:00:00Z", quiet: ["22:00-07:00"], mode: "drop" });
    assert.equal(await w.watch.event({ source: "x", subject: "y", status: "down" }), "dropped");
    w.clock.t = Date.parse("2026-07-02T05:00:00Z");
    await w.watch.flush();
    assert.equal(w.sent.length, 0);
  });

  it("reads ranges across midnight and formats durations", () => {
    assert.equal(inQuietHours(23 * 60, ["22:00-07:00"]), true);
    assert.equal(inQuietHours(6 * 60 + 59, ["22:00-07:00"]), true);
    assert.equal(inQuietHours(7 * 60, ["22:00-07:00"]), false);
    assert.equal(inQuietHours(13 * 60, ["12:00-14:00"]), true);
    assert.equal(formatDuration(40_000), "40 s");
    assert.equal(formatDuration(125 * MIN), "2 h 5 min");
  });
});

/** A poller of `w` on the fake router (WATCH_SUSTAIN 5 min), with `thresholds`. */
function pollerOn(
  router: FakeRouterOS,
  w: ReturnType<typeof watchWith>,
  thresholds: PollThresholds,
) {
  return createRouterPoller({
    router: createRouterOS({
      url: router.url,
      user: FAKE_ROUTEROS_USER,
      password: FAKE_ROUTEROS_PASSWORD,
    }),
    watch: w.watch,
    now: () => w.clock.t,
    sustainMs: 5 * MIN,
    ...thresholds,
  });
}

describe("polled watches against the fake router", () => {
  let router: FakeRouterOS;
  before(async () => {
    router = await startFakeRouterOS();
  });
  after(() => router?.close());

  it("CPU over the threshold for WATCH_SUSTAIN, login failures, a new DHCP lease", async () => {
    const w = watchWith({ start: "2026-07-01T09:00:00Z" });
    const poller = pollerOn(router, w, { cpuPercent: 90, loginFailures: 3 });
    const resource = router.state.singletons.get("/system/resource")!;
    const log = router.items("/log");
    const fail = (n: number) =>
      log.push({
        ".id": `*F${n}`,
        time: "09:00:00",
        topics: "system,error,critical",
        message: `login failure for user admin from 198.51.100.${n} via ssh`,
      });
    fail(1); // before the first poll: the baseline, not news
    await poller.poll();
    assert.equal(w.sent.length, 0, "the first poll only learns the current state");

    resource["cpu-load"] = "97";
    await poller.poll();
    w.clock.t += 4 * MIN;
    await poller.poll();
    assert.equal(w.sent.length, 0, "not yet sustained");
    w.clock.t += 2 * MIN;
    await poller.poll();
    assert.equal(w.sent.length, 2);
    assert.match(
      w.sent[0]!.text,
      /^cpu is over its threshold since .*\(cpu at 97% \(over 90% for 6 min\)\)/,
    );
    resource["cpu-load"] = "12";
    await poller.poll();
    assert.match(w.sent.at(-1)!.text, /^cpu is back to normal after/);

    const before = w.sent.length;
    fail(2);
    fail(3);
    await poller.poll();
    assert.equal(w.sent.length, before, "two new failures are under the threshold");
    fail(4);
    await poller.poll();
    assert.equal(w.sent.length, before + 2);
    assert.match(w.sent.at(-1)!.text, /^3 router login failures: .*198\.51\.100\.4/);

    router.items("/ip/dhcp-server/lease").push({
      ".id": "*L9",
      address: "192.168.88.77",
      "mac-address": "AA:BB:CC:00:00:77",
      "host-name": "new-phone",
      status: "bound",
    });
    await poller.poll();
    await poller.poll();
    const devices = w.sent.filter((m) => m.to === "telegram:1" && /New device/.test(m.text));
    assert.deepEqual(devices.map((m) => m.text), [
      "New device on the network: new-phone AA:BB:CC:00:00:77 at 192.168.88.77 [dhcp]",
    ]);
  });
});

describe("polled disk and firewall watches against the fake router", () => {
  let router: FakeRouterOS;
  before(async () => {
    router = await startFakeRouterOS();
  });
  after(() => router?.close());

  const toOne = (w: ReturnType<typeof watchWith>) =>
    w.sent.filter((m) => m.to === "telegram:1").map((m) => m.text);

  it("disk use over WATCH_DISK_PERCENT for WATCH_SUSTAIN alerts once, then back to normal", async () => {
    const w = watchWith({ start: "2026-07-01T09:00:00Z" }); // 12:00 Riga
    const poller = pollerOn(router, w, { diskPercent: 90, firewallPackets: 0 });
    const resource = router.state.singletons.get("/system/resource")!;
    resource["total-hdd-space"] = "134217728";
    resource["free-hdd-space"] = "83439616"; // 38 % used
    await poller.poll();
    resource["free-hdd-space"] = "6710886"; // 95 % used
    await poller.poll();
    w.clock.t += 3 * MIN;
    await poller.poll();
    assert.deepEqual(toOne(w), [], "not yet sustained");
    w.clock.t += 3 * MIN;
    await poller.poll();
    w.clock.t += 3 * MIN;
    await poller.poll();
    assert.deepEqual(toOne(w), [
      "disk is over its threshold since 12:00 Europe/Riga [resource] (disk at 95% (over 90% for 6 min))",
    ], "one alert, not one per poll");
    resource["free-hdd-space"] = "40265318"; // 70 % used
    await poller.poll();
    assert.deepEqual(toOne(w).slice(1), [
      "disk is back to normal after 9 min [resource] (disk at 70%)",
    ]);
  });

  it("a watched rule's packet counter jumping alerts once, names the rule, and resolves quietly", async () => {
    const w = watchWith({ start: "2026-07-01T09:00:00Z" });
    const poller = pollerOn(router, w, { firewallPackets: 1000 });
    const rules = router.items("/ip/firewall/filter");
    const add = (r: Record<string, string>) => {
      const row = { bytes: "0", packets: "0", disabled: "false", dynamic: "false", ...r };
      rules.push(row);
      return row;
    };
    const drop = add({ ".id": "*D1", chain: "input", action: "drop", "src-address": "0.0.0.0/0" });
    const accept = add({ ".id": "*A1", chain: "forward", action: "accept" });
    const named = rules.find((r) => r.comment === "defconf: drop invalid")!;
    await poller.poll();
    assert.deepEqual(toOne(w), [], "the first poll only learns the counters");

    drop.packets = "600"; // +600: under the threshold
    accept.packets = "900000"; // an uncommented accept rule is not watched
    await poller.poll();
    assert.deepEqual(toOne(w), []);

    w.clock.t += MIN;
    drop.packets = "5600"; // +5000
    named.packets = String(Number(named.packets) + 1001);
    await poller.poll();
    assert.deepEqual(toOne(w), [
      `rule "defconf: drop invalid" (${
        named[".id"]
      }) is jumping since 12:01 Europe/Riga [firewall] (+1001 packets in one poll, ${named.packets} in all)`,
      "rule input/drop (*D1) is jumping since 12:01 Europe/Riga [firewall] (+5000 packets in one poll, 5600 in all)",
    ]);

    w.clock.t += MIN;
    drop.packets = "12000"; // still jumping: deduplicated
    named.packets = String(Number(named.packets) + 5);
    await poller.poll();
    assert.equal(toOne(w).length, 3, "one resolved message for the rule that calmed down");
    assert.equal(
      toOne(w)[2],
      `rule "defconf: drop invalid" (${
        named[".id"]
      }) is quiet again after 1 min [firewall] (+5 packets in the last poll)`,
    );

    w.clock.t += MIN;
    drop.packets = "12010";
    await poller.poll();
    assert.deepEqual(toOne(w).slice(3), [
      "rule input/drop (*D1) is quiet again after 2 min [firewall] (+10 packets in the last poll)",
    ]);
    assert.ok(
      router.requests.every((r) => r.path !== "/rest/ip/firewall/filter" || r.method === "GET"),
      "read-only",
    );
  });
});
