import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createGateway } from "../../lib/gateway/mod.ts";
import type { Gateway } from "../../lib/gateway/mod.ts";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";
import { echoAgent, FAST, memoryStore } from "./_helpers.ts";

describe("createGateway() behind a real listening server (srvx)", () => {
  let gateway: Gateway;
  let server: LocalServer;
  let token: string;

  before(async () => {
    gateway = createGateway({ agent: echoAgent(), store: memoryStore(), ...FAST });
    await gateway.start();
    server = await serveLocal(gateway.fetch);
    const res = await fetch(`${server.url}/pair`, {
      method: "POST",
      headers: { "x-pairing-code": gateway.pairingCode()! },
    });
    assert.equal(res.status, 200);
    token = ((await res.json()) as { token: string }).token;
  });

  after(async () => {
    await server.close();
    await gateway.stop();
  });

  it("answers /health and /health/heartbeat without auth, with security headers", async () => {
    const res = await fetch(`${server.url}/health/heartbeat`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { heartbeat: "ok" });
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'/);
  });

  it("needs the bearer (header name and scheme case-insensitive)", async () => {
    assert.equal((await fetch(`${server.url}/tasks`)).status, 401);
    const ok = await fetch(`${server.url}/tasks`, {
      headers: { AUTHORIZATION: `bearer ${token}` },
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), []);
  });

  it("refuses a Content-Length over 1 MiB with 413", async () => {
    const res = await fetch(`${server.url}/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: new Uint8Array(2 * 1024 * 1024),
    });
    assert.equal(res.status, 413);
    assert.equal(
      ((await res.json()) as { error: { code: string } }).error.code,
      "E_PAYLOAD_TOO_LARGE",
    );
  });

  it("refuses a streamed body that never ends with 413, without reading it whole", async () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const controller = new AbortController();
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        if (controller.signal.aborted) return c.close();
        sent += chunk.byteLength;
        c.enqueue(chunk);
      },
    });
    try {
      const res = await fetch(`${server.url}/tasks`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: endless,
        signal: controller.signal,
        duplex: "half",
      } as RequestInit);
      assert.equal(res.status, 413);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.ok(sent > 1024 * 1024);
      await res.body?.cancel();
    } finally {
      controller.abort();
    }
    // The server read a bounded amount, then cut the upload: the stream did not run forever.
    assert.ok(sent < 512 * 1024 * 1024);
  });

  it("ignores X-Forwarded-For from an untrusted peer (lockout stays on the peer)", async () => {
    const gw = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      ...FAST,
      rateLimit: { rps: 0.001, burst: 2 },
    });
    const s = await serveLocal(gw.fetch);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${s.url}/health/heartbeat`, {
          headers: { "x-forwarded-for": `203.0.113.${i}` },
        });
        statuses.push(res.status);
        await res.body?.cancel();
      }
      assert.deepEqual(statuses, [200, 200, 429, 429]);
    } finally {
      await s.close();
      await gw.stop();
    }
  });

  it("believes X-Forwarded-For only from a trusted proxy (rightmost untrusted hop)", async () => {
    const gw = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      ...FAST,
      trustedProxies: ["127.0.0.0/8", "::1"],
      rateLimit: { rps: 0.001, burst: 1 },
    });
    const s = await serveLocal(gw.fetch);
    try {
      const status = async (xff: string) => {
        const res = await fetch(`${s.url}/health/heartbeat`, {
          headers: { "x-forwarded-for": xff },
        });
        await res.body?.cancel();
        return res.status;
      };
      assert.equal(await status("198.51.100.1"), 200);
      assert.equal(await status("198.51.100.2"), 200);
      assert.equal(await status("198.51.100.1"), 429);
      // A spoofed left-most hop does not change who the client is.
      assert.equal(await status("1.2.3.4, 198.51.100.2"), 429);
      assert.equal(await status("1.2.3.4, 198.51.100.3"), 200);
    } finally {
      await s.close();
      await gw.stop();
    }
  });

  it("streams chat as SSE", async () => {
    const res = await fetch(`${server.url}/chat`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "text/event-stream",
      },
      body: JSON.stringify({ input: "ping", session: "s1" }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const text = await res.text();
    assert.match(text, /event: text-delta\ndata: \{"type":"text-delta","text":"echo: ping"\}/);
    assert.match(text, /event: tool-start/);
    assert.match(text, /event: tool-end/);
    assert.match(text, /event: done\ndata: \{"reply":"echo: ping"\}\n\n$/);
  });
});
