import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { planConsoleLine, resolvePlan } from "../../lib/routeros/console.ts";
import { tokenizeConsoleLine } from "../../lib/routeros/tokenize.ts";
import { createRouterOS } from "../../lib/routeros/create_routeros.ts";
import { isAgentError } from "../../lib/errors.ts";
import type { RouterOS, RouterOSCall } from "../../lib/routeros/types.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

interface Row {
  line: string;
  kind: string;
  calls: RouterOSCall[];
  /** The reads made to resolve names / [find …], in order. */
  lookups?: RouterOSCall[];
}

// Seeded fake ids: interfaces *1..*4 (ether1, ether2, ether3, bridge), addresses *5 *6,
// routes *7 *8, filter *9..*D, address-list *E, nat *F.
const TABLE: Row[] = [
  {
    line: '/ip firewall address-list add list=blocked address=203.0.113.7 comment="from bot"',
    kind: "write",
    calls: [{
      method: "PUT",
      path: "/ip/firewall/address-list",
      body: { list: "blocked", address: "203.0.113.7", comment: "from bot" },
    }],
  },
  {
    line: "/ip/firewall/address-list/add list=blocked address=203.0.113.8 timeout=1d",
    kind: "write",
    calls: [{
      method: "PUT",
      path: "/ip/firewall/address-list",
      body: { list: "blocked", address: "203.0.113.8", timeout: "1d" },
    }],
  },
  {
    line: String
      .raw`/ip firewall address-list add list=x address=1.2.3.4 comment="say \"hi\"\_now\21"`,
    kind: "write",
    calls: [{
      method: "PUT",
      path: "/ip/firewall/address-list",
      body: { list: "x", address: "1.2.3.4", comment: 'say "hi" now!' },
    }],
  },
  {
    line: "/ip/address/print where interface=ether1",
    kind: "read",
    calls: [{ method: "GET", path: "/ip/address?interface=ether1" }],
  },
  {
    line: "/ip address print",
    kind: "read",
    calls: [{ method: "GET", path: "/ip/address" }],
  },
  {
    line: "ip address print",
    kind: "read",
    calls: [{ method: "GET", path: "/ip/address" }],
  },
  {
    line: "/system resource print",
    kind: "read",
    calls: [{ method: "GET", path: "/system/resource" }],
  },
  {
    line: "/system/resource",
    kind: "read",
    calls: [{ method: "GET", path: "/system/resource" }],
  },
  {
    line: "/interface print detail",
    kind: "read",
    calls: [{ method: "GET", path: "/interface" }],
  },
  {
    line: "/interface print .proplist=name,running where type=ether and disabled=no",
    kind: "read",
    calls: [{
      method: "GET",
      path: "/interface?type=ether&disabled=false&.proplist=name%2Crunning",
    }],
  },
  {
    line: "/ip address print count-only",
    kind: "read",
    calls: [{
      method: "POST",
      path: "/ip/address/print",
      body: { "count-only": "" },
    }],
  },
  {
    line: "/ip firewall address-list print count-only where list=blocked",
    kind: "read",
    calls: [{
      method: "POST",
      path: "/ip/firewall/address-list/print",
      body: { ".query": ["list=blocked"], "count-only": "" },
    }],
  },
  {
    line: "/interface print where name!=ether1",
    kind: "read",
    calls: [{
      method: "POST",
      path: "/interface/print",
      body: { ".query": ["name=ether1", "#!"] },
    }],
  },
  {
    line: "/interface print where name=ether1 or name=ether2",
    kind: "read",
    calls: [{
      method: "POST",
      path: "/interface/print",
      body: { ".query": ["name=ether1", "name=ether2", "#|"] },
    }],
  },
  {
    line: "/interface print where type=ether and mtu>1400 or !running",
    kind: "read",
    calls: [{
      method: "POST",
      path: "/interface/print",
      body: {
        ".query": ["type=ether", ">mtu=1400", "#&", "running=true", "#!", "#|"],
      },
    }],
  },
  {
    line: '/ip firewall filter print where comment~"defconf" chain=input',
    kind: "read",
    calls: [{ method: "GET", path: "/ip/firewall/filter?chain=input" }],
  },
  {
    line: "/interface print ether1",
    kind: "read",
    calls: [{ method: "GET", path: "/interface/ether1" }],
  },
  {
    line: "/interface print *2",
    kind: "read",
    calls: [{ method: "GET", path: "/interface/*2" }],
  },
  {
    line: "/system identity get name",
    kind: "read",
    calls: [{ method: "GET", path: "/system/identity?.proplist=name" }],
  },
  {
    line: "/interface disable ether2",
    kind: "write",
    lookups: [{
      method: "GET",
      path: "/interface?name=ether2&.proplist=.id%2Cname",
    }],
    calls: [{
      method: "PATCH",
      path: "/interface/*2",
      body: { disabled: "true" },
    }],
  },
  {
    line: "/interface enable numbers=ether2,ether3",
    kind: "write",
    lookups: [{
      method: "POST",
      path: "/interface/print",
      body: {
        ".proplist": ".id,name",
        ".query": ["name=ether2", "name=ether3", "#|"],
      },
    }],
    calls: [
      { method: "PATCH", path: "/interface/*2", body: { disabled: "false" } },
      { method: "PATCH", path: "/interface/*3", body: { disabled: "false" } },
    ],
  },
  {
    line: '/ip firewall filter remove [find comment="defconf: drop invalid"]',
    kind: "write",
    lookups: [{
      method: "GET",
      path: "/ip/firewall/filter?comment=defconf%3A%20drop%20invalid&.proplist=.id",
    }],
    calls: [{ method: "DELETE", path: "/ip/firewall/filter/*A" }],
  },
  {
    line: "/ip firewall filter disable [find where chain=input and action=drop]",
    kind: "write",
    lookups: [{
      method: "GET",
      path: "/ip/firewall/filter?chain=input&action=drop&.proplist=.id",
    }],
    calls: [
      {
        method: "PATCH",
        path: "/ip/firewall/filter/*A",
        body: { disabled: "true" },
      },
      {
        method: "PATCH",
        path: "/ip/firewall/filter/*C",
        body: { disabled: "true" },
      },
    ],
  },
  {
    line: '/ip firewall filter set [find comment~"ICMP"] log=yes',
    kind: "write",
    lookups: [{
      method: "GET",
      path: "/ip/firewall/filter?.proplist=.id%2Ccomment",
    }],
    calls: [{
      method: "PATCH",
      path: "/ip/firewall/filter/*B",
      body: { log: "yes" },
    }],
  },
  {
    line: "/ip address set [find interface=ether1] comment=uplink",
    kind: "write",
    lookups: [{
      method: "GET",
      path: "/ip/address?interface=ether1&.proplist=.id",
    }],
    calls: [{
      method: "PATCH",
      path: "/ip/address/*6",
      body: { comment: "uplink" },
    }],
  },
  {
    line: "/ip firewall address-list remove numbers=*E",
    kind: "write",
    calls: [{ method: "DELETE", path: "/ip/firewall/address-list/*E" }],
  },
  {
    line: "/ip firewall filter remove *9,*a",
    kind: "write",
    calls: [{ method: "DELETE", path: "/ip/firewall/filter/*9" }, {
      method: "DELETE",
      path: "/ip/firewall/filter/*A",
    }],
  },
  {
    line: "/ip firewall nat move *F destination=*F",
    kind: "write",
    calls: [{
      method: "POST",
      path: "/ip/firewall/nat/move",
      body: { ".id": "*F", destination: "*F" },
    }],
  },
  {
    line:
      '/ip firewall filter move [find comment="defconf: accept ICMP"] [find comment="defconf: drop invalid"]',
    kind: "write",
    lookups: [
      {
        method: "GET",
        path: "/ip/firewall/filter?comment=defconf%3A%20accept%20ICMP&.proplist=.id",
      },
      {
        method: "GET",
        path: "/ip/firewall/filter?comment=defconf%3A%20drop%20invalid&.proplist=.id",
      },
    ],
    calls: [{
      method: "POST",
      path: "/ip/firewall/filter/move",
      body: { ".id": "*B", destination: "*A" },
    }],
  },
  {
    line: "/ip firewall filter unset *9 comment",
    kind: "write",
    calls: [{
      method: "POST",
      path: "/ip/firewall/filter/unset",
      body: { ".id": "*9", "value-name": "comment" },
    }],
  },
  {
    line: "/system identity set name=router1",
    kind: "write",
    calls: [{
      method: "POST",
      path: "/system/identity/set",
      body: { name: "router1" },
    }],
  },
  {
    line: "/ping address=1.1.1.1 count=3",
    kind: "read",
    calls: [{
      method: "POST",
      path: "/ping",
      body: { address: "1.1.1.1", count: "3" },
    }],
  },
  {
    line: "/ping 8.8.8.8",
    kind: "read",
    calls: [{
      method: "POST",
      path: "/ping",
      body: { address: "8.8.8.8", count: "4" },
    }],
  },
  {
    line: "/interface monitor-traffic ether1 once",
    kind: "read",
    calls: [{
      method: "POST",
      path: "/interface/monitor-traffic",
      body: { once: "", interface: "ether1" },
    }],
  },
  {
    line: "/system/reboot",
    kind: "command",
    calls: [{ method: "POST", path: "/system/reboot", body: {} }],
  },
  {
    line: "/system shutdown",
    kind: "command",
    calls: [{ method: "POST", path: "/system/shutdown", body: {} }],
  },
  {
    line: '/log info "hello world"',
    kind: "command",
    calls: [{
      method: "POST",
      path: "/log/info",
      body: { message: "hello world" },
    }],
  },
  {
    line: "/tool wol mac=00:11:22:33:44:55",
    kind: "command",
    calls: [{
      method: "POST",
      path: "/tool/wol",
      body: { mac: "00:11:22:33:44:55" },
    }],
  },
  {
    line: '/execute script=":put [/system/clock/get date]"',
    kind: "execute",
    calls: [{
      method: "POST",
      path: "/execute",
      body: { script: ":put [/system/clock/get date]", "as-string": "" },
    }],
  },
  {
    line: ":foreach i in=[/interface find] do={:put $i}",
    kind: "execute",
    calls: [{
      method: "POST",
      path: "/execute",
      body: {
        script: ":foreach i in=[/interface find] do={:put $i}",
        "as-string": "",
      },
    }],
  },
  {
    line:
      "/ip/firewall/filter/add chain=input action=accept protocol=tcp dst-port=18789 place-before=*9",
    kind: "write",
    calls: [{
      method: "PUT",
      path: "/ip/firewall/filter",
      body: {
        chain: "input",
        action: "accept",
        protocol: "tcp",
        "dst-port": "18789",
        "place-before": "*9",
      },
    }],
  },
];

