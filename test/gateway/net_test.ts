import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  cidrContains,
  formatIp,
  isLoopbackHost,
  parseCidr,
  parseIp,
  resolveClient,
} from "../../lib/gateway/_net.ts";

describe("gateway client identity", () => {
  it("parseIp() accepts IPv4/IPv6 forms and maps ::ffff:a.b.c.d to IPv4", () => {
    assert.equal(formatIp(parseIp("192.168.88.1")!), "192.168.88.1");
    assert.equal(formatIp(parseIp("::ffff:10.0.0.1")!), "10.0.0.1");
    assert.equal(formatIp(parseIp("[::1]")!), "0:0:0:0:0:0:0:1");
    assert.equal(formatIp(parseIp("fe80::1%eth0")!), "fe80:0:0:0:0:0:0:1");
    for (const bad of ["", "1.2.3", "1.2.3.256", "01.2.3.4.5", "::1::", "x", "g::1", "1.2.3.4/8"]) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });

  it("parseCidr() rejects bad entries with a TypeError and matches prefixes", () => {
    assert.throws(() => parseCidr("10.0.0.0/33"), TypeError);
    assert.throws(() => parseCidr("nope"), TypeError);
    assert.throws(() => parseCidr("10.0.0.0/8/8"), TypeError);
    const net = parseCidr("10.0.0.0/8");
    assert.ok(cidrContains(net, parseIp("10.200.3.4")!));
    assert.ok(!cidrContains(net, parseIp("11.0.0.1")!));
    assert.ok(!cidrContains(net, parseIp("::1")!));
    assert.ok(cidrContains(parseCidr("fd00::/8"), parseIp("fd12::5")!));
  });

  it("isLoopbackHost() knows loopback from everything else", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "::ffff:127.0.0.1"]) {
      assert.ok(isLoopbackHost(h), h);
    }
    for (const h of ["0.0.0.0", "::", "192.168.88.1", "example.com", "localhost.example.com"]) {
      assert.ok(!isLoopbackHost(h), h);
    }
  });

  it("resolveClient() never believes X-Forwarded-For from an untrusted peer", () => {
    const trusted = [parseCidr("10.0.0.0/8")];
    fc.assert(
      fc.property(fc.ipV4(), fc.string({ maxLength: 200 }), (peer, xff) => {
        fc.pre(!peer.startsWith("10."));
        return resolveClient(peer, xff, trusted) === formatIp(parseIp(peer)!);
      }),
    );
  });

  it("resolveClient() picks the rightmost untrusted hop behind a trusted proxy", () => {
    const trusted = [parseCidr("10.0.0.0/8")];
    assert.equal(resolveClient("10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.7", trusted), "1.2.3.4");
    assert.equal(resolveClient("10.0.0.1", "10.1.1.1", trusted), "10.1.1.1");
    assert.equal(resolveClient("10.0.0.1", "garbage, 10.0.0.3", trusted), "10.0.0.3");
    assert.equal(resolveClient(undefined, "1.2.3.4", trusted), "unknown");
    fc.assert(
      fc.property(fc.array(fc.ipV4(), { maxLength: 5 }), fc.ipV4(), (spoofed, real) => {
        fc.pre(!real.startsWith("10."));
        const xff = [...spoofed, real, "10.0.0.2"].join(", ");
        return resolveClient("10.0.0.1", xff, trusted) === real;
      }),
    );
  });
});
