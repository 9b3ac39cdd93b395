import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ChangeError } from "../../lib/changes/mod.ts";
import { createStateStoreFromUrl } from "../../lib/storage/mod.ts";
import type { StateStore } from "../../lib/storage/types.ts";
import { type LocalRedis, redisSkipReason, startRedis } from "../_utils/redis.ts";
import { changeIdOf, type World, world, writes } from "./_helpers.ts";

const skip = redisSkipReason();

describe("changes: two gateways on one Redis", { skip }, () => {
  let redis: LocalRedis;
  let w: World;
  const stores: StateStore[] = [];
  before(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) {
      stores.push(await createStateStoreFromUrl(redis.url, { prefix: "changes-race" }));
    }
    w = await world({ approval: "writes", store: stores[0]! });
  });
  after(async () => {
    await w?.close();
    for (const s of stores) await s.dispose();
    await redis?.stop();
  });

  it("race the same approval and apply it once", async () => {
    const other = w.another(stores[1]!);
    for (let round = 0; round < 5; round++) {
      const id = changeIdOf(
        await w.executor.execute(
          `/ip firewall address-list add list=race address=198.51.100.${round + 1}`,
          { requestedBy: "gateway:asker" },
        ),
      );
      assert.equal((await other.manager.get(id))?.state, "pending", "the second gateway sees it");
      const results = await Promise.allSettled([
        w.manager.approve(id, "gateway:one"),
        other.manager.approve(id, "gateway:two"),
        other.manager.approve(id, "gateway:three"),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1, `round ${round}`);
      for (const r of results) {
        if (r.status === "rejected") assert.equal((r.reason as ChangeError).status, 409);
      }
      assert.equal((await other.manager.get(id))?.state, "applied");
    }
    assert.equal(writes(w.fake, "address-list").length, 5);
  });
});
