import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createRouterOS } from "../../lib/routeros/create_routeros.ts";
import { normalizeFingerprint, pinningSupport } from "../../lib/routeros/pinned_fetch.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_TLS,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

describe("certificate pinning against a self-signed HTTPS router", () => {
  let fake: FakeRouterOS;
  before(async () => {
    fake = await startFakeRouterOS({ tls: true });
  });
  after(() => fake.close());
  const options = () => ({
    url: fake.url,
    user: FAKE_ROUTEROS_USER,
    password: FAKE_ROUTEROS_PASSWORD,
  });

  it("this runtime can pin", () => {
    assert.equal(pinningSupport().supported, true);
  });
  it("accepts the certificate whose SHA-256 matches (colons or not, any case)", async () => {
    for (
      const pin of [
        FAKE_ROUTEROS_TLS.fingerprint,
        FAKE_ROUTEROS_TLS.fingerprint.replace(/:/g, "").toLowerCase(),
      ]
    ) {
      const router = createRouterOS({ ...options(), tlsFingerprint: pin });
      const resource = await router.get<Record<string, string>>(
        "/system/resource",
      );
      assert.equal(resource.version, "7.16.1 (stable)");
      const created = await router.put<Record<string, string>>(
        "/ip/firewall/address-list",
        { list: "tls", address: `192.0.2.${pin.length}` },
      );
      assert.match(created[".id"]!, /^\*/);
      await router.remove(`/ip/firewall/address-list/${created[".id"]}`);
    }
  });
  it("refuses a wrong fingerprint before sending anything", async () => {
    const before = fake.requests.length;
    const router = createRouterOS({
      ...options(),
      tlsFingerprint: "AB".repeat(32),
    });
    await assert.rejects(router.get("/system/resource"), (error: Error) => {
      assert.match(
        error.message,
        /fingerprint 59:CF:A4.* does not match ROUTER_TLS_FINGERPRINT/,
      );
      return true;
    });
    assert.equal(
      fake.requests.length,
      before,
      "no request (and no credentials) reached the server",
    );
  });
  it("refuses the self-signed certificate without a fingerprint, and says how to pin", async () => {
    const before = fake.requests.length;
    const router = createRouterOS(options());
    await assert.rejects(
      router.get("/system/resource"),
      /ROUTER_TLS_FINGERPRINT/,
    );
    assert.equal(fake.requests.length, before);
  });
  it("normalizeFingerprint() refuses anything but 64 hex digits", () => {
    assert.equal(
      normalizeFingerprint(FAKE_ROUTEROS_TLS.fingerprint).length,
      64,
    );
    for (
      const bad of [
        "",
        "abc",
        "zz".repeat(32),
        "AB".repeat(31),
        "AB".repeat(33),
      ]
    ) {
      assert.throws(() => normalizeFingerprint(bad), TypeError);
    }
  });
});
