import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { loadConfig } from "../../lib/config/load_config.ts";
import { ConfigError } from "../../lib/errors.ts";
import { createGateway } from "../../lib/gateway/mod.ts";
import { isLoopbackHost as gatewayLoopback } from "../../lib/gateway/_net.ts";
import { isLoopbackHost as configLoopback } from "../../lib/config/mod.ts";
import { deniedReason } from "../../lib/security/_ip.ts";
import { echoAgent, memoryStore } from "../gateway/_helpers.ts";

/** What loading `PAIRING_REQUIRED=0 GATEWAY_BIND=<bind>` gives: ok, or the keys it names. */
async function pairingOff(bind: string): Promise<"ok" | string[]> {
  try {
    await loadConfig({ env: { PAIRING_REQUIRED: "0", GATEWAY_BIND: bind } });
    return "ok";
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.issues.map((i) => i.key);
  }
}

/** The gateway's own check, for the same address. */
function gatewayAccepts(bind: string): boolean {
  try {
    createGateway({
      agent: echoAgent(),
      store: memoryStore(),
      pairingRequired: false,
      bindHost: bind,
    });
    return true;
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /PAIRING_REQUIRED.*GATEWAY_BIND or --host/);
    return false;
  }
}

const byte = fc.nat(255);
const hex = (n: number) => n.toString(16);
const loopbackV4 = fc.tuple(byte, byte, byte).map(([a, b, c]) => `127.${a}.${b}.${c}`);
const publicV4 = fc.ipV4().filter((ip) => !ip.startsWith("127."));
/** Every textual spelling of a v4 address inside IPv6: mapped, in hex groups, with brackets. */
const mapped = (v4: string) => {
  const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
  return fc.constantFrom(
    `::ffff:${v4}`,
    `[::ffff:${v4}]`,
    `::FFFF:${hex(a * 256 + b)}:${hex(c * 256 + d)}`,
    `0:0:0:0:0:ffff:${v4}`,
  );
};

describe("listen-address rules (property tests)", () => {
  it("every loopback spelling is accepted with pairing off, by config and gateway alike", async () => {
    await fc.assert(fc.asyncProperty(
      fc.oneof(
        loopbackV4,
        loopbackV4.chain(mapped),
        fc.constantFrom("::1", "[::1]", "0:0:0:0:0:0:0:1", "0::1", "localhost", "LocalHost"),
      ),
      async (bind) => {
        assert.equal(await pairingOff(bind), "ok", bind);
        assert.ok(gatewayAccepts(bind), bind);
        assert.ok(configLoopback(bind) && gatewayLoopback(bind), bind);
      },
    ));
  });

  it("every non-loopback address is refused with pairing off, naming both settings", async () => {
    await fc.assert(fc.asyncProperty(
      fc.oneof(
        publicV4,
        publicV4.chain(mapped),
        fc.ipV6().filter((ip) => !/^(?:0*:)*:?0*1$/.test(ip) && !configLoopback(ip)),
        fc.ipV6().map((ip) => `[${ip}]`).filter((ip) => !configLoopback(ip)),
        fc.constantFrom("0.0.0.0", "::", "[::]", "::ffff:0.0.0.0", "fe80::1%eth0", "[fe80::1%25]"),
        fc.tuple(
          fc.constantFrom("fe80::", "fd00::", "2001:db8::"),
          fc.nat(0xffff),
          fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/),
        )
          .map(([p, n, zone]) => `${p}${hex(n)}%${zone}`),
      ),
      async (bind) => {
        const keys = await pairingOff(bind);
        assert.notEqual(keys, "ok", bind);
        if (keys !== "ok" && keys.includes("PAIRING_REQUIRED")) {
          assert.ok(!gatewayAccepts(bind.replace(/%25\]$/, "]")), bind);
        } else {
          assert.deepEqual(keys, ["GATEWAY_BIND"], bind);
        }
      },
    ));
  });

  it("numeric spellings getaddrinfo would widen, and host names, are not listen addresses at all", async () => {
    const spellings = fc.oneof(
      fc.nat(0xffffffff).map(String),
      fc.nat(0xffffffff).map((n) => `0x${hex(n)}`),
      fc.tuple(byte, byte).map(([a, b]) => `${a}.${b}`),
      fc.tuple(byte, byte, byte, byte).map((o) => o.map((x) => `0${x.toString(8)}`).join(".")),
      fc.tuple(byte, byte, byte, byte).map((o) => o.map((x) => `0x${hex(x)}`).join(".")),
      fc.domain().filter((d) => d !== "localhost"),
    );
    await fc.assert(fc.asyncProperty(spellings, fc.boolean(), async (bind, off) => {
      try {
        await loadConfig({ env: { GATEWAY_BIND: bind, PAIRING_REQUIRED: off ? "0" : "1" } });
        assert.fail(`accepted ${bind}`);
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.issues.map((i) => i.key), ["GATEWAY_BIND"], bind);
      }
    }));
  });

  it("the SSRF guard and the gateway read IPv4 and IPv6 literals the same way", () => {
    fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
      const loop = gatewayLoopback(ip);
      if (loop) assert.match(deniedReason(ip) ?? "", /loopback|mapped|compatible|unspecified/);
      assert.notEqual(deniedReason(ip), "not an IP address");
    }));
  });
});