const UNMAPPABLE: [string, RegExp][] = [
  ['/ip address add address="1.2.3.4', /unterminated quote/],
  ["/ip address print; /system reboot", /several commands/],
  ["/interface disable 0", /item numbers/],
  ["/ip firewall filter remove [find]", /every item/],
  ["/ip firewall filter remove", /needs an item/],
  ['/ip address print where comment~"a.*b"', /literal text/],
  ["/ip address add", /add without/],
  ["/log print follow", /never ends/],
  ["/ip address remove [/interface get 0]", /only \[find/],
  ["/interface/../user print", /not a menu/],
  ["/tool sniffer quick interface=ether1", /never ends over REST/],
  ["/tool bandwidth-test address=1.2.3.4 duration=forever", /positive duration=/],
  ['"quoted" print', /menu path/],
  ["/ip address add address=1.2.3.4 ]", /unbalanced/],
  ["/ip address print\n/system reboot", /one command per line/],
];

describe("planConsoleLine() + resolvePlan()", () => {
  let fake: FakeRouterOS;
  let router: RouterOS;
  before(async () => {
    fake = await startFakeRouterOS();
    router = createRouterOS({
      url: fake.url,
      user: FAKE_ROUTEROS_USER,
      password: FAKE_ROUTEROS_PASSWORD,
    });
  });
  after(() => fake.close());

  it("has a table of 30+ lines", () => {
    assert.ok(TABLE.length >= 30, String(TABLE.length));
  });
  for (const row of TABLE) {
    it(`maps ${JSON.stringify(row.line)}`, async () => {
      const plan = planConsoleLine(row.line);
      assert.equal(plan.kind, row.kind);
      assert.deepEqual(plan.lookups.map((l) => l.call), row.lookups ?? []);
      const before = fake.requests.length;
      const resolved = await resolvePlan(router, plan);
      assert.deepEqual(resolved.calls, row.calls);
      assert.equal(resolved.lookups.length, 0);
      // The lookups really went to the router, exactly as planned.
      const sent = fake.requests.slice(before).map((r) => ({
        method: r.method,
        path: r.path,
        ...(r.body !== undefined ? { body: r.body } : {}),
      }));
      assert.deepEqual(sent, row.lookups ?? []);
    });
  }
  for (const [line, pattern] of UNMAPPABLE) {
    it(`refuses to map ${JSON.stringify(line)}`, () => {
      assert.throws(() => planConsoleLine(line), (error: unknown) => {
        assert.ok(
          error instanceof SyntaxError || isAgentError(error),
          String(error),
        );
        assert.match((error as Error).message, pattern);
        assert.match((error as Error).message, /^Cannot /);
        return true;
      });
    });
  }
  it("names a [find …] that matched nothing", async () => {
    const plan = planConsoleLine(
      '/ip firewall filter remove [find comment="nope"]',
    );
    await assert.rejects(
      resolvePlan(router, plan),
      /\[find comment="nope"\] matched nothing in \/ip\/firewall\/filter/,
    );
  });
  it("requires one move destination", async () => {
    const plan = planConsoleLine(
      "/ip firewall filter move *9 [find chain=input]",
    );
    await assert.rejects(resolvePlan(router, plan), /expected one/);
  });
});

describe("tokenizeConsoleLine()", () => {
  it("splits words, pairs, quotes and groups", () => {
    assert.deepEqual(
      tokenizeConsoleLine('set [find name="a b"] comment="x y" disabled'),
      [
        { type: "word", value: "set", quoted: false },
        {
          type: "group",
          raw: '[find name="a b"]',
          tokens: [
            { type: "word", value: "find", quoted: false },
            { type: "pair", key: "name", op: "=", value: "a b", quoted: true },
          ],
        },
        { type: "pair", key: "comment", op: "=", value: "x y", quoted: true },
        { type: "word", value: "disabled", quoted: false },
      ],
    );
  });
  it("never throws anything but SyntaxError or AgentError, also through the mapper", () => {
    const alphabet = fc.constantFrom(
      ...'abz09 =!~<>[]"\\/*;,.$:{}\t-_^'.split(""),
      "find",
      "where",
      " and ",
      " or ",
      "print",
      "remove",
      "/ip/address",
      "\n",
      "\x00",
      "é",
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 60 }).map((a) => a.join("")),
        (line) => {
          for (
            const fn of [
              () => tokenizeConsoleLine(line),
              () => planConsoleLine(line),
            ]
          ) {
            try {
              fn();
            } catch (error) {
              if (
                !(error instanceof SyntaxError) && !isAgentError(error)
              ) throw error;
              assert.match((error as Error).message, /^Cannot /);
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
  it("refuses lines over 4096 characters", () => {
    assert.throws(
      () => tokenizeConsoleLine("/ip address print " + "a".repeat(5000)),
      SyntaxError,
    );
  });
});
