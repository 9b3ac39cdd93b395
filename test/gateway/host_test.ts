import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import fc from "fast-check";
import { createGateway } from "../../lib/gateway/mod.ts";
import { createHostCheck, hostOfHeader } from "../../lib/gateway/host_guard.ts";
import { channelWebhooks } from "../../lib/runtime/_webhooks.ts";
import type { Gateway } from "../../lib/gateway/mod.ts";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";
import { echoAgent, memoryStore } from "./_helpers.ts";

/** One raw HTTP/1.1 exchange, so `Host` is exactly what a browser on a rebound name sends. */
async function raw(
  address: { host: string; port: number },
  request: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  const body = request.body ?? "";
  const head = [
    `${request.method} ${request.path} HTTP/1.1`,
    ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`),
    `Content-Length: ${new TextEncoder().encode(body).byteLength}`,
    "Connection: close",
    "",
    "",
  ].join("\r\n");
  return await new Promise((resolve, reject) => {
    const socket = connect(address.port, address.host);
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => (text += d));
    socket.on("error", reject);
    socket.on("end", () => {
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      const split = text.indexOf("\r\n\r\n");
      let payload = split < 0 ? "" : text.slice(split + 4);
      if (/transfer-encoding: *chunked/i.test(text.slice(0, split))) payload = unchunk(payload);
      resolve({ status, body: payload });
    });
    socket.write(head + body);
  });
}

function unchunk(text: string): string {
  let out = "";
  let rest = text;
  for (;;) {
    const eol = rest.indexOf("\r\n");
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

const port = fc.integer({ min: 1, max: 65535 });
const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/);
/** DNS names that are not loopback names (an attacker's rebinding domain). */
const foreignName = fc.array(label, { minLength: 2, maxLength: 4 }).map((l) => l.join("."))
  .filter((n) => n !== "localhost" && !n.endsWith(".localhost"));
const randomCase = (s: string) =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((flags) =>
    [...s].map((c, i) => (flags[i] ? c.toUpperCase() : c)).join("")
  );
const withPort = (host: string) =>
  fc.option(port, { nil: undefined }).map((p) => (p === undefined ? host : `${host}:${p}`));
const loopbackV4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) =>
  `127.${a}.${b}.${c}`
);
const loopbackHostValue = fc.oneof(
  loopbackV4,
  fc.constantFrom("[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::FFFF:7f00:1]"),
  fc.constantFrom("localhost", "localhost.", "app.localhost").chain(randomCase),
).chain(withPort);

describe("Host check (property tests)", () => {
  it("accepts every spelling of a loopback Host, with or without a port", () => {
    const check = createHostCheck({ bindHost: "127.0.0.1" });
    fc.assert(fc.property(loopbackHostValue, (host) => check(host).ok));
  });

  it("gives a Host value the same verdict every time, remembered or not, past the memory's bound", () => {
    const remembering = createHostCheck({ bindHost: "0.0.0.0", allowedHosts: ["mikroclaw.lan"] });
    const value = fc.oneof(loopbackHostValue, foreignName.chain(withPort), fc.string());
    fc.assert(
      fc.property(fc.array(value, { minLength: 300, maxLength: 600 }), (values) => {
        for (const v of [...values, ...values]) {
          const fresh = createHostCheck({ bindHost: "0.0.0.0", allowedHosts: ["mikroclaw.lan"] });
          assert.deepEqual(remembering(v), fresh(v));
        }
      }),
      { numRuns: 5 },
    );
  });

  it("refuses every foreign name, in any case, with any port or trailing dot", () => {
    for (const bind of ["127.0.0.1", "0.0.0.0", "::", "192.168.88.5"]) {
      const check = createHostCheck({ bindHost: bind, allowedHosts: ["mikroclaw.lan"] });
      fc.assert(fc.property(
        foreignName.filter((n) => n !== "mikroclaw.lan").chain(randomCase),
        fc.boolean(),
        fc.option(port, { nil: undefined }),
        (name, dot, p) => !check(`${name}${dot ? "." : ""}${p === undefined ? "" : `:${p}`}`).ok,
      ));
    }
  });

  it("accepts a configured name in any case, with a port, a trailing dot or as punycode", () => {
    const check = createHostCheck({ allowedHosts: ["MikroClaw.LAN", "bücher.example"] });
    fc.assert(fc.property(
      fc.constantFrom("mikroclaw.lan", "bücher.example", "xn--bcher-kva.example").chain(randomCase),
      fc.boolean(),
      fc.option(port, { nil: undefined }),
      (name, dot, p) => check(`${name}${dot ? "." : ""}${p === undefined ? "" : `:${p}`}`).ok,
    ));
  });

  it("refuses userinfo, paths, spaces, empty names and bad ports, whatever the name", () => {
    const check = createHostCheck({ bindHost: "0.0.0.0", allowedHosts: ["mikroclaw.lan"] });
    fc.assert(fc.property(
      fc.constantFrom("127.0.0.1", "localhost", "mikroclaw.lan", "[::1]", "10.0.0.5"),
      fc.constantFrom(
        (h: string) => `user@${h}`,
        (h: string) => `${h}@attacker.example`,
        (h: string) => `${h}/x`,
        (h: string) => `${h} x`,
        (h: string) => `${h}:`,
        (h: string) => `${h}:80:80`,
        (h: string) => `${h}:http`,
        (h: string) => `${h}?`,
        (h: string) => `${h}#`,
        (h: string) => `${h}..`,
      ),
      (host, spoil) => !check(spoil(host)).ok,
    ));
    assert.equal(check("").ok, false);
    assert.equal(hostOfHeader("[::1"), undefined);
    assert.equal(hostOfHeader("[::1]x"), undefined);
  });

  it("on a wildcard bind accepts any IP literal (the address the client connected to)", () => {
    for (const bind of ["0.0.0.0", "::", "[::]"]) {
      const check = createHostCheck({ bindHost: bind });
      fc.assert(fc.property(fc.ipV4().chain(withPort), (ip) => check(ip).ok));
      fc.assert(fc.property(fc.ipV6(), (ip) => check(`[${ip}]:80`).ok));
    }
  });

  it("on a specific bind accepts only that address and loopback among IP literals", () => {
    const check = createHostCheck({ bindHost: "192.168.88.5" });
    assert.ok(check("192.168.88.5:18789").ok);
    assert.ok(check("[::ffff:192.168.88.5]").ok);
    fc.assert(fc.property(
      fc.ipV4().filter((ip) => ip !== "192.168.88.5" && !ip.startsWith("127.")),
      (ip) => !check(ip).ok,
    ));
    const v6 = createHostCheck({ bindHost: "fe80::1%eth0" });
    assert.ok(v6("[fe80::1]:18789").ok);
    assert.ok(!v6("[fe80::2]:18789").ok);
  });

  it("refuses a bad GATEWAY_ALLOWED_HOSTS entry at creation", () => {
    assert.throws(() => createHostCheck({ allowedHosts: ["user@host"] }), TypeError);
  });
});

