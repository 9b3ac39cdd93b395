import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createRouterOS, ROUTEROS_COMMAND_TIMEOUT_MS } from "../../lib/routeros/create_routeros.ts";
import { RouterOSError } from "../../lib/routeros/routeros_error.ts";
import type { RouterOS } from "../../lib/routeros/types.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

function isRouterError(status: number | undefined, pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof RouterOSError, String(error));
    assert.equal(error.code, "E_ROUTEROS");
    assert.equal(error.status, status);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, new RegExp(FAKE_ROUTEROS_PASSWORD));
    return true;
  };
}

describe("createRouterOS() against the fake router", () => {
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

  it("sends Basic auth and reads all-string records", async () => {
    const rows = await router.get<Record<string, string>[]>("/interface", {
      name: "ether1",
    });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.mtu, "1500");
    assert.equal(fake.requests.at(-1)!.user, FAKE_ROUTEROS_USER);
  });
  it("reads a singleton as an object", async () => {
    const resource = await router.get<Record<string, string>>(
      "/system/resource",
    );
    assert.equal(resource.version, "7.16.1 (stable)");
  });
  it("PUT returns the created record (200, as real routers answer) with a new monotonic id", async () => {
    const a = await router.put<Record<string, string>>(
      "/ip/firewall/address-list",
      { list: "t", address: "192.0.2.1" },
    );
    const b = await router.put<Record<string, string>>(
      "/ip/firewall/address-list",
      { list: "t", address: "192.0.2.2" },
    );
    assert.match(a[".id"]!, /^\*[0-9A-F]+$/);
    assert.ok(
      parseInt(b[".id"]!.slice(1), 16) > parseInt(a[".id"]!.slice(1), 16),
    );
    assert.equal(a.disabled, "false");
  });
  it("PATCH returns the whole record, DELETE resolves on 200 with an empty body", async () => {
    const created = await router.put<Record<string, string>>(
      "/ip/firewall/address-list",
      { list: "t", address: "192.0.2.3" },
    );
    const updated = await router.patch<Record<string, string>>(
      `/ip/firewall/address-list/${created[".id"]}`,
      { comment: "x" },
    );
    assert.equal(updated.comment, "x");
    assert.equal(updated.address, "192.0.2.3");
    await router.remove(`/ip/firewall/address-list/${created[".id"]}`);
    await assert.rejects(
      router.remove(`/ip/firewall/address-list/${created[".id"]}`),
      isRouterError(404, /Not Found/),
    );
  });
  it("surfaces 'failure: already have such entry' with status and command", async () => {
    await assert.rejects(
      router.call({
        method: "PUT",
        path: "/ip/firewall/address-list",
        body: { list: "blocked", address: "198.51.100.9" },
      }, {
        command: "/ip firewall address-list add list=blocked address=198.51.100.9",
      }),
      (error: unknown) => {
        isRouterError(400, /already have such entry/)(error);
        const e = error as RouterOSError;
        assert.equal(e.detail, "failure: already have such entry");
        assert.equal(e.routerMessage, "Bad Request");
        assert.equal(
          e.command,
          "/ip firewall address-list add list=blocked address=198.51.100.9",
        );
        assert.match(e.message, /^Cannot run "\/ip firewall address-list add/);
        return true;
      },
    );
  });
  it("surfaces 400 no such command or directory", async () => {
    await assert.rejects(
      router.post("/interface/frobnicate", {}),
      isRouterError(400, /no such command or directory \(frobnicate\)/),
    );
  });
  it("POST commands return the command's reply", async () => {
    const rows = await router.post<unknown[]>("/ip/address/print", {
      ".proplist": "address",
    });
    assert.equal(rows.length, 2);
    const count = await router.post<{ ret: string }>("/ip/address/print", {
      "count-only": "",
    });
    assert.equal(count.ret, "2");
    const q = await router.post<Record<string, string>[]>("/interface/print", {
      ".query": ["name=ether1", "name=ether2", "#|"],
      ".proplist": "name",
    });
    assert.deepEqual(q, [{ name: "ether1" }, { name: "ether2" }]);
  });
  it("401 with wrong credentials says what to check, without the password", async () => {
    const bad = createRouterOS({
      url: fake.url,
      user: FAKE_ROUTEROS_USER,
      password: "wrong",
    });
    await assert.rejects(
      bad.get("/system/resource"),
      isRouterError(401, /ROUTER_USER\/ROUTER_PASS.*rest-api/),
    );
  });
  it("the fake answers 401 with WWW-Authenticate and 415 without JSON content type", async () => {
    const none = await fetch(`${fake.url}/system/resource`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Basic realm=/);
    await none.body?.cancel();
    const auth = `Basic ${btoa(`${FAKE_ROUTEROS_USER}:${FAKE_ROUTEROS_PASSWORD}`)}`;
    const plain = await fetch(`${fake.url}/ip/firewall/address-list`, {
      method: "PUT",
      headers: { authorization: auth, "content-type": "text/plain" },
      body: JSON.stringify({ list: "x", address: "192.0.2.50" }),
    });
    assert.equal(plain.status, 415);
    await plain.body?.cancel();
    const exp = await fetch(`${fake.url}/ip/firewall/address-list`, {
      method: "PUT",
      headers: { authorization: auth, "content-type": "application/json" },
      body: '{"list":"x","address":"192.0.2.51","timeout":1e3}',
    });
    assert.equal(exp.status, 400);
    assert.match((await exp.json()).detail, /Failed to parse json/);
    const star = await fetch(`${fake.url}/interface/%2A1`, {
      headers: { authorization: auth },
    });
    assert.match((await star.json()).detail, /no such command prefix/);
  });
  it("a group without api gets 500 std failure: not allowed", async () => {
    const f = await startFakeRouterOS({
      users: [{ name: "u", password: "p", group: "noapi" }],
    });
    try {
      const r = createRouterOS({ url: f.url, user: "u", password: "p" });
      await assert.rejects(
        r.get("/system/resource"),
        isRouterError(500, /not allowed \(9\)/),
      );
    } finally {
      await f.close();
    }
  });
  it("newer manual's statuses: PUT 201 + Location and DELETE 204 work too", async () => {
    const f = await startFakeRouterOS({ manualStatuses: true });
    try {
      const r = createRouterOS({
        url: f.url,
        user: FAKE_ROUTEROS_USER,
        password: FAKE_ROUTEROS_PASSWORD,
      });
      const created = await r.put<Record<string, string>>(
        "/ip/firewall/address-list",
        { list: "l", address: "192.0.2.9" },
      );
      assert.equal(created.address, "192.0.2.9");
      await r.remove(`/ip/firewall/address-list/${created[".id"]}`);
      assert.equal(
        f.items("/ip/firewall/address-list").some((x) => x.address === "192.0.2.9"),
        false,
      );
    } finally {
      await f.close();
    }
  });
  it("serialises requests of one router user (the fake never sees two at once)", async () => {
    const f = await startFakeRouterOS();
    f.state.delayMs = 20;
    try {
      const a = createRouterOS({
        url: f.url,
        user: FAKE_ROUTEROS_USER,
        password: FAKE_ROUTEROS_PASSWORD,
      });
      const b = createRouterOS({
        url: f.url,
        user: FAKE_ROUTEROS_USER,
        password: FAKE_ROUTEROS_PASSWORD,
      });
      const order: number[] = [];
      await Promise.all(
        Array.from(
          { length: 6 },
          (_, i) => (i % 2 ? a : b).get("/interface").then(() => order.push(i)),
        ),
      );
      assert.equal(f.state.maxInFlight.get(FAKE_ROUTEROS_USER), 1);
      assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
      // Control: the fake does measure concurrency when a client does not queue.
      const auth = `Basic ${btoa(`${FAKE_ROUTEROS_USER}:${FAKE_ROUTEROS_PASSWORD}`)}`;
      await Promise.all(
        [1, 2, 3].map(() =>
          fetch(`${f.url}/interface`, { headers: { authorization: auth } })
            .then((r) => r.text())
        ),
      );
      assert.ok(f.state.maxInFlight.get(FAKE_ROUTEROS_USER)! > 1);
    } finally {
      await f.close();
    }
  });
  it("the router's 60 s cut (scaled) surfaces as a clear error; the client's own limit sits under it", async () => {
    const f = await startFakeRouterOS({ sessionTimeoutMs: 300 });
    try {
      const r = createRouterOS({
        url: f.url,
        user: FAKE_ROUTEROS_USER,
        password: FAKE_ROUTEROS_PASSWORD,
      });
      // A ping without count streams until the cut.
      await assert.rejects(
        r.post("/ping", { address: "1.1.1.1" }),
        isRouterError(400, /60 s limit \(Session closed\)/),
      );
      // The default command limit sits just under the router's cut (60 s).
      assert.ok(ROUTEROS_COMMAND_TIMEOUT_MS < 60_000 && ROUTEROS_COMMAND_TIMEOUT_MS >= 55_000);
      const under = createRouterOS({
        url: f.url,
        user: FAKE_ROUTEROS_USER,
        password: FAKE_ROUTEROS_PASSWORD,
        commandTimeoutMs: 150,
      });
      await assert.rejects(
        under.post("/ping", { address: "1.1.1.1" }),
        isRouterError(undefined, /no reply from the router within 150 ms .*did not finish/),
      );
      f.state.hang = true;
      const quick = createRouterOS({
        url: f.url,
        user: FAKE_ROUTEROS_USER,
        password: FAKE_ROUTEROS_PASSWORD,
        timeoutMs: 50,
      });
      await assert.rejects(
        quick.get("/interface"),
        isRouterError(undefined, /no reply from the router within 50 ms/),
      );
    } finally {
      f.state.hang = false;
      await f.close();
    }
  });
  it("an aborted signal cancels a queued call", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      router.get("/interface", undefined, { signal: controller.signal }),
      /cancelled|abort/i,
    );
  });
  it("refuses a connection it cannot make with a clear message", async () => {
    const r = createRouterOS({
      url: "http://127.0.0.1:1/rest",
      user: "u",
      password: "p",
      timeoutMs: 2000,
    });
    await assert.rejects(
      r.get("/system/resource"),
      isRouterError(
        undefined,
        /^Cannot reach the router at http:\/\/127\.0\.0\.1:1\/rest/,
      ),
    );
  });
  it("validates options", () => {
    assert.throws(
      () => createRouterOS({ user: "u", password: "p" }),
      TypeError,
    );
    assert.throws(
      () => createRouterOS({ url: "ftp://x/rest", user: "u", password: "p" }),
      TypeError,
    );
    assert.throws(
      () => createRouterOS({ url: "http://a:b@x/rest", user: "u", password: "p" }),
      TypeError,
    );
    assert.throws(
      () => createRouterOS({ host: "x/y", user: "u", password: "p" }),
      TypeError,
    );
    assert.throws(
      () =>
        createRouterOS({
          url: "http://x/rest",
          user: "u",
          password: "p",
          tlsFingerprint: "00".repeat(32),
        }),
      /not https/,
    );
    assert.equal(
      createRouterOS({ host: "192.168.88.1", user: "u", password: "p" }).url,
      "https://192.168.88.1/rest",
    );
  });
});
