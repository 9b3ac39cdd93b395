import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  createLockoutGuard,
  findLockout,
  quoteRouterOSValue,
  type SessionPath,
} from "../../lib/changes/mod.ts";
import type { RouterOSCall } from "../../lib/routeros/types.ts";
import { PolicyError } from "../../lib/errors.ts";
import { parseScriptCommand } from "../_fakes/routeros_scheduler.ts";
import { type World, world, writes } from "./_helpers.ts";

const SESSION: SessionPath = {
  host: "192.168.88.1",
  port: 443,
  service: "www-ssl",
  user: "mikroclaw",
  group: "mikroclaw",
  sourceAddress: "192.168.88.10",
  interfaces: ["bridge"],
  addressIds: ["*A1"],
  routeIds: ["*R1"],
};

const ITEMS = new Map<string, Record<string, string>>([
  ["/interface|*I1", { name: "bridge", disabled: "false" }],
  ["/interface|*I2", { name: "ether2", disabled: "false" }],
  ["/ip/address|*A1", { address: "192.168.88.1/24", interface: "bridge" }],
  ["/ip/address|*A2", { address: "203.0.113.2/30", interface: "ether1" }],
  ["/ip/route|*R1", { "dst-address": "192.168.88.0/24", gateway: "bridge" }],
  ["/ip/route|*R2", { "dst-address": "10.0.0.0/8", gateway: "203.0.113.1" }],
  ["/ip/firewall/filter|*F1", {
    chain: "input",
    action: "accept",
    "connection-state": "established,related,untracked",
  }],
  ["/ip/firewall/filter|*F2", {
    chain: "input",
    action: "accept",
    protocol: "tcp",
    "dst-port": "443",
    "src-address": "192.168.88.0/24",
  }],
  ["/ip/firewall/filter|*F3", { chain: "input", action: "accept", protocol: "icmp" }],
  ["/ip/firewall/filter|*F4", { chain: "input", action: "accept", "src-address": "10.9.9.9" }],
  ["/ip/firewall/filter|*F5", { chain: "forward", action: "drop", "connection-state": "invalid" }],
  ["/ip/service|*S1", { name: "www-ssl", port: "443", address: "", disabled: "false" }],
  ["/ip/service|*S2", { name: "telnet", port: "23", disabled: "false" }],
  ["/user|*U1", { name: "mikroclaw", group: "mikroclaw" }],
  ["/user|*U2", { name: "bob", group: "read" }],
  ["/user/group|*G1", { name: "mikroclaw", policy: "read,write,test,api,rest-api" }],
]);

const patch = (path: string, body: Record<string, unknown>): RouterOSCall => ({
  method: "PATCH",
  path,
  body,
});
const del = (path: string): RouterOSCall => ({ method: "DELETE", path });
const put = (path: string, body: Record<string, unknown>): RouterOSCall => ({
  method: "PUT",
  path,
  body,
});
const post = (path: string, body: Record<string, unknown>): RouterOSCall => ({
  method: "POST",
  path,
  body,
});

// [what, call, refusal pattern or null when allowed]
const TABLE: [string, RouterOSCall, RegExp | null][] = [
  [
    "disable the interface carrying the session",
    patch("/interface/*I1", { disabled: "yes" }),
    /disabling interface bridge/,
  ],
  ["remove the interface carrying the session", del("/interface/*I1"), /removing interface bridge/],
  ["disable another interface", post("/interface/disable", { ".id": "*I2" }), null],
  ["remove the session's address", del("/ip/address/*A1"), /removing address 192\.168\.88\.1\/24/],
  [
    "move the session's address",
    patch("/ip/address/*A1", { address: "192.168.99.1/24" }),
    /changing address/,
  ],
  ["comment the session's address", patch("/ip/address/*A1", { comment: "lan" }), null],
  ["remove another address", del("/ip/address/*A2"), null],
  [
    "disable the route back to MikroClaw",
    patch("/ip/route/*R1", { disabled: "true" }),
    /route 192\.168\.88\.0\/24/,
  ],
  ["remove another route", del("/ip/route/*R2"), null],
  ["remove the established/related accept", del("/ip/firewall/filter/*F1"), /firewall rule \*F1/],
  [
    "disable the accept for our port",
    post("/ip/firewall/filter/disable", { ".id": "*F2" }),
    /disabling firewall rule \*F2/,
  ],
  [
    "narrow the accept to another port",
    patch("/ip/firewall/filter/*F2", { "dst-port": "8443" }),
    /changing firewall rule \*F2/,
  ],
  ["comment the accept", patch("/ip/firewall/filter/*F2", { comment: "x" }), null],
  ["remove the ICMP accept", del("/ip/firewall/filter/*F3"), null],
  ["remove an accept for another source", del("/ip/firewall/filter/*F4"), null],
  [
    "add a bare drop on input",
    put("/ip/firewall/filter", { chain: "input", action: "drop" }),
    /no match condition on chain input/,
  ],
  [
    "add a bare reject on forward",
    put("/ip/firewall/filter", { chain: "forward", action: "reject", comment: "x" }),
    /action=reject and no match/,
  ],
  [
    "add a bare drop in raw via POST add",
    post("/ip/firewall/raw/add", { chain: "prerouting", action: "drop" }),
    /no match condition/,
  ],
  [
    "add a drop with a match",
    put("/ip/firewall/filter", { chain: "input", action: "drop", "src-address": "1.2.3.4" }),
    null,
  ],
  [
    "add a disabled bare drop",
    put("/ip/firewall/filter", { chain: "input", action: "drop", disabled: "yes" }),
    null,
  ],
  [
    "unset the only match of a drop",
    post("/ip/firewall/filter/unset", { ".id": "*F5", "value-name": "connection-state" }),
    /no match condition on chain forward/,
  ],
  [
    "disable the REST service",
    post("/ip/service/disable", { ".id": "*S1" }),
    /disabling the www-ssl service/,
  ],
  ["move the REST service's port", patch("/ip/service/*S1", { port: "8443" }), /port 8443/],
  [
    "limit the REST service to others",
    patch("/ip/service/*S1", { address: "10.0.0.0/8" }),
    /would exclude MikroClaw/,
  ],
  [
    "limit the REST service to our LAN",
    patch("/ip/service/*S1", { address: "192.168.88.0/24" }),
    null,
  ],
  ["disable telnet", patch("/ip/service/*S2", { disabled: "true" }), null],
  [
    "turn REST over TLS off",
    post("/ip/service/webserver/set", { "rest-secure": "no" }),
    /turning REST off/,
  ],
  [
    "change MikroClaw's router user",
    patch("/user/*U1", { group: "read" }),
    /router user mikroclaw/,
  ],
  ["remove MikroClaw's router user", del("/user/*U1"), /router user mikroclaw/],
  [
    "strip api from MikroClaw's group",
    patch("/user/group/*G1", { policy: "read,write" }),
    /needs api, rest-api/,
  ],
  ["change another user", patch("/user/*U2", { group: "full" }), null],
];