describe("DNS rebinding against the real socket", () => {
  let open: Gateway;
  let paired: Gateway;
  let openServer: LocalServer;
  let pairedServer: LocalServer;
  let attackerPage: LocalServer;

  before(async () => {
    open = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      pairingRequired: false,
      allowedHosts: ["mikroclaw.lan"],
    });
    paired = createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      rateLimit: { rps: 0.001, burst: 30 },
      // The runtime's webhooks without a configured channel: each path answers 404.
      webhooks: channelWebhooks([]),
    });
    await open.start();
    await paired.start();
    openServer = await serveLocal(open.fetch);
    pairedServer = await serveLocal(paired.fetch);
    attackerPage = await serveLocal(() =>
      new Response("<script>/* talks to the rebound name */</script>", {
        headers: { "content-type": "text/html" },
      })
    );
  });

  after(async () => {
    await openServer.close();
    await pairedServer.close();
    await attackerPage.close();
    await open.stop();
    await paired.stop();
  });

  /**
   * The attacker's resolver: `attacker.example` first answers with the attacker's server (the
   * page loads), then with the victim's loopback gateway (the page's requests land there).
   */
  function rebindingResolver(victim: LocalServer) {
    const answers = [
      { host: "127.0.0.1", port: attackerPage.port },
      { host: "127.0.0.1", port: victim.port },
    ];
    let lookups = 0;
    return (name: string) => {
      assert.equal(name, "attacker.example");
      return answers[Math.min(lookups++, answers.length - 1)]!;
    };
  }

  it("with pairing off, a rebound page cannot drive /chat; a loopback Host can", async () => {
    const resolve = rebindingResolver(openServer);
    const origin = `http://attacker.example:${openServer.port}`;
    const page = await raw(resolve("attacker.example"), {
      method: "GET",
      path: "/",
      headers: { Host: `attacker.example:${openServer.port}` },
    });
    assert.equal(page.status, 200);
    const victim = resolve("attacker.example");
    for (const path of ["/chat", "/tasks"]) {
      const res = await raw(victim, {
        method: "POST",
        path,
        headers: {
          Host: `attacker.example:${openServer.port}`,
          Origin: origin,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ input: "reboot the router", type: "agent" }),
      });
      assert.equal(res.status, 421, `${path}: ${res.body}`);
      assert.equal(errorCode(res.body), "E_MISDIRECTED");
    }
    const own = await raw(victim, {
      method: "POST",
      path: "/chat",
      headers: { Host: `127.0.0.1:${openServer.port}`, "Content-Type": "application/json" },
      body: JSON.stringify({ input: "hi" }),
    });
    assert.equal(own.status, 200, own.body);
    // Same-origin only: a loopback Host with another page's Origin is still refused.
    const cross = await raw(victim, {
      method: "POST",
      path: "/chat",
      headers: {
        Host: `localhost:${openServer.port}`,
        Origin: "http://localhost:3000",
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ input: "hi" }),
    });
    assert.equal(cross.status, 403);
  });

  it("signed channel webhooks answer under a tunnel's public name (they verify their own signature)", async () => {
    const res = await raw({ host: "127.0.0.1", port: pairedServer.port }, {
      method: "POST",
      path: "/channels/telegram/webhook",
      headers: { Host: "bot.example.com", "Content-Type": "application/json" },
      body: "{}",
    });
    assert.equal(res.status, 404, res.body);
    assert.match(res.body, /Channel telegram is not configured/);
    const other = await raw({ host: "127.0.0.1", port: pairedServer.port }, {
      method: "GET",
      path: "/health",
      headers: { Host: "bot.example.com" },
    });
    assert.equal(other.status, 421);
    // Only a declared webhook path is exempt: another POST under that name is refused.
    const undeclared = await raw({ host: "127.0.0.1", port: pairedServer.port }, {
      method: "POST",
      path: "/channels/matrix/webhook",
      headers: { Host: "bot.example.com", "Content-Type": "application/json" },
      body: "{}",
    });
    assert.equal(undeclared.status, 421);
  });

  it("with pairing off, a configured name is served only with a token, never open", async () => {
    const res = await raw({ host: "127.0.0.1", port: openServer.port }, {
      method: "GET",
      path: "/tasks",
      headers: { Host: "mikroclaw.lan" },
    });
    assert.equal(res.status, 403, res.body);
    assert.match(res.body, /PAIRING_REQUIRED/);
  });

  it("wrong pairing guesses from a rebound page neither lock the owner out nor spend the rate limit", async () => {
    const resolve = rebindingResolver(pairedServer);
    resolve("attacker.example");
    const victim = resolve("attacker.example");
    // Far more than the lockout threshold (5) and the bucket (30 requests).
    for (let i = 0; i < 40; i++) {
      const res = await raw(victim, {
        method: "POST",
        path: "/pair",
        headers: {
          Host: `attacker.example:${pairedServer.port}`,
          Origin: `http://attacker.example:${pairedServer.port}`,
          "X-Pairing-Code": String(100000 + i),
        },
      });
      assert.equal(res.status, 421, res.body);
    }
    // The owner, from the same address, pairs at once.
    const owner = await raw(victim, {
      method: "POST",
      path: "/pair",
      headers: {
        Host: `127.0.0.1:${pairedServer.port}`,
        "X-Pairing-Code": paired.pairingCode()!,
      },
    });
    assert.equal(owner.status, 200, owner.body);
    assert.equal((JSON.parse(owner.body) as { paired: boolean }).paired, true);
  });
});
