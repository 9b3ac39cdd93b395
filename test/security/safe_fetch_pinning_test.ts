/**
 * Hole 2 of issue #17: DNS rebinding cannot reach a local canary. The safe fetch's connection
 * goes to the address the SSRF guard checked, on every hop, with the URL's Host header and TLS
 * server name; a resolver that changes its answers between lookups gets nowhere.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { createSafeFetch } from "../../lib/security/safe_fetch.ts";
import { pinnedTransport, type Transport } from "../../lib/security/_pinned_transport.ts";
import type { Resolver } from "../../lib/security/ssrf.ts";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";

/** Global unicast addresses nobody routes (the old 6bone range): connections fail quickly. */
const UNROUTED = ["3ffe::1", "3ffe::2", "3ffe::3"] as const;

/**
 * A name the system resolver maps to loopback (the machine's host name usually is), so an
 * unpinned fetch that resolves again really reaches the canary; `rebind.test` otherwise.
 */
async function systemLoopbackName(): Promise<string> {
  try {
    const dns = await import("node:dns");
    const name = hostname();
    const found = await dns.promises.lookup(name, { all: true });
    if (found.length > 0 && found.every((f) => f.address.startsWith("127."))) return name;
  } catch {
    // no usable host name
  }
  return "rebind.test";
}

/** A resolver whose answers for `name` follow `answers` (the last one repeats). */
function rebinding(
  name: string,
  answers: string[][],
  fixed: Record<string, string[]> = {},
): Resolver & { calls: string[] } {
  let n = 0;
  const calls: string[] = [];
  return Object.assign(async (host: string): Promise<readonly string[]> => {
    calls.push(host);
    if (host === name) return answers[Math.min(n++, answers.length - 1)]!;
    if (fixed[host]) return fixed[host];
    throw new Error(`ENOTFOUND ${host}`);
  }, { calls });
}

/** The real pinned transport behind a fake network that routes `from` to `to`. */
function routed(from: string, to: string): Transport {
  return (checked, init) =>
    pinnedTransport({
      url: checked.url,
      addresses: checked.addresses.map((a) => (a === from ? to : a)),
    }, init);
}

describe("createSafeFetch() pins every connection to the checked address", () => {
  let canary: LocalServer;
  let canaryHits = 0;
  let origin: LocalServer;
  let redirectTo = "";
  let name = "";
  before(async () => {
    name = await systemLoopbackName();
    canary = await serveLocal(() => {
      canaryHits++;
      return new Response("internal secret");
    });
    origin = await serveLocal((request) => {
      const url = new URL(request.url);
      if (url.pathname === "/redirect") {
        return new Response(null, { status: 302, headers: { location: redirectTo } });
      }
      return new Response(`host=${request.headers.get("host")}`);
    });
  });
  after(async () => {
    await canary.close();
    await origin.close();
  });

  it("a name that answers public, then 127.0.0.1, never reaches the loopback canary", async () => {
    const resolve = rebinding(name, [[UNROUTED[0]], ["127.0.0.1"]]);
    const safe = createSafeFetch({ resolve, timeoutMs: 10_000 });
    await assert.rejects(safe(`http://${name}:${canary.port}/secret`));
    assert.equal(canaryHits, 0, "the canary received no request");
    assert.deepEqual(resolve.calls, [name], "the name was resolved once, by the guard");
  });

  it("a redirect to a rebinding name never reaches the canary", async () => {
    const resolve = rebinding(name, [[UNROUTED[1]], ["127.0.0.1"]], {
      "origin.test": [UNROUTED[2]],
    });
    const safe = createSafeFetch({
      resolve,
      transport: routed(UNROUTED[2], "127.0.0.1"),
      timeoutMs: 10_000,
    });
    // The fake network works: a page of origin.test is fetched with its own Host header.
    const page = await safe(`http://origin.test:${origin.port}/page`);
    assert.equal(page.text(), `host=origin.test:${origin.port}`);
    redirectTo = `http://${name}:${canary.port}/secret`;
    await assert.rejects(safe(`http://origin.test:${origin.port}/redirect`));
    assert.equal(canaryHits, 0, "the canary received no request");
  });

  it("a redirect straight to a name resolving to loopback is refused by the guard", async () => {
    const resolve = rebinding(name, [["127.0.0.1"]], { "origin.test": [UNROUTED[2]] });
    const safe = createSafeFetch({ resolve, transport: routed(UNROUTED[2], "127.0.0.1") });
    redirectTo = `http://${name}:${canary.port}/secret`;
    await assert.rejects(safe(`http://origin.test:${origin.port}/redirect`), /loopback/);
    assert.equal(canaryHits, 0);
  });

  it("streams the body: the byte cap cuts a long answer", async () => {
    const resolve = rebinding("origin.test", [[UNROUTED[2]]]);
    const safe = createSafeFetch({
      resolve,
      transport: routed(UNROUTED[2], "127.0.0.1"),
      maxBytes: 8,
    });
    const page = await safe(`http://origin.test:${origin.port}/page`);
    assert.equal(page.truncated, true);
    assert.equal(page.text(), "host=ori");
  });
});

describe("the pinned transport over TLS keeps the host name", () => {
  let dir = "";
  let cert = "";
  let server: import("node:https").Server | undefined;
  let port = 0;
  const seen: { sni: unknown; host: string | undefined }[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "mikroclaw-tls-"));
    // openssl makes the test certificate (.ci/run installs it; a missing one fails here, loudly)
    execFileSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=pinned.test",
      "-addext",
      "subjectAltName=DNS:pinned.test",
    ], { stdio: "ignore" });
    cert = readFileSync(join(dir, "cert.pem"), "utf8");
    const https = await import("node:https");
    server = https.createServer(
      { key: readFileSync(join(dir, "key.pem")), cert },
      (req, res) => {
        seen.push({
          sni: (req.socket as { servername?: unknown }).servername,
          host: req.headers.host,
        });
        res.end("tls ok");
      },
    );
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    if (server) await new Promise((r) => server!.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends SNI and Host of the URL and checks the certificate against the name", async () => {
    const resolve = rebinding("pinned.test", [[UNROUTED[0]], ["127.0.0.1"]], {
      "other.test": [UNROUTED[0]],
    });
    const safe = createSafeFetch({
      resolve,
      transport: routed(UNROUTED[0], "127.0.0.1"),
      ca: cert,
    });
    const page = await safe(`https://pinned.test:${port}/`);
    assert.equal(page.text(), "tls ok");
    assert.deepEqual(seen, [{ sni: "pinned.test", host: `pinned.test:${port}` }]);
    // The same server under another name: the certificate does not match, nothing is sent.
    await assert.rejects(safe(`https://other.test:${port}/`), /other\.test|altname|certificate/i);
    assert.equal(seen.length, 1);
  });

  it("refuses the certificate when no trusted CA signed it", async () => {
    const resolve = rebinding("pinned.test", [[UNROUTED[0]]]);
    const safe = createSafeFetch({ resolve, transport: routed(UNROUTED[0], "127.0.0.1") });
    await assert.rejects(safe(`https://pinned.test:${port}/`));
    assert.equal(seen.length, 1);
  });
});
