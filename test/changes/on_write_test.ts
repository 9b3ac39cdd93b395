import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { changeIdOf, type World, world, writes } from "./_helpers.ts";

const BLOCK = "/ip firewall address-list add list=blocked address=203.0.113.7";

describe("changes: the onWrite hook contract", () => {
  const worlds: World[] = [];
  after(async () => {
    for (const w of worlds) await w.close();
  });
  const start = async (options: Parameters<typeof world>[0] = {}): Promise<World> => {
    const w = await world(options);
    worlds.push(w);
    return w;
  };
  const blocked = (w: World) =>
    w.fake.items("/ip/firewall/address-list").filter((r) => r.address === "203.0.113.7");

  it("an immediate write goes through the executor's apply, so the turn's signal stops it", async () => {
    const w = await start();
    const turn = new AbortController();
    turn.abort(new Error("the user stopped the turn"));
    await assert.rejects(
      w.executor.execute(BLOCK, { requestedBy: "telegram:4242", signal: turn.signal }),
    );
    // The router never saw the write, and the record says it failed.
    assert.deepEqual(writes(w.fake, "/ip/firewall/address-list"), []);
    assert.deepEqual(blocked(w), []);
    const [record] = await w.manager.list();
    assert.equal(record?.state, "failed");
    assert.equal(record?.claim, undefined);
    assert.deepEqual(w.events.map(([event]) => event), ["failed"]);
  });

  it("a live turn's write is applied and recorded", async () => {
    const w = await start();
    const turn = new AbortController();
    const result = await w.executor.execute(BLOCK, {
      requestedBy: "telegram:4242",
      signal: turn.signal,
    });
    const record = await w.manager.get(changeIdOf(result));
    assert.equal(record?.state, "applied");
    assert.equal(blocked(w).length, 1);
  });

  it("a deferred write (approved later) is applied although the asking turn has ended", async () => {
    const w = await start({ approval: "writes" });
    const turn = new AbortController();
    const id = changeIdOf(
      await w.executor.execute(BLOCK, { requestedBy: "telegram:4242", signal: turn.signal }),
    );
    turn.abort(new Error("the turn is over"));
    assert.deepEqual(blocked(w), []);
    const record = await w.manager.approve(id, "gateway:operator");
    assert.equal(record.state, "applied");
    assert.equal(blocked(w).length, 1);
  });
});
