import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createGateway } from "../../lib/gateway/mod.ts";
import { ConfigError } from "../../lib/errors.ts";
import { echoAgent, FAST, memoryStore, pairedGateway, req } from "./_helpers.ts";

type Json = Record<string, unknown> & { error?: { code: string; message: string } };

function pairReq(code: string, ip = "10.0.0.1"): Request {
  return req("/pair", { method: "POST", headers: { "x-pairing-code": code }, ip });
}

/** A 6-digit code that differs from `code`. */
function wrong(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, "0");
}

describe("createGateway() pairing", () => {
  it("issues a 6-digit start-up code that pairs exactly once", async () => {
    const gateway = createGateway({ agent: echoAgent(), store: memoryStore(), ...FAST });
    assert.equal(gateway.pairingCode(), undefined);
    await gateway.start();
    try {
      const code = gateway.pairingCode()!;
      assert.match(code, /^\d{6}$/);
      const first = await gateway.fetch(pairReq(code));
      assert.equal(first.status, 200);
      const body = await first.json() as { paired: boolean; token: string };
      assert.equal(body.paired, true);
      assert.match(body.token, /^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
      const second = await gateway.fetch(pairReq(code, "10.0.0.2"));
      assert.equal(second.status, 403);
      assert.equal((await second.json() as Json).error?.code, "E_FORBIDDEN");
    } finally {
      await gateway.stop();
    }
  });

  it("lets only one of many concurrent requests use a code", async () => {
    const gateway = createGateway({ agent: echoAgent(), store: memoryStore(), ...FAST });
    await gateway.start();
    try {
      const code = gateway.pairingCode()!;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => gateway.fetch(pairReq(code, `10.1.0.${i}`))),
      );
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      assert.equal(results.filter((r) => r.status === 403).length, 19);
    } finally {
      await gateway.stop();
    }
  });

  it("stores only SHA-256 hashes of tokens and codes", async () => {
    const { gateway, store, token } = await pairedGateway();
    try {
      const code = await gateway.issuePairingCode();
      const keys = await store.storage.getKeys();
      const dump = JSON.stringify(
        await Promise.all(keys.map(async (k) => [k, await store.storage.getItem(k)])),
      );
      assert.ok(!dump.includes(token), "the token is stored in clear");
      assert.ok(!dump.includes(`"${code}"`), "the pairing code is stored in clear");
      const tokenKeys = await store.keys("tokens:");
      assert.equal(tokenKeys.length, 1);
      assert.match(tokenKeys[0]!, /^tokens:[0-9a-f]{64}$/);
      const rec = await store.get<{ id: string; createdAt: number; expiresAt: number }>(
        tokenKeys[0]!,
      );
      assert.deepEqual(Object.keys(rec!).sort(), ["createdAt", "expiresAt", "id"]);
    } finally {
      await gateway.stop();
    }
  });

  it("answers 400 without X-Pairing-Code and 403 for a wrong one", async () => {
    const gateway = createGateway({ agent: echoAgent(), store: memoryStore(), ...FAST });
    await gateway.start();
    try {
      const missing = await gateway.fetch(req("/pair", { method: "POST" }));
      assert.equal(missing.status, 400);
      assert.match((await missing.json() as Json).error!.message, /X-Pairing-Code/);
      for (const bad of [wrong(gateway.pairingCode()!), "abc", "1234567", "' OR 1=1"]) {
        assert.equal((await gateway.fetch(pairReq(bad, `10.2.0.${bad.length}`))).status, 403);
      }
    } finally {
      await gateway.stop();
    }
  });

  it("locks a client out after 5 failures with a growing Retry-After", async () => {
    let clock = 1_000_000;
    const gateway = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      ...FAST,
      now: () => clock,
    });
    await gateway.start();
    try {
      const code = gateway.pairingCode()!;
      for (let i = 0; i < 5; i++) {
        assert.equal((await gateway.fetch(pairReq(wrong(code), "192.0.2.7"))).status, 403);
      }
      // Locked: even the right code is refused, with Retry-After.
      const locked = await gateway.fetch(pairReq(code, "192.0.2.7"));
      assert.equal(locked.status, 429);
      assert.equal(locked.headers.get("retry-after"), "60");
      // Another client is not affected by this lockout.
      assert.equal((await gateway.fetch(pairReq(wrong(code), "192.0.2.8"))).status, 403);
      clock += 61_000;
      for (let i = 0; i < 5; i++) {
        assert.equal((await gateway.fetch(pairReq(wrong(code), "192.0.2.7"))).status, 403);
      }
      const again = await gateway.fetch(pairReq(code, "192.0.2.7"));
      assert.equal(again.status, 429);
      assert.equal(again.headers.get("retry-after"), "120");
      clock += 121_000;
      assert.equal((await gateway.fetch(pairReq(code, "192.0.2.7"))).status, 200);
    } finally {
      await gateway.stop();
    }
  });

  it("burns a code after the per-code attempt cap, across clients", async () => {
    const gateway = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      ...FAST,
      pairingMaxAttempts: 3,
    });
    await gateway.start();
    try {
      const code = gateway.pairingCode()!;
      for (let i = 0; i < 3; i++) {
        assert.equal((await gateway.fetch(pairReq(wrong(code), `198.51.100.${i}`))).status, 403);
      }
      assert.equal((await gateway.fetch(pairReq(code, "198.51.100.200"))).status, 403);
    } finally {
      await gateway.stop();
    }
  });

  it("expires a code after its TTL", async () => {
    let clock = 5_000;
    const gateway = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      ...FAST,
      now: () => clock,
    });
    await gateway.start();
    try {
      const code = gateway.pairingCode()!;
      clock += 600_001;
      assert.equal(gateway.pairingCode(), undefined);
      assert.equal((await gateway.fetch(pairReq(code))).status, 403);
    } finally {
      await gateway.stop();
    }
  });

  it("POST /pair/codes mints a one-time code for a second device (paired callers only)", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      assert.equal((await gateway.fetch(req("/pair/codes", { method: "POST" }))).status, 401);
      const res = await gateway.fetch(req("/pair/codes", { method: "POST", token }));
      assert.equal(res.status, 201);
      const body = await res.json() as { code: string; expires_in: number };
      assert.match(body.code, /^\d{6}$/);
      assert.equal(body.expires_in, 600);
      const second = await gateway.fetch(pairReq(body.code, "10.9.9.9"));
      assert.equal(second.status, 200);
      const token2 = (await second.json() as { token: string }).token;
      assert.notEqual(token2, token);
      assert.equal((await gateway.fetch(req("/tasks", { token: token2 }))).status, 200);
      assert.equal((await gateway.fetch(pairReq(body.code, "10.9.9.8"))).status, 403);
    } finally {
      await gateway.stop();
    }
  });

  it("records each minted token's lineage and caps how deep a chain may grow", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      const ids: string[] = [];
      let holder = token;
      let refused: Response | undefined;
      for (let depth = 0; depth < 40 && !refused; depth++) {
        const res = await gateway.fetch(req("/pair/codes", { method: "POST", token: holder }));
        if (res.status !== 201) {
          refused = res;
          break;
        }
        const { code } = await res.json() as { code: string };
        const paired = await gateway.fetch(pairReq(code, `10.1.0.${depth}`));
        const body = await paired.json() as { token: string; token_id: string };
        holder = body.token;
        ids.push(body.token_id);
      }
      assert.ok(refused, "minting never stopped");
      assert.equal(refused.status, 403);
      assert.match((await refused.json() as Json).error!.message, /chain of minted tokens/);
      assert.equal(ids.length, 15);
    } finally {
      await gateway.stop();
    }
  });

  it("refuses missing, malformed and unknown bearer tokens with 401", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      for (
        const authorization of [
          undefined,
          "",
          "Bearer",
          `Basic ${token}`,
          `Bearer ${token}x`,
          `Bearer ${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`,
          "Bearer " + "A".repeat(43),
        ]
      ) {
        const headers: Record<string, string> = authorization === undefined
          ? {}
          : { authorization };
        const res = await gateway.fetch(req("/tasks", { headers }));
        assert.equal(res.status, 401, String(authorization));
        assert.equal((await res.json() as Json).error?.code, "E_UNAUTHORIZED");
        assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer/);
      }
    } finally {
      await gateway.stop();
    }
  });

  it("DELETE /pair revokes the caller's token only", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      const code = await gateway.issuePairingCode();
      const other = (await (await gateway.fetch(pairReq(code, "10.3.3.3"))).json() as {
        token: string;
      }).token;
      const res = await gateway.fetch(req("/pair", { method: "DELETE", token }));
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { revoked: true });
      assert.equal((await gateway.fetch(req("/tasks", { token }))).status, 401);
      assert.equal((await gateway.fetch(req("/tasks", { token: other }))).status, 200);
    } finally {
      await gateway.stop();
    }
  });

  it("revokeAllTokens() invalidates every token", async () => {
    const { gateway, token } = await pairedGateway();
    try {
      assert.equal(await gateway.revokeAllTokens(), 1);
      assert.equal((await gateway.fetch(req("/tasks", { token }))).status, 401);
    } finally {
      await gateway.stop();
    }
  });

  it("expires tokens after tokenTtlMs", async () => {
    let clock = 10_000;
    const { gateway, token } = await pairedGateway({ now: () => clock, tokenTtlMs: 60_000 });
    try {
      assert.equal((await gateway.fetch(req("/tasks", { token }))).status, 200);
      clock += 60_001;
      assert.equal((await gateway.fetch(req("/tasks", { token }))).status, 401);
    } finally {
      await gateway.stop();
    }
  });

  it("refuses PAIRING_REQUIRED=0 on a non-loopback bind", () => {
    for (const bindHost of ["0.0.0.0", "192.168.88.2", "::", "example.com"]) {
      assert.throws(
        () =>
          createGateway({
            agent: echoAgent(),
            store: memoryStore(),
            pairingRequired: false,
            bindHost,
          }),
        (e: unknown) => e instanceof ConfigError && /PAIRING_REQUIRED/.test(e.message),
      );
    }
  });

  it("with pairing off on loopback, routes answer without a token", async () => {
    for (const bindHost of ["127.0.0.1", "::1", "localhost"]) {
      const gateway = createGateway({
        agent: echoAgent(),
        store: memoryStore(),
        ...FAST,
        pairingRequired: false,
        bindHost,
      });
      try {
        assert.equal((await gateway.fetch(req("/tasks"))).status, 200);
      } finally {
        await gateway.stop();
      }
    }
  });
});
