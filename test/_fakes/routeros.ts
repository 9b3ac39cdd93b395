/**
 * A faithful fake of the RouterOS v7 REST API (PROTOCOLS.md §1), as a hono app on 127.0.0.1,
 * over HTTP or HTTPS with a self-signed certificate. Reusable by every suite that needs a router.
 *
 * What it reproduces (facts checked against MikroTik's REST API page, tik4net's measurements on
 * 7.21.4 / 7.23.2 and terraform-provider-routeros's client; see issue #23): all-string values,
 * monotonic `*HEX` ids never reused, `200` with the created record on PUT and `200` with an empty
 * body on DELETE, as real routers answer (the `201` + `Location` / `204` the newer manual pages
 * show with `manualStatuses: true`), `404` for unknown ids,
 * `400 no such command or directory (x)`, `400 no such command prefix` for `%2A`,
 * `400 failure: already have such entry` (address-list duplicates), `401` with
 * `WWW-Authenticate: Basic realm="…"`, `500 std failure: not allowed (9)` for a group without
 * `api`, `415` without a JSON content type on writes, `400 Failed to parse json` (also for
 * exponents), exact-match GET filters, `.proplist` (string or array), a `.query` stack
 * evaluator (`k=v`, `k`, `-k`, `<k=v`, `>k=v`, `#|`, `#&`, `#!`), `count-only`, POST commands
 * (`print add set remove enable disable move unset`), singletons (`/system/resource`,
 * `/system/identity`, `/system/clock`, `/ip/dns`), ordered `/ip/firewall/filter` with
 * `place-before` and `move`, `/execute` (`{"ret":"*N"}`, or the `execute` hook's output with
 * `as-string`: a small script interpreter (`:put "x"`, `:put [/system identity get name]`) that
 * answers errors the way routers word them, or the `execute` hook), `/system/reboot`,
 * `/log/info`, per-user request serialisation, and the router's 60 s cut of every request
 * (`400 Session closed`; `sessionTimeoutMs` scales it down for tests). Commands that stream
 * (`ping`, `traceroute`, `monitor*`, `torch`, `profile`, `bandwidth-test`, `fetch`, scans,
 * sniffers) answer after `count` replies, `once`, or their `duration` (scaled like the cut, and
 * never past it); without a bound they hang until the cut, like a real router.
 *
 * ```ts
 * const router = await startFakeRouterOS();            // { url, origin, state, requests, close }
 * const client = createRouterOS({ url: router.url, user: FAKE_ROUTEROS_USER, password: FAKE_ROUTEROS_PASSWORD });
 * router.state.hang = true;                            // next requests hang until the cut: 400 Session closed
 * router.requests                                      // every request: method, path, user, body
 * await router.close();
 * ```
 * @module
 */
import { Hono } from "hono";
import { serve } from "srvx";
import { serveLocal } from "../_utils/serve.ts";

/** Self-signed certificate for 127.0.0.1 / localhost (test only, valid until 2126). */
export const FAKE_ROUTEROS_TLS: {
  cert: string;
  key: string;
  fingerprint: string;
} = {
  cert: `-----BEGIN CERTIFICATE-----
MIIBojCCAUmgAwIBAgIUeSrchJLvZ5w6Kvz9Zuw18CkP+/kwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNZmFrZS1yb3V0ZXJvczAgFw0yNjExMjUyMDE3MTVaGA8yMTI2
MTEwMTIwMTcxNVowGDEWMBQGA1UEAwwNZmFrZS1yb3V0ZXJvczBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABAcPSiLEwtVwuUnKFklmpWq68PCbN93kJhqkoF+UPGwC
mG1I7ZDAxYw8G01RpVzAB2GjJEMmedzfwtr/gubUsAijbzBtMB0GA1UdDgQWBBQF
wxn/8OPxmAG3l5fgCg0pJoSBvDAfBgNVHSMEGDAWgBQFwxn/8OPxmAG3l5fgCg0p
JoSBvDAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9z
dDAKBggqhkjOPQQDAgNHADBEAiBLMJVgoz4ZvGMaPlw15hH2nEEbIkCaVR9Iw5eJ
6W6hlAIgGn3CAQtzkuLdN6MyhNtz9Rzp2q9k7hPZ7WB2VcBpl+k=
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgUi8qoad2Zt0LYtEo
8l6ri2T0KJI+b4Cb3iDrorXgdm6hRANCAAQHD0oixMLVcLlJyhZJZqVquvDwmzfd
5CYapKBflDxsAphtSO2QwMWMPBtNUaVcwAdhoyRDJnnc38La/4Lm1LAI
-----END PRIVATE KEY-----
`,
  fingerprint:
    "59:CF:A4:3A:B0:3E:CD:E0:04:E3:9D:CA:7E:67:9B:E6:74:14:2B:C2:74:1B:FA:25:04:D4:E9:4D:C3:83:DB:90",
};

