/**
 * Every command of the console table (`CONSOLE_COMMANDS`) that can run forever is bounded or
 * refused: the table is enumerated, so a command added later without a bound fails here.
 * Bounded requests are sent to the fake router, which (like a real one) streams an unbounded
 * command until its 60 s cut; each case also sends the unbounded form as a control.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { planConsoleLine } from "../../lib/routeros/console.ts";
import { CONSOLE_COMMANDS, routerOSSeconds } from "../../lib/routeros/command_bounds.ts";
import { createRouterOS } from "../../lib/routeros/create_routeros.ts";
import { createRouterOSExecutor } from "../../lib/routeros/executor.ts";
import { createRouterOSPolicy } from "../../lib/routeros/policy.ts";
import { routerosExecuteTool } from "../../lib/tools/routeros_execute.ts";
import { RouterOSError } from "../../lib/routeros/routeros_error.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";
import type { RouterOS } from "../../lib/routeros/types.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

const ROUTER_CUT_S = 60;
const entries = Object.entries(CONSOLE_COMMANDS);
const unbounded = entries.filter(([, e]) => e.bound.kind !== "finite");

function clientOf(fake: FakeRouterOS, commandTimeoutMs?: number): RouterOS {
  return createRouterOS({
    url: fake.url,
    user: FAKE_ROUTEROS_USER,
    password: FAKE_ROUTEROS_PASSWORD,
    ...(commandTimeoutMs ? { commandTimeoutMs } : {}),
  });
}

describe("the console table: every command that can run forever is bounded or refused", () => {
  // Router time runs 20x faster (cut at 3 s): the longest default bound (fetch, 30 s) takes 1.5 s.
  let fake: FakeRouterOS;
  // A second fake with a short cut, for the unbounded controls.
  let cutting: FakeRouterOS;
  before(async () => {
    fake = await startFakeRouterOS({ sessionTimeoutMs: 3_000 });
    cutting = await startFakeRouterOS({ sessionTimeoutMs: 200 });
  });
  after(() => Promise.all([fake.close(), cutting.close()]));

  it("knows the commands the issues name", () => {
    for (
      const word of [
        "ping",
        "traceroute",
        "monitor",
        "monitor-traffic",
        "torch",
        "profile",
        "bandwidth-test",
        "fetch",
        "scan",
        "quick",
        "ip-scan",
        "mac-scan",
      ]
    ) {
      assert.ok(Object.hasOwn(CONSOLE_COMMANDS, word), word);
      assert.notEqual(CONSOLE_COMMANDS[word]!.bound.kind, "finite", word);
    }
    for (const [word, entry] of entries) {
      if (entry.bound.kind === "finite") assert.ok(entry.bound.why, word);
      // The example names the command itself.
      if (entry.bound.kind !== "refuse") assert.equal(planConsoleLine(entry.example).verb, word);
    }
  });

  it("a command word that names a menu elsewhere stays a menu there (/ppp profile, /ip ssh)", () => {
    assert.deepEqual(planConsoleLine("/ppp profile add name=office").calls, [{
      method: "PUT",
      path: "/ppp/profile",
      body: { name: "office" },
    }]);
    assert.deepEqual(planConsoleLine("/ppp profile print").calls, [{
      method: "GET",
      path: "/ppp/profile",
    }]);
    assert.deepEqual(planConsoleLine("/ip ssh print").calls, [{ method: "GET", path: "/ip/ssh" }]);
    assert.deepEqual(planConsoleLine("/ip/hotspot/user/profile/print").calls, [{
      method: "GET",
      path: "/ip/hotspot/user/profile",
    }]);
    // ...while /tool profile is the command, bounded.
    assert.equal(planConsoleLine("/tool profile").calls[0]!.body!.duration, "5s");
  });

  for (const [word, entry] of unbounded) {
    const bound = entry.bound;
    it(`${word}: ${bound.kind}`, async () => {
      if (bound.kind === "refuse") {
        assert.throws(
          () => planConsoleLine(entry.example),
          (e: unknown) =>
            e instanceof RouterOSError && /never ends|cannot run over REST/.test(e.message),
        );
        // Through the tool with everything allowed: refused, and nothing reaches the router.
        const before = fake.requests.length;
        const tool = routerosExecuteTool(createRouterOSExecutor({
          router: clientOf(fake),
          policy: createRouterOSPolicy({ allowWrite: true, allowExecute: true }),
        }));
        const result = await tool.call({ command: entry.example }, {
          signal: new AbortController().signal,
          requestedBy: "test",
          sessionKey: "test",
          logger: silentLogger,
        });
        assert.equal(result.isError, true);
        assert.match(result.content, /never ends|cannot run over REST/);
        assert.equal(fake.requests.length, before);
        return;
      }
      const plan = planConsoleLine(entry.example);
      const call = plan.calls[0]!;
      const body = call.body!;
      // The bound added to the unbounded example, and said so.
      if (bound.kind === "count") {
        assert.equal(body.count, String(bound.default));
        assert.ok(bound.max < ROUTER_CUT_S, "max count x 1 s interval stays under the cut");
        const capped = planConsoleLine(`${entry.example} count=1000000`);
        assert.equal(capped.calls[0]!.body!.count, String(bound.max));
        assert.match(capped.notes!.join(), new RegExp(`count=1000000 capped to ${bound.max}`));
        const slow = planConsoleLine(`${entry.example} count=2 interval=1h`);
        assert.equal(slow.calls[0]!.body!.interval, "1s");
      } else if (bound.kind === "once") {
        assert.equal(body.once, "");
        assert.equal(planConsoleLine(`${entry.example} once=no`).calls[0]!.body!.once, "");
        const long = planConsoleLine(`${entry.example} duration=1h`);
        assert.equal(long.calls[0]!.body!.duration, `${bound.maxSeconds}s`);
        assert.ok(bound.maxSeconds < ROUTER_CUT_S);
      } else if (bound.kind === "duration") {
        assert.equal(body.duration, `${bound.defaultSeconds}s`);
        assert.ok(bound.maxSeconds < ROUTER_CUT_S);
        const long = planConsoleLine(`${entry.example} duration=1d`);
        assert.equal(long.calls[0]!.body!.duration, `${bound.maxSeconds}s`);
        assert.match(long.notes!.join(), /capped/);
        assert.ok(routerOSSeconds(String(long.calls[0]!.body!.duration))! < ROUTER_CUT_S);
      }
      assert.match(plan.notes!.join(), /added/);
      // The bounded request answers before the router's cut...
      const reply = await clientOf(fake).call<unknown[]>(call);
      assert.ok(Array.isArray(reply) && reply.length >= 1, JSON.stringify(reply));
      // ...while the same command without its bound streams until the cut (control).
      const raw = { ...body };
      delete raw.count;
      delete raw.once;
      delete raw.duration;
      await assert.rejects(
        clientOf(cutting).call({ ...call, body: raw }),
        (e: unknown) => e instanceof RouterOSError && e.detail === "Session closed",
      );
    });
  }
});

describe("bounds through the routeros_execute tool", () => {
  let fake: FakeRouterOS;
  before(async () => {
    fake = await startFakeRouterOS({ sessionTimeoutMs: 3_000 });
  });
  after(() => fake.close());

  const call = (command: string) =>
    routerosExecuteTool(createRouterOSExecutor({
      router: clientOf(fake),
      policy: createRouterOSPolicy({ allowWrite: true }),
    })).call({ command }, {
      signal: new AbortController().signal,
      requestedBy: "test",
      sessionKey: "test",
      logger: silentLogger,
    });

  it("a ping asked for a million replies is capped, and the result says so", async () => {
    const result = await call("/ping 192.0.2.1 count=1000000");
    assert.equal(result.isError, false, result.content);
    assert.match(result.content, /count=1000000 capped to 10/);
    assert.equal((fake.requests.at(-1)!.body as Record<string, string>).count, "10");
  });

  it("/tool profile without duration goes out with one, and the result says so", async () => {
    const result = await call("/tool profile cpu=all");
    assert.equal(result.isError, false, result.content);
    assert.match(result.content, /duration=5s added/);
    assert.deepEqual(fake.requests.at(-1)!.body, { cpu: "all", duration: "5s" });
  });
});
