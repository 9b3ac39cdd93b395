/**
 * A flood of distinct client ids cannot grow the gateway's rate-limit table past its cap
 * (issue #17 item 11), proven by behaviour through a real socket: client ids come from
 * `X-Forwarded-For` behind a trusted proxy (the loopback peer), and the table's bound shows as
 * the eviction of the least recently seen client exactly when the cap is passed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Listening } from "../../cli/_serve.ts";
import { type Served, serveGateway } from "./_served.ts";

const CAP = 50;

describe("rate-limit table under a flood of client ids", () => {
  let served: Served;
  let server: Listening;

  before(async () => {
    served = await serveGateway({
      trustedProxies: ["127.0.0.1/32", "::1/128"],
      // one request per client, then nothing for an hour: only an evicted client gets through
      rateLimit: { rps: 1 / 3600, burst: 1, maxClients: CAP },
    });
    server = served.server;
  });

  after(() => served.close());

  const hit = async (client: string): Promise<number> => {
    const res = await fetch(`${server.url}/health/heartbeat`, {
      headers: { "x-forwarded-for": client },
    });
    await res.body?.cancel();
    return res.status;
  };
  const flood = async (prefix: string, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) assert.equal(await hit(`${prefix}.${i >> 8}.${i & 255}`), 200);
  };

  it("keeps a client's bucket while fewer than the cap of others arrive", async () => {
    assert.equal(await hit("192.0.2.1"), 200);
    assert.equal(await hit("192.0.2.1"), 429);
    await flood("10.1", CAP - 1);
    assert.equal(await hit("192.0.2.1"), 429);
  });

  it("forgets the least recently seen client once the cap is passed, so the table stays bounded", async () => {
    assert.equal(await hit("192.0.2.2"), 200);
    assert.equal(await hit("192.0.2.2"), 429);
    await flood("10.2", CAP);
    // its bucket was evicted: a fresh one (full) proves the table held no more than CAP ids
    assert.equal(await hit("192.0.2.2"), 200);
  });
});