describe("changes: lock-out guard", () => {
  for (const [what, call, expected] of TABLE) {
    it(`${expected ? "refuses" : "allows"}: ${what}`, () => {
      const reasons = findLockout([call], ITEMS, SESSION);
      if (expected === null) assert.deepEqual(reasons, []);
      else {
        assert.equal(reasons.length, 1, JSON.stringify(reasons));
        assert.match(reasons[0]!, expected);
      }
    });
  }

  it("refuses an unknown source's default route and stays quiet on reads", () => {
    const unknown: SessionPath = { ...SESSION, sourceAddress: undefined, routeIds: ["*R0"] };
    const items = new Map([["/ip/route|*R0", {
      "dst-address": "0.0.0.0/0",
      gateway: "203.0.113.1",
    }]]);
    assert.equal(findLockout([del("/ip/route/*R0")], items, unknown).length, 1);
    assert.deepEqual(findLockout([{ method: "GET", path: "/interface" }], ITEMS, SESSION), []);
    // Source unknown: a rule limited to some address may be ours, so it stays protected.
    assert.equal(findLockout([del("/ip/firewall/filter/*F4")], ITEMS, unknown).length, 1);
  });

  it("quotes any value so RouterOS reads it back verbatim", () => {
    const alphabet = fc.constantFrom(...'"\\$?\n\r\t\x01\x7f[]{};= a*é/'.split(""));
    fc.assert(
      fc.property(fc.string({ unit: alphabet }), fc.string(), (value, other) => {
        for (const v of [value, other]) {
          const tokens = parseScriptCommand(
            `/ip/firewall/filter/set numbers=*1 comment=${quoteRouterOSValue(v)}`,
          );
          assert.equal(tokens.length, 3);
          assert.deepEqual(tokens[2], { type: "pair", key: "comment", value: v });
        }
      }),
      { numRuns: 300 },
    );
  });

  describe("with the fake router", () => {
    const worlds: World[] = [];
    after(async () => {
      for (const w of worlds) await w.close();
    });

    it("refuses through the executor, records it, writes nothing", async () => {
      const w = await world();
      worlds.push(w);
      await assert.rejects(
        w.executor.execute("/interface disable bridge", { requestedBy: "telegram:4242" }),
        (e) => e instanceof PolicyError && /interface bridge would cut/.test(e.message),
      );
      await assert.rejects(
        w.executor.execute("/ip firewall filter add chain=input action=drop", {
          requestedBy: "telegram:4242",
        }),
        (e) => e instanceof PolicyError && /no match condition/.test(e.message),
      );
      await assert.rejects(
        w.executor.execute('/ip address remove [find address="192.168.88.1/24"]', {
          requestedBy: "telegram:4242",
        }),
        PolicyError,
      );
      assert.deepEqual(writes(w.fake), []);
      const records = await w.manager.list();
      assert.deepEqual(records.map((r) => r.state), ["refused", "refused", "refused"]);
      assert.match(records.at(-1)!.error!, /lock-out guard/);
      await w.executor.execute("/interface disable ether3", { requestedBy: "telegram:4242" });
      assert.equal(w.fake.items("/interface").find((i) => i.name === "ether3")!.disabled, "true");
    });

    it("derives the session path from the router", async () => {
      const w = await world();
      worlds.push(w);
      const guard = createLockoutGuard({
        router: w.router,
        host: "192.168.88.1",
        sourceAddress: "192.168.88.10",
      });
      const session = await guard.session();
      assert.deepEqual(session.interfaces, ["bridge"]);
      assert.equal(session.group, "mikroclaw");
      assert.equal(session.service, "www");
      assert.equal(
        session.port,
        new URL(w.fake.url).port === "" ? 80 : Number(new URL(w.fake.url).port),
      );
      const routes = w.fake.items("/ip/route");
      assert.deepEqual(session.routeIds, [
        routes.find((r) => r["dst-address"] === "192.168.88.0/24")![".id"],
      ]);
      const plain = await createLockoutGuard({ router: w.router }).session();
      assert.deepEqual(plain.routeIds, [
        routes.find((r) => r["dst-address"] === "0.0.0.0/0")![".id"],
      ]);
    });
  });
});
