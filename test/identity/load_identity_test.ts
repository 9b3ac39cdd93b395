import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createStorage } from "unstorage";
import { createStateStore } from "../../lib/storage/state_store.ts";
import type { StorageKind } from "../../lib/storage/types.ts";
import {
  IDENTITY_KEY,
  loadIdentity,
  rotateIdentity,
  verifySignature,
} from "../../lib/identity/mod.ts";
import { isAgentError } from "../../lib/errors.ts";

function store(kind: StorageKind = "memory") {
  return createStateStore({ storage: createStorage(), kind });
}

describe("loadIdentity()", () => {
  it("creates an Ed25519 identity and signs with it", async () => {
    const s = store();
    const id = await loadIdentity(s);
    assert.match(id.id, /^mc-[0-9a-f]{20}$/);
    assert.equal(atob(id.publicKey).length, 32);
    assert.ok(!Number.isNaN(Date.parse(id.createdAt)));
    const signature = await id.sign("hello");
    assert.equal(atob(signature).length, 64);
    assert.equal(await verifySignature(id.publicKey, "hello", signature), true);
    assert.equal(await verifySignature(id.publicKey, "hellO", signature), false);
    assert.equal(await verifySignature(id.publicKey, "hello", "not base64!"), false);
    assert.equal(await verifySignature("AAAA", "hello", signature), false);
  });

  it("is stable across loads on the same store", async () => {
    const s = store("fs");
    const a = await loadIdentity(s);
    const b = await loadIdentity(s);
    assert.equal(a.id, b.id);
    assert.equal(a.publicKey, b.publicKey);
    assert.equal(await verifySignature(a.publicKey, "x", await b.sign("x")), true);
  });

  it("says whether it persists: not with memory storage", async () => {
    assert.equal((await loadIdentity(store("memory"))).persistent, false);
    assert.equal((await loadIdentity(store("fs"))).persistent, true);
    assert.equal((await loadIdentity(store("redis"))).persistent, true);
  });

  it("lets AGENT_ID override the id", async () => {
    const s = store();
    const a = await loadIdentity(s, { agentId: "router-1" });
    assert.equal(a.id, "router-1");
    const b = await loadIdentity(s);
    assert.notEqual(b.id, "router-1");
    assert.equal(a.publicKey, b.publicKey);
  });

  it("agrees on one identity when created concurrently", async () => {
    const s = store("redis");
    const ids = await Promise.all(Array.from({ length: 10 }, () => loadIdentity(s)));
    assert.equal(new Set(ids.map((i) => i.publicKey)).size, 1);
  });

  it("keeps the private key out of the identity object", async () => {
    const s = store();
    const id = await loadIdentity(s);
    const record = await s.get<{ privateKey: { d: string } }>(IDENTITY_KEY);
    assert.ok(record?.privateKey.d);
    assert.doesNotMatch(
      JSON.stringify(id),
      new RegExp(record.privateKey.d.replace(/[-/\\^$*+?.()|[\]{}]/g, "\\$&")),
    );
  });

  it("refuses a damaged stored record with E_STORAGE", async () => {
    for (
      const damaged of [{ version: 1 }, "junk", {
        version: 1,
        id: "x",
        createdAt: "t",
        publicKey: "AAAA",
        privateKey: {},
      }]
    ) {
      const s = store("fs");
      await s.set(IDENTITY_KEY, damaged);
      await assert.rejects(
        loadIdentity(s),
        (e) => isAgentError(e) && e.code === "E_STORAGE" && /--rotate/.test(e.message),
      );
    }
    const s = store("fs");
    const good = await loadIdentity(s);
    const record = await s.get<Record<string, unknown>>(IDENTITY_KEY);
    await s.set(IDENTITY_KEY, {
      ...record,
      privateKey: { kty: "OKP", crv: "Ed25519", d: "AAAA", x: "AAAA" },
    });
    await assert.rejects(loadIdentity(s), (e) => isAgentError(e) && e.code === "E_STORAGE");
    assert.ok(good.id);
  });
});

describe("rotateIdentity()", () => {
  it("makes a new key pair, keeps the id and revokes every gateway token", async () => {
    const s = store("fs");
    const before = await loadIdentity(s);
    await s.set("tokens:aaa", { id: 1 });
    await s.set("tokens:bbb", { id: 2 });
    await s.set("tasks:1", { keep: true });
    const { identity, revokedTokens } = await rotateIdentity(s);
    assert.equal(identity.id, before.id);
    assert.notEqual(identity.publicKey, before.publicKey);
    assert.equal(revokedTokens, 2);
    assert.deepEqual(await s.keys("tokens:"), []);
    assert.deepEqual(await s.get("tasks:1"), { keep: true });
    const after = await loadIdentity(s);
    assert.equal(after.publicKey, identity.publicKey);
    assert.equal(await verifySignature(before.publicKey, "x", await after.sign("x")), false);
  });

  it("replaces a damaged record", async () => {
    const s = store("fs");
    await s.set(IDENTITY_KEY, "junk");
    const { identity } = await rotateIdentity(s);
    assert.equal((await loadIdentity(s)).publicKey, identity.publicKey);
  });
});