/** Default user of the fake (group `mikroclaw`: read, write, test, api, rest-api). */
export const FAKE_ROUTEROS_USER = "mikroclaw";
/** Password of {@linkcode FAKE_ROUTEROS_USER}. */
export const FAKE_ROUTEROS_PASSWORD = "s3cret-pass";

/** A record: every value a string. */
export type FakeRecord = Record<string, string>;

/** One request the fake received. */
export interface FakeRouterOSRequest {
  method: string;
  /** Path under `/rest`, query string included, exactly as sent (e.g. `/ip/address?interface=ether1`). */
  path: string;
  /** Basic-auth user, if any. */
  user: string | undefined;
  contentType: string | null;
  /** Parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
}

/** A fake user. */
export interface FakeUser {
  name: string;
  password: string;
  group: string;
}

/** Mutable state of the fake; tests read and change it. */
export interface FakeRouterOSState {
  /** List menus, ordered, by path (`/ip/firewall/filter`). */
  menus: Map<string, FakeRecord[]>;
  /** Record-less menus (`/system/resource`). */
  singletons: Map<string, FakeRecord>;
  /** Passwords by user name (the `/user` menu holds name and group). */
  passwords: Map<string, string>;
  /** 201 + Location on PUT and 204 on DELETE (newer manual pages) instead of 200 / 200. */
  manualStatuses: boolean;
  /** While true, every request hangs until the session cut, then fails with `400 Session closed`. */
  hang: boolean;
  /** The router's cut of one request (60 s on a real router). */
  sessionTimeoutMs: number;
  /** Delay before every reply, to widen concurrency windows. */
  delayMs: number;
  /** Scripts `/execute` and `/system/script/run` received. */
  executed: string[];
  /** Set by `/system/reboot` and `/system/shutdown`. */
  rebooted: boolean;
  /** Highest number of requests of one user in flight at once (arrival concurrency). */
  maxInFlight: Map<string, number>;
  nextId: number;
}

/** Options of {@linkcode startFakeRouterOS}. */
export interface FakeRouterOSOptions {
  /** Serve HTTPS with {@linkcode FAKE_ROUTEROS_TLS}. */
  tls?: boolean;
  /** Answer PUT `201` + `Location` and DELETE `204`, as the newer manual pages show. */
  manualStatuses?: boolean;
  /** Extra or replacement users. Default: `admin` (full, empty password) and `mikroclaw`. */
  users?: FakeUser[];
  /** Extra groups `{name, policy}`. */
  groups?: FakeRecord[];
  /** Output of `/execute` with `as-string`. Default: {@linkcode runFakeScript} on the state. */
  execute?: (script: string) => string;
  /**
   * The router's cut of every request (60 s on a real router); command `duration`s are scaled
   * by the same factor. @default {60000}
   */
  sessionTimeoutMs?: number;
}

/** A running fake router. */
export interface FakeRouterOS {
  /** REST base, e.g. `http://127.0.0.1:41234/rest`. */
  url: string;
  /** Origin without `/rest`. */
  origin: string;
  state: FakeRouterOSState;
  requests: FakeRouterOSRequest[];
  /** Items of a menu (live array). */
  items(menu: string): FakeRecord[];
  close(): Promise<void>;
}

const BOOLEAN_KEYS = new Set([
  "disabled",
  "dynamic",
  "invalid",
  "log",
  "running",
  "once",
]);
const ROOT_COMMANDS = new Set([
  "/ping",
  "/execute",
  "/system/reboot",
  "/system/shutdown",
]);

function seed(
  state: FakeRouterOSState,
  users: FakeUser[],
  groups: FakeRecord[],
): void {
  const id = (): string => `*${(state.nextId++).toString(16).toUpperCase()}`;
  const list = (menu: string, rows: FakeRecord[]): void => {
    state.menus.set(menu, rows.map((r) => ({ ".id": id(), ...r })));
  };
  list(
    "/interface",
    ["ether1", "ether2", "ether3", "bridge"].map((name, i) => ({
      name,
      "default-name": name === "bridge" ? "" : name,
      type: name === "bridge" ? "bridge" : "ether",
      mtu: "1500",
      "actual-mtu": "1500",
      "mac-address": `48:A9:8A:00:00:0${i + 1}`,
      running: name === "ether3" ? "false" : "true",
      disabled: "false",
      "rx-byte": "123456",
      "tx-byte": "654321",
      "rx-packet": "100",
      "tx-packet": "200",
      "link-downs": "0",
    })),
  );
  for (const row of state.menus.get("/interface")!) {
    if (!row["default-name"]) delete row["default-name"];
  }
  list("/ip/address", [
    {
      address: "192.168.88.1/24",
      network: "192.168.88.0",
      interface: "bridge",
      "actual-interface": "bridge",
      disabled: "false",
      dynamic: "false",
      invalid: "false",
    },
    {
      address: "203.0.113.2/30",
      network: "203.0.113.0",
      interface: "ether1",
      "actual-interface": "ether1",
      disabled: "false",
      dynamic: "false",
      invalid: "false",
      comment: "wan",
    },
  ]);
  list("/ip/route", [
    {
      "dst-address": "0.0.0.0/0",
      gateway: "203.0.113.1",
      distance: "1",
      dynamic: "false",
      disabled: "false",
      active: "true",
      "routing-table": "main",
    },
    {
      "dst-address": "192.168.88.0/24",
      gateway: "bridge",
      distance: "0",
      dynamic: "true",
      disabled: "false",
      active: "true",
      "routing-table": "main",
    },
  ]);
  const rule = (r: FakeRecord): FakeRecord => ({
    bytes: "123456",
    packets: "789",
    disabled: "false",
    dynamic: "false",
    invalid: "false",
    log: "false",
    "log-prefix": "",
    ...r,
  });
  list("/ip/firewall/filter", [
    rule({
      chain: "input",
      action: "accept",
      "connection-state": "established,related,untracked",
      comment: "defconf: accept established,related,untracked",
    }),
    rule({
      chain: "input",
      action: "drop",
      "connection-state": "invalid",
      comment: "defconf: drop invalid",
    }),
    rule({
      chain: "input",
      action: "accept",
      protocol: "icmp",
      comment: "defconf: accept ICMP",
    }),
    rule({
      chain: "input",
      action: "drop",
      "in-interface-list": "!LAN",
      comment: "defconf: drop all not coming from LAN",
    }),
    rule({
      chain: "forward",
      action: "accept",
      "connection-state": "established,related,untracked",
      comment: "defconf: accept established,related, untracked",
    }),
  ]);
  list("/ip/firewall/address-list", [
    {
      list: "blocked",
      address: "198.51.100.9",
      "creation-time": "2026-09-28 16:48:57",
      dynamic: "false",
      disabled: "false",
      comment: "seed",
    },
  ]);
  list("/ip/firewall/nat", [
    {
      chain: "srcnat",
      action: "masquerade",
      "out-interface-list": "WAN",
      comment: "defconf: masquerade",
      bytes: "0",
      packets: "0",
      disabled: "false",
      dynamic: "false",
      invalid: "false",
    },
  ]);
  list("/ip/dhcp-server/lease", [
    {
      address: "192.168.88.254",
      "mac-address": "3C:22:FB:12:34:56",
      "host-name": "MacBook-Pro",
      server: "defconf",
      status: "bound",
      dynamic: "true",
      disabled: "false",
    },
  ]);
  list("/system/scheduler", []);
  list("/system/script", []);
  list("/certificate", []);
  list("/file", [{ name: "flash/backup.rsc", type: "script", size: "1024" }]);
  list("/log", [{
    time: "2026-09-28 10:00:01",
    topics: "system,info",
    message: "router rebooted",
  }]);
  list("/user/group", [
    {
      name: "full",
      policy:
        "local,telnet,ssh,ftp,reboot,read,write,policy,test,winbox,password,web,sniff,sensitive,api,romon,rest-api",
    },
    {
      name: "read",
      policy:
        "local,telnet,ssh,reboot,read,test,winbox,password,web,sniff,sensitive,api,romon,rest-api,!ftp,!write,!policy",
    },
    {
      name: "mikroclaw",
      policy:
        "read,write,test,api,rest-api,!local,!telnet,!ssh,!ftp,!reboot,!policy,!winbox,!password,!web,!sniff,!sensitive,!romon",
    },
    { name: "norest", policy: "read,write,api,!rest-api" },
    { name: "noapi", policy: "read,write,rest-api,!api" },
    ...groups,
  ]);
  list(
    "/user",
    users.map((u) => ({ name: u.name, group: u.group, disabled: "false" })),
  );
  for (const u of users) state.passwords.set(u.name, u.password);
  state.singletons.set("/system/resource", {
    uptime: "2d20h12m20s",
    version: "7.16.1 (stable)",
    "build-time": "2024-10-10 12:00:00",
    "factory-software": "7.5",
    "free-memory": "687116288",
    "total-memory": "1073741824",
    cpu: "ARM64",
    "cpu-count": "4",
    "cpu-frequency": "864",
    "cpu-load": "7",
    "free-hdd-space": "83439616",
    "total-hdd-space": "134217728",
    "architecture-name": "arm64",
    "board-name": "hAP ax^2",
    platform: "MikroTik",
  });
  state.singletons.set("/system/identity", { name: "MikroTik" });
  state.singletons.set("/system/clock", {
    time: "10:00:00",
    date: "2026-09-28",
    "time-zone-name": "Europe/Riga",
  });
  state.singletons.set("/ip/dns", {
    servers: "1.1.1.1",
    "allow-remote-requests": "true",
  });
}

/** A real router ends every REST request at 60 s with `400 Session closed`. */
export const ROUTER_CUT_MS = 60_000;

/** How a streaming command ends over REST (issue #23; tikoci's measurements on 7.22.1). */
const STREAMING: Record<string, "count" | "once" | "duration" | "never"> = {
  ping: "count",
  traceroute: "count",
  "flood-ping": "count",
  "mac-ping": "count",
  monitor: "once",
  "monitor-traffic": "once",
  torch: "duration",
  profile: "duration",
  "bandwidth-test": "duration",
  "cable-test": "duration",
  blink: "duration",
  fetch: "duration",
  scan: "never",
  "frequency-scan": "never",
  "spectral-scan": "never",
  snooper: "never",
  sniff: "never",
  quick: "never",
  "ip-scan": "never",
  "mac-scan": "never",
};

/** Seconds of a RouterOS time value (`10`, `10s`, `500ms`, `1m30s`), or NaN. */
function seconds(text: string): number {
  const value = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(value)) return Number.NaN;
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
  let total = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(m[1]) * unit[m[2]!]!;
  }
  return total;
}

