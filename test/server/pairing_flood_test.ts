/**
 * A flood of failed `POST /pair` attempts from distinct client ids cannot grow the pairing
 * lock-out records past their cap (issue #17 item 11; 20 000 ids once took the gateway to
 * 159 MB RSS), while a recent offender stays locked out. Driven through a real socket behind
 * the CLI's server adapter; client ids come from `X-Forwarded-For` (loopback a trusted proxy).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_LOCKOUTS } from "../../lib/gateway/_pairing.ts";
import type { StateStore } from "../../lib/storage/types.ts";
import { memoryStore } from "../gateway/_helpers.ts";
import { type Served, serveGateway } from "./_served.ts";

const LOCK_PREFIX = "pairing:lockouts:";

describe("pairing lock-outs under a flood of client ids", () => {
  let served: Served;
  let store: StateStore;
  let url = "";

  before(async () => {
    store = memoryStore();
    // The gateway's clock stands still: a flood that takes minutes on a busy machine must not
    // outlast the offender's 60 s lock-out (the wait is not what these tests are about).
    const startedAt = Date.now();
    served = await serveGateway({
      store,
      trustedProxies: ["127.0.0.1/32", "::1/128"],
      now: () => startedAt,
    });
    url = `${served.server.url}/pair`;
  });

  after(() => served.close());

  const guess = async (client: string): Promise<number> => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "x-forwarded-for": client, "x-pairing-code": "000000" },
    });
    await res.body?.cancel();
    return res.status;
  };
  const flood = async (prefix: string, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      assert.equal(await guess(`${prefix}.${i >> 8}.${i & 255}`), 403);
    }
  };
  const records = async () => (await store.keys(LOCK_PREFIX)).length;

  // a thousand requests each: minutes on a busy machine
  const slow = { timeout: 300_000 };

  it(
    "keeps a recent offender locked out while fewer than the cap of others fail",
    slow,
    async () => {
      let status = 0;
      for (let i = 0; i < 5; i++) status = await guess("192.0.2.1");
      assert.equal(status, 403);
      assert.equal(await guess("192.0.2.1"), 429);
      await flood("10.1", MAX_LOCKOUTS - 1);
      assert.equal(await records(), MAX_LOCKOUTS);
      assert.equal(await guess("192.0.2.1"), 429);
    },
  );

  it(
    "drops the least recently failing client's record once the cap is passed, never holding more",
    slow,
    async () => {
      await flood("10.2", MAX_LOCKOUTS);
      assert.equal(await records(), MAX_LOCKOUTS);
      // its record was dropped: a plain 403 (a new count), not the lock-out
      assert.equal(await guess("192.0.2.1"), 403);
      assert.equal(await records(), MAX_LOCKOUTS);
    },
  );
});
