import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createRouterOSPolicy } from "../../lib/routeros/policy.ts";
import { planConsoleLine } from "../../lib/routeros/console.ts";
import { PolicyError } from "../../lib/errors.ts";

const OFF = createRouterOSPolicy();
const WRITE = createRouterOSPolicy({ allowWrite: true });
const ALL = createRouterOSPolicy({
  allowWrite: true,
  allowExecute: true,
  writeScopes: ["/"],
});

// [line, policy, the setting or reason the refusal must name]
const REFUSED: [string, ReturnType<typeof createRouterOSPolicy>, RegExp][] = [
  [
    "/ip firewall address-list add list=blocked address=203.0.113.7",
    OFF,
    /ROUTEROS_ALLOW_WRITE=1/,
  ],
  [
    '/ip firewall filter remove [find comment="x"]',
    OFF,
    /ROUTEROS_ALLOW_WRITE=1/,
  ],
  ["/interface disable ether2", OFF, /ROUTEROS_ALLOW_WRITE=1/],
  [
    "/interface disable ether2",
    WRITE,
    /\/interface is outside ROUTEROS_WRITE_SCOPES.*add it to ROUTEROS_WRITE_SCOPES/,
  ],
  [
    "/ip address add address=10.0.0.1/24 interface=ether2",
    WRITE,
    /ROUTEROS_WRITE_SCOPES/,
  ],
  ["/system identity set name=x", WRITE, /ROUTEROS_WRITE_SCOPES/],
  [
    "/log info hello",
    OFF,
    /commands with side effects.*ROUTEROS_ALLOW_WRITE=1/,
  ],
  [
    "/tool wol mac=00:11:22:33:44:55",
    WRITE,
    /\/tool\/wol is outside ROUTEROS_WRITE_SCOPES/,
  ],
  ['/execute script=":put 1"', WRITE, /ROUTEROS_ALLOW_EXECUTE=1/],
  [":put [/system clock get time]", WRITE, /ROUTEROS_ALLOW_EXECUTE=1/],
  ["/system script run backup", WRITE, /ROUTEROS_ALLOW_EXECUTE=1/],
  [
    '/system scheduler add name=x on-event="/system reboot" interval=1m',
    WRITE,
    /ROUTEROS_ALLOW_EXECUTE=1/,
  ],
  [
    "/system scheduler add name=x on-event=y",
    createRouterOSPolicy({ allowExecute: true }),
    /ROUTEROS_ALLOW_WRITE=1 as well/,
  ],
  ["/import file=x.rsc", WRITE, /ROUTEROS_ALLOW_EXECUTE=1/],
  ["/user add name=evil group=full password=x", ALL, /no setting allows it/],
  ["/user print", ALL, /no setting allows it/],
  ["/user group set full policy=all", ALL, /no setting allows it/],
  ["/password old-password=a new-password=b", ALL, /no setting allows it/],
  ["/system reset-configuration no-defaults=yes", ALL, /no setting allows it/],
  ["/system package disable wireless", ALL, /no setting allows it/],
  [
    "/certificate export-certificate *1 export-passphrase=secret",
    ALL,
    /private keys.*no setting allows it/,
  ],
  ["/file remove flash/backup.rsc", ALL, /no setting allows it/],
  ["/export show-sensitive", ALL, /no setting allows it/],
  ["/system reboot", ALL, /ROUTEROS_WRITE_SCOPES names it exactly/],
  [
    "/system/shutdown",
    createRouterOSPolicy({ allowWrite: true, writeScopes: ["/system"] }),
    /names it exactly/,
  ],
  [
    "/system/reboot",
    createRouterOSPolicy({ writeScopes: ["/system/reboot"] }),
    /ROUTEROS_ALLOW_WRITE=1/,
  ],
  [
    "/ip firewall filter add chain=input action=drop",
    createRouterOSPolicy({ allowWrite: true, writeScopes: [] }),
    /ROUTEROS_WRITE_SCOPES \(empty\)/,
  ],
  [
    "/ip firewall nat add chain=srcnat action=masquerade",
    WRITE,
    /\/ip\/firewall\/nat is outside/,
  ],
];

const ALLOWED: [string, ReturnType<typeof createRouterOSPolicy>][] = [
  ["/ip address print", OFF],
  ["/system resource print", OFF],
  ["/interface print where running=yes", OFF],
  ["/ping 1.1.1.1 count=2", OFF],
  ["/interface monitor-traffic ether1 once", OFF],
  ["/system package print", OFF],
  ["/ip firewall address-list add list=blocked address=203.0.113.7", WRITE],
  ['/ip firewall filter remove [find comment="x"]', WRITE],
  ["/ip firewall filter move *9 *A", WRITE],
  [
    "/system/reboot",
    createRouterOSPolicy({ allowWrite: true, writeScopes: ["/system/reboot"] }),
  ],
  [
    "/interface disable ether2",
    createRouterOSPolicy({ allowWrite: true, writeScopes: ["/interface"] }),
  ],
  ['/execute script=":put 1"', createRouterOSPolicy({ allowExecute: true })],
  ["/system script run backup", createRouterOSPolicy({ allowExecute: true })],
  ["/certificate export-certificate *1", ALL],
];

describe("createRouterOSPolicy()", () => {
  for (const [line, policy, pattern] of REFUSED) {
    it(`refuses ${JSON.stringify(line)} naming what would allow it`, () => {
      const plan = planConsoleLine(line);
      assert.throws(() => policy.check(plan), (error: unknown) => {
        assert.ok(error instanceof PolicyError);
        assert.equal(error.code, "E_POLICY_BLOCKED");
        assert.match(error.message, pattern);
        assert.match(error.message, /^Cannot run "/);
        return true;
      });
      assert.equal(policy.decide(plan).allowed, false);
    });
  }
  for (const [line, policy] of ALLOWED) {
    it(`allows ${JSON.stringify(line)}`, () => {
      assert.deepEqual(policy.decide(planConsoleLine(line)), { allowed: true });
    });
  }
  it("normalises scopes and matches on segment boundaries only", () => {
    const p = createRouterOSPolicy({
      allowWrite: true,
      writeScopes: ["ip firewall address-list/"],
    });
    assert.deepEqual(p.writeScopes, ["/ip/firewall/address-list"]);
    assert.equal(
      p.decide(planConsoleLine("/ip firewall address-list-evil add x=y"))
        .allowed,
      false,
    );
  });
  it("denies writes and execute by default, with the firewall write scopes", () => {
    const none = createRouterOSPolicy();
    assert.equal(none.allowWrite, false);
    assert.equal(none.allowExecute, false);
    assert.deepEqual(none.writeScopes, [
      "/ip/firewall/address-list",
      "/ip/firewall/filter",
    ]);
    assert.deepEqual(createRouterOSPolicy({ writeScopes: [] }).writeScopes, []);
  });
});
