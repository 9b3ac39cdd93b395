import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { ChangeError, createChangeRoutes } from "../../lib/changes/mod.ts";
import { changeIdOf, type World, world } from "./_helpers.ts";

const ASKER = "telegram:4242";

describe("changes: undo", () => {
  const worlds: World[] = [];
  after(async () => {
    for (const w of worlds) await w.close();
  });
  const start = async (): Promise<World> => {
    const w = await world();
    worlds.push(w);
    return w;
  };
  const order = (w: World): string[] =>
    w.fake.items("/ip/firewall/filter").map((r) => r.comment ?? "");
  const strip = (r: Record<string, string>): Record<string, string> => {
    const { ".id": _id, bytes: _b, packets: _p, ...rest } = r;
    return rest;
  };

  it("add -> undo removes exactly the added item", async () => {
    const w = await start();
    const id = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.7",
        { requestedBy: ASKER },
      ),
    );
    const added = (await w.manager.get(id))!.items![0]!.id!;
    assert.ok(w.fake.items("/ip/firewall/address-list").some((r) => r[".id"] === added));
    const reverted = await w.manager.revert(id, { by: ASKER });
    assert.equal(reverted.state, "reverted");
    assert.ok(!w.fake.items("/ip/firewall/address-list").some((r) => r[".id"] === added));
    assert.equal(w.fake.items("/ip/firewall/address-list").length, 1, "the seed entry stays");
    await assert.rejects(
      w.manager.revert(id, { by: ASKER }),
      (e) => e instanceof ChangeError && e.status === 409,
    );
  });

  it("set -> undo restores every previous value and unsets keys that were absent", async () => {
    const w = await start();
    const rule = w.fake.items("/ip/firewall/filter")[2]!;
    const before = strip({ ...rule });
    const id = changeIdOf(
      await w.executor.execute(
        `/ip firewall filter set ${
          rule[".id"]
        } comment="changed" log=yes src-address=10.0.0.0/8 disabled=yes`,
        { requestedBy: ASKER },
      ),
    );
    assert.equal(rule["src-address"], "10.0.0.0/8");
    assert.equal(rule.disabled, "true");
    const record = (await w.manager.get(id))!;
    assert.match(record.diff!, /\+ src-address=10\.0\.0\.0\/8/);
    assert.match(record.diff!, /- log=false\n\+ log=true/);
    await w.manager.revert(id, { by: ASKER });
    assert.deepEqual(strip(w.fake.items("/ip/firewall/filter")[2]!), before);
    assert.equal("src-address" in w.fake.items("/ip/firewall/filter")[2]!, false);
  });

  it("remove of a middle firewall rule -> undo puts it back in the same place", async () => {
    const w = await start();
    const original = order(w);
    const middle = w.fake.items("/ip/firewall/filter")[2]!;
    const props = strip({ ...middle });
    changeIdOf(
      await w.executor.execute(`/ip firewall filter remove ${middle[".id"]}`, {
        requestedBy: ASKER,
      }),
    );
    assert.equal(order(w).length, original.length - 1);
    const reply = await w.manager.handleChatCommand("/undo", ASKER);
    assert.match(reply!.text, /reverted/);
    assert.deepEqual(order(w), original);
    const back = w.fake.items("/ip/firewall/filter")[2]!;
    assert.deepEqual({ ...strip(back), bytes: undefined }, { ...props, bytes: undefined });
  });

  it("remove of two adjacent rules -> undo restores both, in order", async () => {
    const w = await start();
    const original = order(w);
    const [a, b] = w.fake.items("/ip/firewall/filter").slice(1, 3);
    await w.executor.execute(`/ip firewall filter remove ${a![".id"]},${b![".id"]}`, {
      requestedBy: ASKER,
    });
    assert.equal(order(w).length, original.length - 2);
    const last = await w.manager.lastChangeOf(ASKER, ["applied"]);
    await w.manager.revert(last!.change_id, { by: ASKER });
    assert.deepEqual(order(w), original);
  });

  it("move -> undo moves it back", async () => {
    const w = await start();
    const original = order(w);
    const [first, , , fourth] = w.fake.items("/ip/firewall/filter");
    const id = changeIdOf(
      await w.executor.execute(
        `/ip firewall filter move ${fourth![".id"]} destination=${first![".id"]}`,
        { requestedBy: ASKER },
      ),
    );
    assert.notDeepEqual(order(w), original);
    await w.manager.revert(id, { by: ASKER });
    assert.deepEqual(order(w), original);
  });

  it("enable/disable -> undo flips it back", async () => {
    const w = await start();
    const rule = w.fake.items("/ip/firewall/filter")[4]!;
    const id = changeIdOf(
      await w.executor.execute(`/ip firewall filter disable ${rule[".id"]}`, {
        requestedBy: ASKER,
      }),
    );
    assert.equal(rule.disabled, "true");
    await w.manager.revert(id, { by: ASKER });
    assert.equal(rule.disabled, "false");
  });

  it("undo after an outside change -> 409 unless forced", async () => {
    const w = await start();
    const rule = w.fake.items("/ip/firewall/filter")[2]!;
    const id = changeIdOf(
      await w.executor.execute(
        `/ip firewall filter set ${rule[".id"]} comment="ours"`,
        { requestedBy: ASKER },
      ),
    );
    rule.comment = "someone else";
    const app = new Hono();
    app.route("/changes", createChangeRoutes(w.manager, { requester: () => "gateway:owner" }));
    const refused = await app.request(`/changes/${id}/revert`, { method: "POST" });
    assert.equal(refused.status, 409);
    assert.match((await refused.json()).error.message, /changed since \(comment\)/);
    assert.equal(rule.comment, "someone else");
    const forced = await app.request(`/changes/${id}/revert`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ force: true }),
    });
    assert.equal(forced.status, 200);
    assert.equal((await forced.json()).state, "reverted");
    assert.equal(rule.comment, "defconf: accept ICMP");
  });

  it("undo of an added item someone already removed -> 409", async () => {
    const w = await start();
    const id = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.70",
        { requestedBy: ASKER },
      ),
    );
    const rows = w.fake.items("/ip/firewall/address-list");
    rows.splice(rows.findIndex((r) => r.address === "203.0.113.70"), 1);
    await assert.rejects(
      w.manager.revert(id, { by: ASKER }),
      (e) => e instanceof ChangeError && /gone/.test(e.message),
    );
    assert.equal((await w.manager.revert(id, { by: ASKER, force: true })).state, "reverted");
  });

  it("refuses undo by a stranger, and of a command with no inverse", async () => {
    const w = await start();
    const id = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.71",
        { requestedBy: ASKER },
      ),
    );
    await assert.rejects(
      w.manager.revert(id, { by: "telegram:666" }),
      (e) => e instanceof ChangeError && e.status === 403,
    );
    const reply = await w.manager.handleChatCommand(`/undo ${id}`, "telegram:666");
    assert.match(reply!.text, /neither requested/);
    assert.equal(await w.manager.handleChatCommand("hello", ASKER), undefined);
    assert.match(
      (await w.manager.handleChatCommand("/undo", "telegram:1"))!.text,
      /Nothing to undo/,
    );
    const reset = changeIdOf(await w.executor.execute('/log info "hello"', { requestedBy: ASKER }));
    await assert.rejects(
      w.manager.revert(reset, { by: ASKER }),
      (e) => e instanceof ChangeError && e.status === 409 && /no inverse/.test(e.message),
    );
  });
});