/**
 * The fake's script interpreter for `/execute` with `as-string`: `:put "text"`, `:put word`,
 * `:put [/menu get property]` on a record-less menu (`/system identity`, `/system/clock`, …)
 * and `:log info "text"`, one statement per line or `;`. Output lines end in `\r\n` (measured:
 * `{"ret":"hello\r\n"}`). Errors are worded like a router's: `bad command name foo (line 1
 * column 2)`, `syntax error (line 1 column N)`, `input does not match any value of value-name`;
 * the script stops at the first one, after the output so far. Anything else throws (the fake
 * cannot run it: pass the `execute` option).
 */
export function runFakeScript(state: FakeRouterOSState, script: string): string {
  let out = "";
  const lines = script.split(/\r?\n/);
  for (let l = 0; l < lines.length; l++) {
    for (const statement of lines[l]!.split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
      const text = statement.trim();
      const column = lines[l]!.indexOf(text) + 1;
      if (text === "") continue;
      const command = /^:([a-z-]+)\s*(.*)$/i.exec(text);
      if (!command) {
        throw new Error(`the fake cannot run "${text}"; pass startFakeRouterOS({ execute })`);
      }
      const [, name, rest] = command as unknown as [string, string, string];
      if (name === "log") {
        const log = /^(info|warning|error|debug)\s+"([^"]*)"$/.exec(rest);
        if (!log) return `${out}syntax error (line ${l + 1} column ${column + 5})`;
        state.menus.get("/log")?.push({
          ".id": `*${(state.nextId++).toString(16).toUpperCase()}`,
          time: "10:00:00",
          topics: `script,${log[1]}`,
          message: log[2]!,
        });
        continue;
      }
      if (name !== "put") {
        return `${out}bad command name ${name} (line ${l + 1} column ${column + 1})`;
      }
      const quoted = /^"([^"]*)"$/.exec(rest);
      if (quoted) {
        out += `${quoted[1]}\r\n`;
        continue;
      }
      if (/^[A-Za-z0-9.*:-]+$/.test(rest)) {
        out += `${rest}\r\n`;
        continue;
      }
      const get = /^\[\s*(\/[a-z0-9/ -]*?)\s*(?:\/|\s)get\s+([a-z0-9-]+)\s*\]$/i.exec(rest);
      if (!get) {
        throw new Error(`the fake cannot run "${text}"; pass startFakeRouterOS({ execute })`);
      }
      const menu = "/" + get[1]!.split(/[\s/]+/).filter(Boolean).join("/");
      const record = state.singletons.get(menu);
      if (!record) {
        return `${out}syntax error (line ${l + 1} column ${column + 6 + get[1]!.length})`;
      }
      const value = record[get[2]!];
      if (value === undefined) return `${out}input does not match any value of value-name`;
      out += `${value}\r\n`;
    }
  }
  return out;
}

