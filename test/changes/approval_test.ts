import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  approvalPrompt,
  changeButtonHandler,
  ChangeError,
  type ChangeRecord,
  createChangeRoutes,
} from "../../lib/changes/mod.ts";
import { PolicyError } from "../../lib/errors.ts";
import { changeIdOf, type World, world, writes } from "./_helpers.ts";

const BLOCK = "/ip firewall address-list add list=blocked address=203.0.113.7";

describe("changes: approval", () => {
  const worlds: World[] = [];
  after(async () => {
    for (const w of worlds) await w.close();
  });
  const start = async (options: Parameters<typeof world>[0] = {}): Promise<World> => {
    const w = await world({ approval: "writes", ...options });
    worlds.push(w);
    return w;
  };

  it("stores a pending change, writes nothing, tells the model it waits", async () => {
    const w = await start();
    const result = await w.executor.execute(BLOCK, { requestedBy: "telegram:4242" }) as Record<
      string,
      unknown
    >;
    const id = changeIdOf(result);
    assert.equal(result.status, "pending_approval");
    assert.match(String(result.message), /NOT applied/);
    assert.match(String(result.message), /"yes" typed to you does nothing/);
    assert.deepEqual(writes(w.fake), []);
    const record = await w.manager.get(id);
    assert.equal(record?.state, "pending");
    assert.deepEqual(record?.approvers, ["telegram:4242"]);
    assert.equal(record?.command, BLOCK);
    assert.deepEqual(record?.calls, [{
      method: "PUT",
      path: "/ip/firewall/address-list",
      body: { list: "blocked", address: "203.0.113.7" },
    }]);
    assert.match(record!.diff!, /\+ address=203\.0\.113\.7/);
    assert.equal(w.events[0]![0], "pending");
    const prompt = approvalPrompt(record!);
    assert.deepEqual(prompt.buttons.map((b) => b.data), [`approve:${id}`, `deny:${id}`]);
    assert.ok(
      new TextEncoder().encode(prompt.buttons[0]!.data).length <= 64,
      "fits Telegram callback_data",
    );
    assert.match(prompt.text, /203\.0\.113\.7/);
  });

  it("applies once on Approve; a second press changes nothing", async () => {
    const w = await start();
    const id = changeIdOf(await w.executor.execute(BLOCK, { requestedBy: "telegram:4242" }));
    const onButton = changeButtonHandler(w.manager);
    const first = await onButton({ channel: "telegram", senderId: "4242", data: `approve:${id}` });
    assert.match(first.text, /applied/);
    assert.equal(
      w.fake.items("/ip/firewall/address-list").filter((r) => r.address === "203.0.113.7").length,
      1,
    );
    const record = (await w.manager.get(id))!;
    assert.equal(record.state, "applied");
    assert.equal(record.approved_by, "telegram:4242");
    assert.match(record.diff!, /\+ list=blocked/);
    assert.equal(record.items![0]!.id, w.fake.items("/ip/firewall/address-list").at(-1)![".id"]);
    const second = await onButton({ channel: "telegram", senderId: "4242", data: `approve:${id}` });
    assert.match(second.text, /not pending/);
    assert.equal(writes(w.fake, "address-list").length, 1);
  });

  it("refuses a press from someone who is not a listed approver", async () => {
    const w = await start({ approvers: ["telegram:1"] });
    const id = changeIdOf(await w.executor.execute(BLOCK, { requestedBy: "telegram:4242" }));
    const reply = await w.manager.handleButton(`approve:${id}`, "telegram:4242");
    assert.match(reply.text, /not a listed approver/);
    await assert.rejects(
      w.manager.approve(id, "slack:U1"),
      (e) => e instanceof ChangeError && e.status === 403,
    );
    await assert.rejects(
      w.manager.approve(id, "model"),
      (e) => e instanceof ChangeError && e.status === 403,
    );
    assert.deepEqual(writes(w.fake), []);
    assert.match((await w.manager.handleButton(`approve:${id}`, "telegram:1")).text, /applied/);
  });

  it("deny writes nothing and closes the change", async () => {
    const w = await start();
    const id = changeIdOf(await w.executor.execute(BLOCK, { requestedBy: "telegram:4242" }));
    const reply = await w.manager.handleButton(`deny:${id}`, "telegram:4242");
    assert.match(reply.text, /denied/);
    assert.equal((await w.manager.get(id))?.state, "denied");
    await assert.rejects(
      w.manager.approve(id, "telegram:4242"),
      (e) => e instanceof ChangeError && e.status === 409,
    );
    assert.deepEqual(writes(w.fake), []);
  });

  it("expires after the TTL and writes nothing", async () => {
    const w = await start({ approvalTtlMs: 60_000 });
    const id = changeIdOf(await w.executor.execute(BLOCK, { requestedBy: "telegram:4242" }));
    const other = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.8",
        { requestedBy: "telegram:4242" },
      ),
    );
    w.clock.t += 61_000;
    await w.manager.sweep();
    assert.equal((await w.manager.get(id))?.state, "expired");
    assert.ok(w.events.some(([e, r]) => e === "expired" && r.change_id === id));
    // Not swept yet, but past its TTL: approving it expires it instead.
    await w.store.update<ChangeRecord>(
      `changes:${other}`,
      (r) => (r ? { ...r, state: "pending" } : undefined),
    );
    await assert.rejects(
      w.manager.approve(other, "telegram:4242"),
      (e) => e instanceof ChangeError && e.status === 409,
    );
    assert.deepEqual(writes(w.fake), []);
  });

  it("records a change the policy refused", async () => {
    const w = await start();
    await assert.rejects(
      w.executor.execute("/system scheduler add name=x on-event=y", {
        requestedBy: "telegram:4242",
      }),
      PolicyError,
    );
    const [record] = await w.manager.list();
    assert.equal(record?.state, "refused");
    assert.match(record!.error!, /ROUTEROS_ALLOW_EXECUTE/);
  });

  it("gateway: the requesting token gets 403, a second token applies", async () => {
    const w = await start();
    const app = new Hono<{ Variables: { tokenId: string | undefined } }>();
    app.use("*", async (c, next) => {
      c.set("tokenId", c.req.header("x-test-token") ?? undefined);
      await next();
    });
    app.route("/changes", createChangeRoutes(w.manager));
    const call = (method: string, path: string, token: string, body?: unknown) =>
      app.request(path, {
        method,
        headers: { "x-test-token": token, ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const id = changeIdOf(await w.executor.execute(BLOCK, { requestedBy: "gateway:tokA" }));
    const self = await call("POST", `/changes/${id}/approve`, "tokA");
    assert.equal(self.status, 403);
    assert.equal((await self.json()).error.code, "E_FORBIDDEN");
    assert.deepEqual(writes(w.fake), []);
    const ok = await call("POST", `/changes/${id}/approve`, "tokB");
    assert.equal(ok.status, 200);
    const body = await ok.json();
    assert.equal(body.state, "applied");
    assert.equal(body.approved_by, "gateway:tokB");
    assert.equal(body.rev, undefined);
    assert.equal((await call("POST", `/changes/${id}/approve`, "tokB")).status, 409);
    assert.equal((await call("POST", `/changes/${id}/deny`, "tokB")).status, 409);
    assert.equal((await call("GET", "/changes/zzzzzzzzzz", "tokB")).status, 404);
    assert.equal((await call("GET", "/changes/..%2Fetc", "tokB")).status, 404);
    const rows = await (await call("GET", "/changes", "tokB")).json();
    assert.deepEqual(Object.keys(rows[0]).sort(), [
      "change_id",
      "command",
      "created_at",
      "requested_by",
      "state",
    ]);
    assert.equal((await call("POST", `/changes/${id}/confirm`, "tokB")).status, 409);
    assert.equal(
      (await call("POST", `/changes/${id}/revert`, "tokB", { force: "yes" })).status,
      400,
    );
    assert.equal(writes(w.fake, "address-list").length, 1);
  });

  it("lists newest first", async () => {
    const w = await start();
    const a = changeIdOf(await w.executor.execute(BLOCK, { requestedBy: "telegram:4242" }));
    w.clock.t += 1000;
    const b = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.9",
        { requestedBy: "telegram:4242" },
      ),
    );
    assert.deepEqual((await w.manager.list()).map((r) => r.change_id), [b, a]);
    assert.equal((await w.manager.lastChangeOf("telegram:4242"))?.change_id, b);
  });

  it("two managers on one store racing the same approval apply it once", async () => {
    const w = await start();
    const second = w.another(w.store);
    for (let round = 0; round < 5; round++) {
      const id = changeIdOf(
        await w.executor.execute(
          `/ip firewall address-list add list=race address=198.51.100.${round + 1}`,
          { requestedBy: "gateway:asker" },
        ),
      );
      const results = await Promise.allSettled([
        w.manager.approve(id, "gateway:one"),
        second.manager.approve(id, "gateway:two"),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1, `round ${round}`);
      const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      assert.equal((rejected.reason as ChangeError).status, 409);
    }
    assert.equal(writes(w.fake, "address-list").length, 5);
    assert.equal(
      w.fake.items("/ip/firewall/address-list").filter((r) => r.list === "race").length,
      5,
    );
  });

  it("approval off applies right away and records before and after", async () => {
    const w = await start({ approval: "off" });
    const rule = w.fake.items("/ip/firewall/filter")[2]!;
    const result = await w.executor.execute(
      `/ip firewall filter set ${rule[".id"]} comment="ICMP ok"`,
      {
        requestedBy: "telegram:4242",
      },
    ) as Record<string, unknown>;
    assert.equal(result.ok, true);
    const record = (await w.manager.get(changeIdOf(result)))!;
    assert.equal(record.state, "applied");
    assert.equal(record.items![0]!.before!.comment, "defconf: accept ICMP");
    assert.equal(record.items![0]!.after!.comment, "ICMP ok");
    assert.equal(
      record.diff,
      `set /ip/firewall/filter ${
        rule[".id"]
      } (ICMP ok)\n- comment="defconf: accept ICMP"\n+ comment="ICMP ok"`,
    );
  });
});
