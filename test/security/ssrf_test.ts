import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createSsrfGuard } from "../../lib/security/ssrf.ts";
import { isAgentError } from "../../lib/errors.ts";

const DNS: Record<string, string[]> = {
  "public.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
  "private.example": ["10.0.0.5"],
  "mixed.example": ["93.184.216.34", "192.168.88.1"],
  "metadata.example": ["169.254.169.254"],
  "v6loop.example": ["::1"],
  "router.lan": ["192.0.2.1"],
  "mapped.example": ["::ffff:127.0.0.1"],
};

function resolve(host: string): Promise<string[]> {
  const found = DNS[host];
  return found ? Promise.resolve(found) : Promise.reject(new Error(`ENOTFOUND ${host}`));
}

const guard = createSsrfGuard({ resolve, extraDenied: ["93.184.216.99", "203.0.114.0/24"] });

async function refused(url: string, pattern: RegExp): Promise<void> {
  await assert.rejects(guard.check(url), (error: unknown) => {
    assert.ok(isAgentError(error), `not an AgentError: ${error}`);
    assert.equal(error.code, "E_POLICY_BLOCKED");
    assert.match(error.message, /^Cannot fetch /);
    assert.match(error.message, pattern);
    return true;
  }, url);
}

describe("createSsrfGuard()", () => {
  it("allows a public host and returns its addresses", async () => {
    const checked = await guard.check("https://public.example/a?b=1");
    assert.equal(checked.url.hostname, "public.example");
    assert.deepEqual(checked.addresses, DNS["public.example"]);
    assert.deepEqual((await guard.check("http://8.8.8.8/")).addresses, ["8.8.8.8"]);
    assert.deepEqual((await guard.check("http://[2606:4700::1111]/")).addresses, [
      "2606:4700::1111",
    ]);
  });

  it("refuses loopback in every numeric spelling", async () => {
    for (
      const url of [
        "http://127.0.0.1/",
        "http://0x7f000001/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://127.0.0.1.:8080/",
        "http://0x7f.1/",
      ]
    ) await refused(url, /loopback/);
    await refused("http://[::1]/", /loopback/);
    await refused("http://[0:0:0:0:0:0:0:1]/", /loopback/);
  });

  it("refuses private, link-local, metadata, CGNAT, unspecified, multicast and broadcast", async () => {
    await refused("http://10.1.2.3/", /private/);
    await refused("http://172.16.0.1/", /private/);
    await refused("http://192.168.88.1/", /private/);
    await refused("http://169.254.169.254/latest/meta-data/", /link-local/);
    await refused("http://100.64.0.1/", /carrier-grade/);
    await refused("http://0.0.0.0/", /unspecified/);
    await refused("http://224.0.0.1/", /multicast/);
    await refused("http://255.255.255.255/", /broadcast/);
    await refused("http://[fe80::1]/", /link-local/);
    await refused("http://[fd00:ec2::254]/", /unique local/);
    await refused("http://[ff02::1]/", /multicast/);
    await refused("http://[::]/", /unspecified/);
    await refused("http://168.63.129.16/", /metadata/);
  });

  it("refuses IPv4-mapped, IPv4-compatible, NAT64, 6to4 and Teredo IPv6", async () => {
    await refused("http://[::ffff:127.0.0.1]/", /IPv4-mapped/);
    await refused("http://[::ffff:10.0.0.1]/", /IPv4-mapped/);
    await refused("http://[::ffff:8.8.8.8]/", /IPv4-mapped/);
    await refused("http://[::127.0.0.1]/", /IPv4-compatible/);
    await refused("http://[64:ff9b::a00:1]/", /NAT64/);
    await refused("http://[2002:7f00:1::]/", /6to4/);
    await refused("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", /Teredo/);
  });

  it("refuses DNS names that resolve to denied addresses (any one of them)", async () => {
    await refused("http://private.example/", /resolves to 10\.0\.0\.5, a private/);
    await refused("http://mixed.example/", /192\.168\.88\.1/);
    await refused("http://metadata.example/", /169\.254\.169\.254/);
    await refused("http://v6loop.example/", /loopback/);
    await refused("http://mapped.example/", /IPv4-mapped/);
    await refused("http://nowhere.example/", /does not resolve/);
  });

  it("refuses local names, other schemes, credentials and the operator's extra denials", async () => {
    await refused("http://localhost:3000/", /local or denied name/);
    await refused("http://api.localhost/", /local or denied name/);
    await refused("http://metadata.google.internal/", /local or denied name/);
    await refused("file:///etc/passwd", /scheme "file:"/);
    await refused("gopher://public.example/", /scheme/);
    await refused("ftp://public.example/", /scheme/);
    await refused("http://user:pw@public.example/", /credentials/);
    await refused("not a url", /not a valid absolute URL/);
    await refused("http://93.184.216.99/", /denied address/);
    await refused("http://203.0.114.7/", /denied address/);
    const byName = createSsrfGuard({ resolve, extraDenied: ["router.lan", "93.184.216.34"] });
    await assert.rejects(byName.check("http://router.lan/"), /local or denied name/);
    await assert.rejects(byName.check("http://public.example/"), /denied address/);
  });

  it("never allows an IPv4 literal inside a denied block (property)", async () => {
    const blocks: [number, number, number][] = [
      [10, 0, 8],
      [127, 0, 8],
      [192 * 256 + 168, 0, 16],
      [169 * 256 + 254, 0, 16],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...blocks),
        fc.integer({ min: 0, max: 0xffffff }),
        fc.constantFrom("dec", "hex", "int"),
        async ([prefix, , bits], rest, form) => {
          const base = bits === 8 ? prefix * 2 ** 24 : prefix * 2 ** 16;
          const n = base + (rest % 2 ** (32 - bits));
          const host = form === "int"
            ? String(n)
            : form === "hex"
            ? "0x" + n.toString(16)
            : [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
          await assert.rejects(guard.check(`http://${host}/`), /Cannot fetch/);
        },
      ),
      { numRuns: 200 },
    );
  });
});
