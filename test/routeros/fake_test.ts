/**
 * The RouterOS fake answers the way real routers do (issue #23). Each test names the source of
 * the fact it follows:
 * - [manual]: MikroTik's "REST API" page (help.mikrotik.com / manual.mikrotik.com);
 * - [tik4net]: tik4net's REST findings, measured on RouterOS 7.21.4 and 7.23.2;
 * - [terraform]: terraform-provider-routeros's REST client (accepts 200 on PUT and DELETE);
 * - [tikoci]: tikoci/routeros-skills lab notes (async-commands-rest.md), measured on CHR 7.22.1.
 * Raw `fetch` on purpose: these test the fake, not our client.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

const AUTH = `Basic ${btoa(`${FAKE_ROUTEROS_USER}:${FAKE_ROUTEROS_PASSWORD}`)}`;

async function rest(
  fake: FakeRouterOS,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string; json: unknown }> {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      authorization: AUTH,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

function allStrings(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(allStrings);
  if (typeof value === "object" && value !== null) {
    return Object.values(value).every((v) => typeof v === "string");
  }
  return typeof value === "string";
}

describe("the RouterOS fake answers like real routers", () => {
  let fake: FakeRouterOS;
  before(async () => {
    fake = await startFakeRouterOS({ sessionTimeoutMs: 400 });
  });
  after(() => fake.close());

  it("[manual] GET lists a menu and reads one record by *id; every value is a string", async () => {
    const list = await rest(fake, "GET", "/ip/address");
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.json) && list.json.length === 2);
    assert.ok(allStrings(list.json));
    const id = (list.json as Record<string, string>[])[0]![".id"]!;
    assert.match(id, /^\*[0-9A-F]+$/);
    const one = await rest(fake, "GET", `/ip/address/${id}`);
    assert.equal((one.json as Record<string, string>)[".id"], id);
    assert.equal((one.json as Record<string, string>).disabled, "false");
  });

  it("[tik4net][terraform] PUT adds and answers 200 with the created record", async () => {
    const put = await rest(fake, "PUT", "/ip/firewall/address-list", {
      list: "t",
      address: "192.0.2.40",
      disabled: false,
    });
    assert.equal(put.status, 200);
    const record = put.json as Record<string, string>;
    assert.match(record[".id"]!, /^\*[0-9A-F]+$/);
    assert.equal(record.disabled, "false"); // a JSON boolean comes back as a string
    assert.ok(allStrings(record));
  });

  it("[manual] PATCH sets and returns the whole record", async () => {
    const put = await rest(fake, "PUT", "/ip/firewall/address-list", {
      list: "t",
      address: "192.0.2.41",
    });
    const id = (put.json as Record<string, string>)[".id"]!;
    const patch = await rest(fake, "PATCH", `/ip/firewall/address-list/${id}`, { comment: "c" });
    assert.equal(patch.status, 200);
    assert.equal((patch.json as Record<string, string>).comment, "c");
    assert.equal((patch.json as Record<string, string>).address, "192.0.2.41");
  });

  it("[tik4net][manual] DELETE answers 200 with an empty body; a second DELETE 404", async () => {
    const put = await rest(fake, "PUT", "/ip/firewall/address-list", {
      list: "t",
      address: "192.0.2.42",
    });
    const id = (put.json as Record<string, string>)[".id"]!;
    const first = await rest(fake, "DELETE", `/ip/firewall/address-list/${id}`);
    assert.equal(first.status, 200);
    assert.equal(first.text, "");
    const second = await rest(fake, "DELETE", `/ip/firewall/address-list/${id}`);
    assert.equal(second.status, 404);
    assert.deepEqual(second.json, { error: 404, message: "Not Found" });
  });

  it("[manual] POST <menu>/print takes .proplist and .query", async () => {
    const printed = await rest(fake, "POST", "/interface/print", {
      ".proplist": ["name", "type"],
      ".query": ["type=ether", "running=false", "#&"],
    });
    assert.deepEqual(printed.json, [{ name: "ether3", type: "ether" }]);
  });

  it("[manual] POST move {.id, destination} and unset {.id, value-name}", async () => {
    const rules = (await rest(fake, "GET", "/ip/firewall/filter")).json as Record<
      string,
      string
    >[];
    const last = rules.at(-1)![".id"]!;
    const first = rules[0]![".id"]!;
    const moved = await rest(fake, "POST", "/ip/firewall/filter/move", {
      ".id": last,
      destination: first,
    });
    assert.equal(moved.status, 200);
    const after = (await rest(fake, "GET", "/ip/firewall/filter")).json as Record<
      string,
      string
    >[];
    assert.equal(after[0]![".id"], last);
    const unset = await rest(fake, "POST", "/ip/firewall/filter/unset", {
      ".id": last,
      "value-name": "comment",
    });
    assert.equal(unset.status, 200);
    const one = (await rest(fake, "GET", `/ip/firewall/filter/${last}`)).json as Record<
      string,
      string
    >;
    assert.equal(one.comment, undefined);
  });

  it("[manual] a menu without records takes POST .../set; PATCH on it is 400", async () => {
    const set = await rest(fake, "POST", "/system/identity/set", { name: "edge-1" });
    assert.equal(set.status, 200);
    assert.deepEqual((await rest(fake, "GET", "/system/identity")).json, { name: "edge-1" });
    const patch = await rest(fake, "PATCH", "/system/identity", { name: "x" });
    assert.equal(patch.status, 400);
    assert.deepEqual(patch.json, {
      detail: "missing or invalid resource identifier",
      error: 400,
      message: "Bad Request",
    });
    await rest(fake, "POST", "/system/identity/set", { name: "MikroTik" });
  });

  it("[manual] errors are {error, message, detail?} with the router's words", async () => {
    const unknown = await rest(fake, "POST", "/interface/frobnicate", {});
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.json, {
      detail: "no such command or directory (frobnicate)",
      error: 400,
      message: "Bad Request",
    });
  });

  it("[manual][tikoci] /execute: as-string waits and returns the output in ret; without it a job id", async () => {
    const sync = await rest(fake, "POST", "/execute", {
      script: ":put [/system identity get name]",
      "as-string": "",
    });
    assert.equal(sync.status, 200);
    assert.deepEqual(sync.json, { ret: "MikroTik\r\n" });
    // as-string counts whatever its value [tikoci].
    const falsy = await rest(fake, "POST", "/execute", {
      script: ':put "x"',
      "as-string": "false",
    });
    assert.deepEqual(falsy.json, { ret: "x\r\n" });
    const job = await rest(fake, "POST", "/execute", { script: ":put 1" });
    assert.match((job.json as { ret: string }).ret, /^\*[0-9A-F]+$/);
  });

  it("[tik4net] a failing script answers 200 with the router's error text in ret", async () => {
    const bad = await rest(fake, "POST", "/execute", { script: ":frobnicate", "as-string": "" });
    assert.equal(bad.status, 200);
    assert.deepEqual(bad.json, { ret: "bad command name frobnicate (line 1 column 2)" });
    const partly = await rest(fake, "POST", "/execute", {
      script: ':put "before"; :put [/system identity get nosuch]',
      "as-string": "",
    });
    assert.deepEqual(partly.json, {
      ret: "before\r\ninput does not match any value of value-name",
    });
  });

  it("[manual] a request is cut at the session limit with 400 Session closed", async () => {
    // A ping without count streams until the cut.
    const ping = await rest(fake, "POST", "/ping", { address: "192.0.2.1" });
    assert.equal(ping.status, 400);
    assert.deepEqual(ping.json, { detail: "Session closed", error: 400, message: "Bad Request" });
  });

  it("[manual] a duration does not extend the cut", async () => {
    // 60 s of router time is the whole cut (400 ms here): a 1 m torch never answers in time.
    const torch = await rest(fake, "POST", "/tool/torch", { interface: "ether1", duration: "1m" });
    assert.equal(torch.status, 400);
    assert.equal((torch.json as { detail: string }).detail, "Session closed");
    const short = await rest(fake, "POST", "/tool/torch", { interface: "ether1", duration: "3s" });
    assert.equal(short.status, 200);
    assert.equal((short.json as unknown[]).length, 3);
  });

  it("[tikoci] monitors answer once with once, never without; once=false does not count", async () => {
    const once = await rest(fake, "POST", "/interface/monitor-traffic", {
      interface: "ether1",
      once: "",
    });
    assert.equal(once.status, 200);
    const rows = once.json as Record<string, string>[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]![".section"], undefined);
    for (const body of [{ interface: "ether1" }, { interface: "ether1", once: "false" }]) {
      const never = await rest(fake, "POST", "/interface/monitor-traffic", body);
      assert.equal((never.json as { detail: string }).detail, "Session closed");
    }
  });

  it("[manual] ping with count answers one row per reply, numbered by .section", async () => {
    const ping = await rest(fake, "POST", "/ping", { address: "192.0.2.1", count: "3" });
    assert.equal(ping.status, 200);
    const rows = ping.json as Record<string, string>[];
    assert.deepEqual(rows.map((r) => r[".section"]), ["0", "1", "2"]);
    assert.ok(allStrings(rows));
  });

  it("[manual] one request per user at a time: a hanging command holds the next until the cut", async () => {
    const order: string[] = [];
    const hanging = rest(fake, "POST", "/tool/sniffer/quick", { interface: "ether1" })
      .then((r) => (order.push("sniffer"), r));
    const next = rest(fake, "GET", "/system/identity").then((r) => (order.push("read"), r));
    const [cut, read] = await Promise.all([hanging, next]);
    assert.equal((cut.json as { detail: string }).detail, "Session closed");
    assert.equal(read.status, 200);
    assert.deepEqual(order, ["sniffer", "read"]);
  });
});