function toStringValue(key: string, value: unknown): string | undefined {
  if (typeof value === "string") {
    if (BOOLEAN_KEYS.has(key) && (value === "yes" || value === "no")) {
      return value === "yes" ? "true" : "false";
    }
    return value;
  }
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

function evaluateQuery(row: FakeRecord, words: string[]): boolean {
  const stack: boolean[] = [];
  for (const word of words) {
    if (word.startsWith("#")) {
      for (const op of word.slice(1)) {
        if (op === "!") stack.push(!stack.pop());
        else if (op === "|" || op === "&") {
          const b = stack.pop() ?? false;
          const a = stack.pop() ?? false;
          stack.push(op === "|" ? a || b : a && b);
        }
      }
      continue;
    }
    let w = word;
    let cmp: "<" | ">" | undefined;
    if (w.startsWith("<") || w.startsWith(">")) {
      cmp = w[0] as "<" | ">";
      w = w.slice(1);
    }
    const eq = w.indexOf("=");
    if (eq < 0) {
      if (w.startsWith("-")) stack.push(!(w.slice(1) in row));
      else stack.push(w in row);
      continue;
    }
    const key = w.slice(0, eq);
    const value = w.slice(eq + 1);
    const actual = row[key];
    if (actual === undefined) stack.push(false);
    else if (cmp) {
      const a = Number(actual);
      const b = Number(value);
      const both = !Number.isNaN(a) && !Number.isNaN(b);
      stack.push(
        cmp === "<" ? (both ? a < b : actual < value) : (both ? a > b : actual > value),
      );
    } else stack.push(actual === value);
  }
  return stack.every(Boolean);
}

function pick(row: FakeRecord, proplist: string[] | undefined): FakeRecord {
  if (!proplist) return { ...row };
  const out: FakeRecord = {};
  for (const key of proplist) if (key in row) out[key] = row[key]!;
  return out;
}

function proplistOf(value: unknown): string[] | undefined {
  if (typeof value === "string") return value.split(",").filter(Boolean);
  if (Array.isArray(value)) return value.map(String);
  return undefined;
}

/** Starts the fake router; `close()` it in `after`. */
export async function startFakeRouterOS(
  options: FakeRouterOSOptions = {},
): Promise<FakeRouterOS> {
  const state: FakeRouterOSState = {
    menus: new Map(),
    singletons: new Map(),
    passwords: new Map(),
    manualStatuses: options.manualStatuses ?? false,
    hang: false,
    sessionTimeoutMs: options.sessionTimeoutMs ?? ROUTER_CUT_MS,
    delayMs: 0,
    executed: [],
    rebooted: false,
    maxInFlight: new Map(),
    nextId: 1,
  };
  const users = options.users ?? [
    { name: "admin", password: "", group: "full" },
    {
      name: FAKE_ROUTEROS_USER,
      password: FAKE_ROUTEROS_PASSWORD,
      group: "mikroclaw",
    },
  ];
  seed(state, users, options.groups ?? []);
  const requests: FakeRouterOSRequest[] = [];
  const inFlight = new Map<string, number>();
  const queues = new Map<string, Promise<unknown>>();
  // Pending sleeps, so close() can end hanging handlers (Deno's shutdown waits for them).
  const sleepers = new Map<ReturnType<typeof setTimeout>, () => void>();
  let origin = "";
  let jobs = 0x100;

  const newId = (): string => `*${(state.nextId++).toString(16).toUpperCase()}`;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, ms);
      sleepers.set(timer, resolve);
    });
  const json = (
    body: unknown,
    status = 200,
    headers: Record<string, string> = {},
  ): Response =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
  const error = (status: number, message: string, detail?: string): Response =>
    json(
      detail === undefined ? { error: status, message } : { detail, error: status, message },
      status,
    );
  const badRequest = (detail: string): Response => error(400, "Bad Request", detail);
  const notFound = (): Response => error(404, "Not Found");

  function findMenu(
    segments: string[],
  ): { menu: string; rest: string[]; singleton: boolean } | undefined {
    for (let n = segments.length; n > 0; n--) {
      const menu = "/" + segments.slice(0, n).join("/");
      if (state.menus.has(menu)) {
        return { menu, rest: segments.slice(n), singleton: false };
      }
      if (state.singletons.has(menu)) {
        return { menu, rest: segments.slice(n), singleton: true };
      }
    }
    return undefined;
  }

  function findItem(rows: FakeRecord[], ref: string): FakeRecord | undefined {
    return rows.find((r) => r[".id"] === ref) ??
      rows.find((r) => r.name === ref);
  }

  function idsOf(
    rows: FakeRecord[],
    body: Record<string, unknown>,
  ): FakeRecord[] | Response {
    const raw = body[".id"] ?? body.numbers;
    if (typeof raw !== "string" || raw === "") {
      return badRequest("missing or invalid resource identifier");
    }
    const found: FakeRecord[] = [];
    for (const ref of raw.split(",")) {
      const item = findItem(rows, ref.trim());
      if (!item) return badRequest("no such item");
      found.push(item);
    }
    return found;
  }

  function applyValues(
    target: FakeRecord,
    body: Record<string, unknown>,
  ): Response | undefined {
    for (const [key, value] of Object.entries(body)) {
      if (
        key === ".id" || key === "numbers" || key === "place-before" ||
        key === ".proplist"
      ) continue;
      const text = toStringValue(key, value);
      if (text === undefined) {
        return badRequest(`invalid value for argument ${key}`);
      }
      target[key] = text;
    }
    return undefined;
  }

  function add(
    menu: string,
    body: Record<string, unknown>,
  ): FakeRecord | Response {
    const rows = state.menus.get(menu)!;
    const record: FakeRecord = {};
    if (menu === "/ip/firewall/address-list") {
      if (typeof body.list !== "string" && body.list === undefined) {
        return badRequest("missing =list=");
      }
      if (body.address === undefined) return badRequest("missing =address=");
      if (
        rows.some((r) => r.list === String(body.list) && r.address === String(body.address))
      ) {
        return badRequest("failure: already have such entry");
      }
      Object.assign(record, {
        "creation-time": "2026-09-28 16:48:57",
        dynamic: body.timeout ? "true" : "false",
        disabled: "false",
      });
    } else if (menu === "/ip/firewall/filter" || menu === "/ip/firewall/nat") {
      if (body.chain === undefined) return badRequest("missing =chain=");
      Object.assign(record, {
        action: "accept",
        bytes: "0",
        packets: "0",
        disabled: "false",
        dynamic: "false",
        invalid: "false",
        log: "false",
        "log-prefix": "",
      });
    } else if (menu === "/system/scheduler") {
      if (body.name === undefined) return badRequest("missing =name=");
      if (rows.some((r) => r.name === String(body.name))) {
        return badRequest("failure: item with this name already exists");
      }
      Object.assign(record, {
        interval: "0s",
        "start-time": "startup",
        policy: "ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon",
        "run-count": "0",
        disabled: "false",
        owner: FAKE_ROUTEROS_USER,
      });
    } else if (menu === "/interface" || menu === "/user") {
      return badRequest("failure: not supported by the fake");
    } else {
      record.disabled = "false";
    }
    const invalid = applyValues(record, body);
    if (invalid) return invalid;
    const withId: FakeRecord = { ".id": newId(), ...record };
    const before = body["place-before"];
    if (before !== undefined) {
      const index = rows.findIndex((r) => r[".id"] === String(before));
      if (index < 0) return badRequest("no such item (place-before)");
      rows.splice(index, 0, withId);
    } else rows.push(withId);
    return withId;
  }

  function list(
    menu: string,
    filters: [string, string][],
    proplist: string[] | undefined,
  ): FakeRecord[] {
    const rows = state.menus.get(menu)!;
    const keys = proplist ? [...new Set([".id", ...proplist])] : undefined;
    return rows.filter((r) => filters.every(([k, v]) => r[k] === v)).map((r) => pick(r, keys));
  }

  function command(
    menu: string,
    singleton: boolean,
    cmd: string,
    body: Record<string, unknown>,
  ): Response {
    const rows = state.menus.get(menu);
    if (singleton) {
      const record = state.singletons.get(menu)!;
      if (cmd === "set") return applyValues(record, body) ?? json([]);
      if (cmd === "print" || cmd === "get") {
        return json(pick(record, proplistOf(body[".proplist"])));
      }
      return badRequest(`no such command or directory (${cmd})`);
    }
    if (!rows) return badRequest(`no such command or directory (${cmd})`);
    switch (cmd) {
      case "print": {
        const proplist = proplistOf(body[".proplist"]);
        const query = Array.isArray(body[".query"])
          ? (body[".query"] as unknown[]).map(String)
          : [];
        const found = rows.filter((r) => evaluateQuery(r, query));
        if (body["count-only"] !== undefined) {
          return json({ ret: String(found.length) });
        }
        return json(found.map((r) => pick(r, proplist)));
      }
      case "add": {
        const created = add(menu, body);
        return created instanceof Response ? created : json({ ret: created[".id"] });
      }
      case "set":
      case "enable":
      case "disable": {
        const items = idsOf(rows, body);
        if (items instanceof Response) return items;
        for (const item of items) {
          if (cmd === "set") {
            const invalid = applyValues(item, body);
            if (invalid) return invalid;
          } else item.disabled = cmd === "disable" ? "true" : "false";
        }
        return json([]);
      }
      case "remove": {
        const items = idsOf(rows, body);
        if (items instanceof Response) return items;
        for (const item of items) rows.splice(rows.indexOf(item), 1);
        return json([]);
      }
      case "unset": {
        const items = idsOf(rows, body);
        if (items instanceof Response) return items;
        const name = body["value-name"];
        if (typeof name !== "string") return badRequest("missing =value-name=");
        for (const item of items) delete item[name];
        return json([]);
      }
      case "move": {
        const items = idsOf(rows, body);
        if (items instanceof Response) return items;
        for (const item of items) rows.splice(rows.indexOf(item), 1);
        const destination = body.destination;
        let index = rows.length;
        if (destination !== undefined) {
          index = rows.findIndex((r) => r[".id"] === String(destination));
          if (index < 0) return badRequest("no such item (destination)");
        }
        rows.splice(index, 0, ...items);
        return json([]);
      }
      case "run":
        if (menu === "/system/script") {
          state.executed.push(String(body[".id"] ?? body.numbers ?? ""));
          return json([]);
        }
        return badRequest(`no such command or directory (${cmd})`);
      case "info":
      case "warning":
      case "error":
        if (menu === "/log") {
          rows.push({
            ".id": newId(),
            time: "10:00:00",
            topics: `script,${cmd}`,
            message: String(body.message ?? ""),
          });
          return json([]);
        }
        return badRequest(`no such command or directory (${cmd})`);
      default:
        return badRequest(`no such command or directory (${cmd})`);
    }
  }

  /** A streaming command: rows after `count` replies, `once`, or `duration`; else never. */
  async function stream(word: string, body: Record<string, unknown>): Promise<Response> {
    const scale = state.sessionTimeoutMs / ROUTER_CUT_MS;
    const target = String(body.address ?? body.interface ?? body.numbers ?? "");
    const row = (i: number | undefined): FakeRecord => ({
      ...(i === undefined ? {} : { ".section": String(i) }),
      ...(word === "ping"
        ? {
          host: target,
          seq: String(i ?? 0),
          size: "56",
          ttl: "57",
          time: "11ms",
          sent: String((i ?? 0) + 1),
          received: String((i ?? 0) + 1),
          "packet-loss": "0",
        }
        : word === "monitor-traffic"
        ? { name: target, "rx-bits-per-second": "1200", "tx-bits-per-second": "800" }
        : { ...(target ? { name: target } : {}), status: "done" }),
    });
    const mode = STREAMING[word]!;
    if (mode === "count" && body.count !== undefined) {
      const count = Number(String(body.count));
      if (!Number.isInteger(count) || count < 1) {
        return badRequest("invalid value for argument count");
      }
      if (word === "ping" && body.address === undefined) return badRequest("missing =address=");
      // One reply per interval (1 s by default), in router time.
      const interval = body.interval === undefined ? 1 : seconds(String(body.interval));
      await sleep(count * interval * 1000 * scale);
      return json(Array.from({ length: count }, (_, i) => row(i)));
    }
    const once = body.once !== undefined &&
      !["false", "no"].includes(String(body.once).toLowerCase());
    if (mode === "once" && once) return json([row(undefined)]);
    if ((mode === "once" || mode === "duration") && body.duration !== undefined) {
      const duration = seconds(String(body.duration));
      if (!(duration > 0)) return badRequest("invalid value for argument duration");
      await sleep(duration * 1000 * scale);
      return json(Array.from({ length: Math.max(1, Math.floor(duration)) }, (_, i) => row(i)));
    }
    return await new Promise<Response>(() => {}); // streams until the router's cut
  }

  /** The router's 60 s cut of a request (the per-user queue stays busy until then). */
  function withCut(work: Promise<Response>): Promise<Response> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cut = new Promise<Response>((resolve) => {
      const fire = (): void => resolve(badRequest("Session closed"));
      timer = setTimeout(() => {
        sleepers.delete(timer!);
        fire();
      }, state.sessionTimeoutMs);
      sleepers.set(timer, fire);
    });
    return Promise.race([work, cut]).finally(() => {
      clearTimeout(timer);
      sleepers.delete(timer!);
    });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const rawPath = url.pathname.slice("/rest".length) || "/";
    if (/%2a/i.test(rawPath)) return badRequest("no such command prefix");
    const method = request.method;
    let body: Record<string, unknown> = {};
    if (method === "PUT" || method === "PATCH" || method === "POST") {
      const type = request.headers.get("content-type") ?? "";
      const text = await request.text();
      if (!/^application\/json\b/i.test(type)) {
        return error(415, "Unsupported Media Type");
      }
      if (text.trim() !== "") {
        try {
          // JSON numbers with exponents are refused by RouterOS.
          if (
            /(^|[^"\w.])-?\d+(\.\d+)?[eE][+-]?\d/.test(
              text.replace(/"(\\.|[^"\\])*"/g, '""'),
            )
          ) throw new Error("exponent");
          const parsed = JSON.parse(text);
          if (
            typeof parsed !== "object" || parsed === null ||
            Array.isArray(parsed)
          ) throw new Error("not an object");
          body = parsed as Record<string, unknown>;
        } catch {
          return badRequest("Failed to parse json");
        }
      }
    }
    if (state.delayMs) await sleep(state.delayMs);
    if (state.hang) return await new Promise<Response>(() => {}); // until the cut

    const segments = rawPath.split("/").filter(Boolean).map((s) => decodeURIComponent(s));
    const path = "/" + segments.join("/");
    const word = segments[segments.length - 1] ?? "";
    if (method === "POST" && Object.hasOwn(STREAMING, word)) {
      return await stream(word, body);
    }
    if (ROOT_COMMANDS.has(path)) {
      if (method !== "POST") return badRequest("no such command");
      if (path === "/execute") {
        const script = body.script;
        if (typeof script !== "string") return badRequest("missing =script=");
        state.executed.push(script);
        // `as-string` counts when present, whatever its value (measured on 7.22.1).
        if (body["as-string"] !== undefined) {
          return json({
            ret: options.execute ? options.execute(script) : runFakeScript(state, script),
          });
        }
        return json({ ret: `*${(jobs++).toString(16).toUpperCase()}` });
      }
      state.rebooted = true;
      return json([]);
    }
    const found = findMenu(segments);
    if (!found) {
      return badRequest(
        `no such command or directory (${segments[segments.length - 1] ?? ""})`,
      );
    }
    const { menu, rest, singleton } = found;
    if (rest.length > 1) {
      return badRequest(`no such command or directory (${rest[1]})`);
    }
    const ref = rest[0];
    if (method === "GET") {
      const proplist = url.searchParams.has(".proplist")
        ? proplistOf(url.searchParams.get(".proplist"))
        : undefined;
      if (singleton) {
        if (ref !== undefined) return badRequest("no such command");
        return json(pick(state.singletons.get(menu)!, proplist));
      }
      if (ref !== undefined) {
        const item = findItem(state.menus.get(menu)!, ref);
        return item ? json(pick(item, proplist)) : notFound();
      }
      const filters = [...url.searchParams].filter(([k]) => k !== ".proplist");
      return json(list(menu, filters, proplist));
    }
    if (method === "POST") {
      if (ref === undefined) return badRequest("no such command");
      return command(menu, singleton, ref, body);
    }
    if (singleton) return badRequest("missing or invalid resource identifier");
    const rows = state.menus.get(menu)!;
    if (method === "PUT") {
      if (ref !== undefined) return badRequest("no such command");
      const created = add(menu, body);
      if (created instanceof Response) return created;
      if (!state.manualStatuses) return json(created);
      return json(created, 201, {
        location: `${origin}/rest${menu}/${created[".id"]}`,
      });
    }
    if (ref === undefined) {
      return badRequest("missing or invalid resource identifier");
    }
    const item = findItem(rows, ref);
    if (!item) return notFound();
    if (method === "PATCH") return applyValues(item, body) ?? json(item);
    if (method === "DELETE") {
      rows.splice(rows.indexOf(item), 1);
      return state.manualStatuses ? new Response(null, { status: 204 }) : new Response("", {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    }
    return error(405, "Method Not Allowed");
  }

  const app = new Hono();
  app.all("*", async (c) => {
    const request = c.req.raw;
    const url = new URL(request.url);
    const header = request.headers.get("authorization") ?? "";
    let user: string | undefined;
    let password: string | undefined;
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic) {
      try {
        const decoded = new TextDecoder().decode(
          Uint8Array.from(atob(basic[1]!), (ch) => ch.charCodeAt(0)),
        );
        const colon = decoded.indexOf(":");
        if (colon >= 0) {
          user = decoded.slice(0, colon);
          password = decoded.slice(colon + 1);
        }
      } catch {
        // malformed: treated as missing
      }
    }
    const entry: FakeRouterOSRequest = {
      method: request.method,
      path: url.pathname.slice("/rest".length) + url.search,
      user,
      contentType: request.headers.get("content-type"),
      body: undefined,
    };
    requests.push(entry);
    const clone = request.clone();
    const text = await clone.text();
    try {
      entry.body = text === "" ? undefined : JSON.parse(text);
    } catch {
      entry.body = text;
    }
    if (request.method === "OPTIONS") {
      return new Response(null, { status: 503 });
    }
    if (!url.pathname.startsWith("/rest")) {
      return new Response("<html>Not Found</html>", {
        status: 404,
        headers: { "content-type": "text/html" },
      });
    }
    const unauthorized = (): Response =>
      new Response(JSON.stringify({ error: 401, message: "Unauthorized" }), {
        status: 401,
        headers: {
          "content-type": "application/json",
          "www-authenticate": 'Basic realm="fake-routeros"',
        },
      });
    if (user === undefined || state.passwords.get(user) !== password) {
      return unauthorized();
    }
    const userRow = state.menus.get("/user")!.find((u) => u.name === user);
    const group = state.menus.get("/user/group")!.find((g) => g.name === userRow?.group);
    const policies = (group?.policy ?? "").split(",");
    if (
      !userRow || userRow.disabled === "true" || !policies.includes("rest-api")
    ) return unauthorized();
    if (!policies.includes("api")) {
      return error(
        500,
        "Internal Server Error",
        "std failure: not allowed (9)",
      );
    }
    const now = (inFlight.get(user) ?? 0) + 1;
    inFlight.set(user, now);
    state.maxInFlight.set(
      user,
      Math.max(state.maxInFlight.get(user) ?? 0, now),
    );
    // The router runs one request per user at a time, in order.
    const previous = queues.get(user) ?? Promise.resolve();
    const run = previous.then(() => withCut(handle(request)));
    queues.set(user, run.catch(() => {}));
    try {
      return await run;
    } finally {
      inFlight.set(user, (inFlight.get(user) ?? 1) - 1);
    }
  });

  let closeServer: () => Promise<void>;
  if (options.tls) {
    const server = serve({
      fetch: app.fetch,
      port: 0,
      hostname: "127.0.0.1",
      silent: true,
      tls: { cert: FAKE_ROUTEROS_TLS.cert, key: FAKE_ROUTEROS_TLS.key },
    });
    await server.ready();
    const port = Number(new URL(server.url!).port);
    origin = `https://127.0.0.1:${port}`;
    closeServer = () => server.close(true);
  } else {
    const server = await serveLocal(app.fetch);
    origin = server.url;
    closeServer = server.close;
  }
  return {
    url: `${origin}/rest`,
    origin,
    state,
    requests,
    items: (menu) => state.menus.get(menu) ?? [],
    async close() {
      for (const [timer, wake] of sleepers) {
        clearTimeout(timer);
        wake();
      }
      sleepers.clear();
      await closeServer();
    },
  };
}
