import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { approvalPrompt, ChangeError } from "../../lib/changes/mod.ts";
import { createStateStoreFromUrl } from "../../lib/storage/mod.ts";
import { createFakeScheduler } from "../_fakes/routeros_scheduler.ts";
import { changeIdOf, type World, world } from "./_helpers.ts";
import { waitFor } from "../_utils/wait.ts";

const ASKER = "telegram:4242";

describe("changes: auto-revert", () => {
  const worlds: World[] = [];
  const dirs: string[] = [];
  after(async () => {
    for (const w of worlds) await w.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const start = async (options: Parameters<typeof world>[0] = {}): Promise<World> => {
    const w = await world({ confirmSeconds: 2, ...options });
    worlds.push(w);
    return w;
  };

  it("arms a one-shot scheduler entry on the router before applying", async () => {
    const w = await start({ allowExecute: true });
    assert.equal(w.manager.autoRevert, "router");
    const id = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.7",
        { requestedBy: ASKER },
      ),
    );
    const put = w.fake.requests.findIndex((r) =>
      r.method === "PUT" && r.path === "/system/scheduler"
    );
    const write = w.fake.requests.findIndex((r) =>
      r.method === "PUT" && r.path === "/ip/firewall/address-list"
    );
    assert.ok(put >= 0 && put < write, "armed before the write");
    const [entry] = w.fake.items("/system/scheduler");
    assert.equal(entry!.name, `mikroclaw-revert-${id}`);
    assert.equal(entry!["start-date"], "2026-09-28");
    assert.equal(entry!["start-time"], "10:00:02");
    assert.equal(entry!.interval, "0s");
    const added = (await w.manager.get(id))!.items![0]!.id!;
    assert.match(entry!["on-event"]!, new RegExp(`remove numbers=\\${added}`));
    assert.match(entry!["on-event"]!, /\/system\/scheduler\/remove \[find name="mikroclaw-revert-/);
  });

  it("an unconfirmed change is reverted by the router when its time comes", async () => {
    const w = await start({ allowExecute: true });
    const scheduler = createFakeScheduler(w.fake);
    const id = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.7",
        { requestedBy: ASKER },
      ),
    );
    assert.deepEqual(await scheduler.advance(1), [], "not yet due");
    assert.ok(w.fake.items("/ip/firewall/address-list").some((r) => r.address === "203.0.113.7"));
    assert.equal((await scheduler.advance(1)).length, 1);
    assert.deepEqual(scheduler.errors, []);
    assert.ok(!w.fake.items("/ip/firewall/address-list").some((r) => r.address === "203.0.113.7"));
    assert.deepEqual(w.fake.items("/system/scheduler"), [], "the entry removed itself");
    w.clock.t += 10_000;
    await w.manager.sweep();
    const record = (await w.manager.get(id))!;
    assert.equal(record.state, "reverted");
    assert.equal(record.decided_by, "router scheduler");
    await assert.rejects(
      w.manager.confirm(id, ASKER),
      (e) => e instanceof ChangeError && e.status === 409,
    );
  });

  it("a confirmed change stays", async () => {
    const w = await start({ allowExecute: true });
    const scheduler = createFakeScheduler(w.fake);
    const id = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.7",
        { requestedBy: ASKER },
      ),
    );
    const reply = await w.manager.handleChatCommand("/confirm", ASKER);
    assert.match(reply!.text, /confirmed/);
    assert.equal((await w.manager.get(id))!.state, "confirmed");
    assert.deepEqual(w.fake.items("/system/scheduler"), []);
    await scheduler.advance(60);
    assert.ok(w.fake.items("/ip/firewall/address-list").some((r) => r.address === "203.0.113.7"));
    await assert.rejects(
      w.manager.confirm(id, ASKER),
      (e) => e instanceof ChangeError && e.status === 409,
    );
  });

  it("the router's script restores set, remove and hostile values exactly", async () => {
    const w = await start({ allowExecute: true });
    const scheduler = createFakeScheduler(w.fake);
    const hostile = 'x" ; /system reboot ; $evil [/file remove 0] \\ ?\n\tend';
    const rules = w.fake.items("/ip/firewall/filter");
    rules[2]!.comment = hostile;
    // Ids and counters differ on a re-added rule; everything else must come back.
    const view = (rows: Record<string, string>[]) =>
      rows.map((r) =>
        Object.entries(r).filter(([k]) => ![".id", "bytes", "packets"].includes(k)).sort()
      );
    const snapshot = view(rules);
    const id = rules[2]![".id"];
    await w.executor.execute(`/ip firewall filter set ${id} comment="plain" log=yes`, {
      requestedBy: ASKER,
    });
    assert.equal(rules[2]!.comment, "plain");
    assert.equal((await scheduler.advance(3)).length, 1);
    assert.equal(rules[2]!.comment, hostile);
    await w.executor.execute(`/ip firewall filter remove ${id}`, { requestedBy: ASKER });
    assert.equal((await scheduler.advance(3)).length, 1);
    assert.deepEqual(scheduler.errors, []);
    assert.equal(w.fake.state.rebooted, false);
    assert.deepEqual(view(w.fake.items("/ip/firewall/filter")), snapshot);
  });

  it("without scheduler rights MikroClaw keeps the timer, and says so", async () => {
    const w = await start({ approval: "writes" });
    assert.equal(w.manager.autoRevert, "local");
    const id = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.7",
        { requestedBy: ASKER },
      ),
    );
    assert.match(
      approvalPrompt((await w.manager.get(id))!).text,
      /MikroClaw keeps this timer itself/,
    );
    await w.manager.approve(id, ASKER);
    assert.deepEqual(w.fake.items("/system/scheduler"), []);
    w.clock.t += 1_000;
    await w.manager.sweep();
    assert.equal((await w.manager.get(id))!.state, "applied");
    w.clock.t += 1_500;
    await w.manager.sweep();
    assert.equal((await w.manager.get(id))!.state, "reverted");
    assert.ok(!w.fake.items("/ip/firewall/address-list").some((r) => r.address === "203.0.113.7"));
  });

  it("MikroClaw's own timer survives a restart (fs storage)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mikroclaw-changes-"));
    dirs.push(dir);
    const store1 = await createStateStoreFromUrl(`fs:${dir}`);
    const w = await start({ store: store1 });
    const id = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.7",
        { requestedBy: ASKER },
      ),
    );
    const kept = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.8",
        { requestedBy: ASKER },
      ),
    );
    await w.manager.confirm(kept, ASKER);
    await w.manager.stop();
    await store1.dispose();
    // "Restart": a new store over the same directory, a new manager; the deadline passes meanwhile.
    w.clock.t += 60_000;
    const store2 = await createStateStoreFromUrl(`fs:${dir}`);
    const restarted = w.another(store2, { sweepIntervalMs: 10 });
    try {
      restarted.manager.start();
      await waitFor(async () => (await restarted.manager.get(id))?.state === "reverted", {
        message: "the overdue change reverted by the restarted sweep",
      });
      assert.equal((await restarted.manager.get(id))!.state, "reverted");
      assert.equal((await restarted.manager.get(kept))!.state, "confirmed");
      const list = w.fake.items("/ip/firewall/address-list").map((r) => r.address);
      assert.ok(!list.includes("203.0.113.7"));
      assert.ok(list.includes("203.0.113.8"));
    } finally {
      await restarted.manager.stop();
      await store2.dispose();
    }
  });
});
