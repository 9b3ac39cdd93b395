/**
 * The lock-out guard, on even when writes are allowed: refuses router changes that would cut
 * MikroClaw's own REST session (its interface, address, route, the firewall rules accepting it,
 * the REST service, its router user and group) and firewall rules that drop or reject with no
 * match condition at all (a bare `action=drop` drops everything on its chain).
 * @module
 */
import type { RouterOS, RouterOSCall } from "../routeros/types.ts";
import { callEffect } from "./_calls.ts";

/** What carries MikroClaw's REST connection to the router. */
export interface SessionPath {
  /** The router address MikroClaw connects to (from the router URL). */
  host: string;
  /** TCP port of the REST service. */
  port: number;
  /** `/ip/service` entry serving REST: `www` (http) or `www-ssl` (https). */
  service: "www" | "www-ssl";
  /** Router user MikroClaw logs in as. */
  user: string;
  /** That user's group, when known. */
  group?: string | undefined;
  /** MikroClaw's address as the router sees it, when known. */
  sourceAddress?: string | undefined;
  /** Interfaces carrying the session (the one holding `host`). */
  interfaces: string[];
  /** `.id`s of the `/ip/address` entries holding `host`. */
  addressIds: string[];
  /** `.id`s of the `/ip/route` entries carrying replies to MikroClaw. */
  routeIds: string[];
}

/** Current items by `menu|id`, read just before the write. */
export type LockoutItems = ReadonlyMap<string, Readonly<Record<string, string>>>;

const FIREWALL = new Set([
  "/ip/firewall/filter",
  "/ip/firewall/raw",
  "/ip/firewall/mangle",
  "/ipv6/firewall/filter",
  "/ipv6/firewall/raw",
  "/interface/bridge/filter",
]);
const DROPS = new Set(["drop", "reject", "tarpit"]);
/** Properties of a firewall rule that are not match conditions. */
const NOT_MATCH = new Set([
  ".id",
  "chain",
  "action",
  "comment",
  "disabled",
  "log",
  "log-prefix",
  "reject-with",
  "jump-target",
  "place-before",
  "numbers",
  "bytes",
  "packets",
  "dynamic",
  "invalid",
  "copy-from",
]);

function truthy(value: unknown): boolean {
  return value === true || value === "true" || value === "yes";
}

function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

// --- IPv4 helpers (anything else is treated as "may match") ---

function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** Whether `spec` (an address, `a.b.c.d/n` or `a-b` range) contains `ip`; `undefined` if unknown. */
function contains(spec: string, ip: string): boolean | undefined {
  const addr = ipv4(ip);
  if (addr === undefined) return undefined;
  const range = /^([\d.]+)-([\d.]+)$/.exec(spec);
  if (range) {
    const a = ipv4(range[1]!);
    const b = ipv4(range[2]!);
    if (a === undefined || b === undefined) return undefined;
    return addr >= a && addr <= b;
  }
  const [base, bits] = spec.split("/");
  const net = ipv4(base ?? "");
  const n = bits === undefined ? 32 : Number(bits);
  if (net === undefined || !Number.isInteger(n) || n < 0 || n > 32) return undefined;
  if (n === 0) return true;
  const mask = (0xffffffff << (32 - n)) >>> 0;
  return ((addr & mask) >>> 0) === ((net & mask) >>> 0);
}

function prefixLength(spec: string): number {
  const bits = spec.split("/")[1];
  return bits === undefined ? 32 : Number(bits);
}

/** `!x` negation, RouterOS style. */
function negatable(value: string, test: (v: string) => boolean | undefined): boolean {
  const negated = value.startsWith("!");
  const result = test(negated ? value.slice(1) : value);
  if (result === undefined) return true; // unknown: assume it matches us (refuse more, not less)
  return negated ? !result : result;
}

function portIn(list: string, port: number): boolean {
  return list.split(",").some((part) => {
    const [a, b] = part.split("-").map((p) => Number(p.trim()));
    if (a === undefined || Number.isNaN(a)) return false;
    return b === undefined || Number.isNaN(b) ? port === a : port >= a && port <= b;
  });
}

/** Whether an input-chain rule would match MikroClaw's REST traffic (unknown tests count as matching). */
export function ruleMatchesSession(
  rule: Readonly<Record<string, string>>,
  session: SessionPath,
): boolean {
  for (const [key, value] of Object.entries(rule)) {
    if (NOT_MATCH.has(key)) continue;
    switch (key) {
      case "src-address":
        if (
          session.sourceAddress && !negatable(value, (v) => contains(v, session.sourceAddress!))
        ) return false;
        break;
      case "dst-address":
        if (!negatable(value, (v) => contains(v, session.host))) return false;
        break;
      case "protocol":
        if (!negatable(value, (v) => v === "tcp" || v === "6")) return false;
        break;
      case "dst-port":
        if (!negatable(value, (v) => portIn(v, session.port))) return false;
        break;
      case "in-interface":
        if (!negatable(value, (v) => session.interfaces.includes(v))) return false;
        break;
      case "connection-state":
        if (!negatable(value, (v) => /\b(established|new)\b/.test(v))) return false;
        break;
      default:
        // src-address-list, in-interface-list, src-port, … : cannot tell, assume it matches
        break;
    }
  }
  return true;
}

function accepts(
  rule: Readonly<Record<string, string>> | undefined,
  session: SessionPath,
): boolean {
  if (!rule || truthy(rule.disabled)) return false;
  return rule.chain === "input" && (rule.action ?? "accept") === "accept" &&
    ruleMatchesSession(rule, session);
}

function merged(
  before: Readonly<Record<string, string>> | undefined,
  body: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = { ...before };
  for (const [k, v] of Object.entries(body)) {
    const s = str(v);
    if (s !== undefined) out[k] = s === "yes" ? "true" : s === "no" ? "false" : s;
  }
  return out;
}

function bareDrop(rule: Record<string, string>): string | undefined {
  const action = rule.action ?? "accept";
  if (!DROPS.has(action) || truthy(rule.disabled)) return undefined;
  const matches = Object.keys(rule).filter((k) => !NOT_MATCH.has(k) && rule[k] !== "");
  if (matches.length) return undefined;
  return `a rule with action=${action} and no match condition on chain ${rule.chain ?? "?"} ` +
    `drops all of that chain's traffic (MikroClaw's own included); add a match such as ` +
    `src-address=, in-interface= or dst-port=`;
}

const POLICY_NEEDED = ["read", "write", "api", "rest-api"];

/**
 * Why the calls would lock MikroClaw (or everyone) out, one reason per problem; empty when
 * they are safe. `items` holds the current state of every item the calls touch.
 */
export function findLockout(
  calls: readonly RouterOSCall[],
  items: LockoutItems,
  session: SessionPath,
): string[] {
  const reasons: string[] = [];
  const say = (reason: string): void => {
    if (!reasons.includes(reason)) reasons.push(reason);
  };
  for (const call of calls) {
    const effect = callEffect(call);
    if (effect.kind === "other" || effect.kind === "singleton") {
      if (effect.kind === "singleton" && effect.menu === "/ip/service/webserver") {
        const off = session.service === "www"
          ? effect.body["rest-plain"]
          : effect.body["rest-secure"];
        if (off !== undefined && !truthy(off)) {
          say(`turning REST off on ${session.service} would cut MikroClaw's own REST session`);
        }
      }
      continue;
    }
    const { menu } = effect;
    if (effect.kind === "add") {
      if (FIREWALL.has(menu)) {
        const reason = bareDrop(merged(undefined, effect.body));
        if (reason) say(`Cannot add to ${menu}: ${reason}`);
      }
      continue;
    }
    for (const id of effect.ids) {
      const before = items.get(`${menu}|${id}`);
      let after: Record<string, string> | undefined;
      if (effect.kind === "set") after = merged(before, effect.body);
      else if (effect.kind === "unset") {
        after = { ...before };
        delete after[effect.key];
      } else if (effect.kind === "move") after = before ? { ...before } : undefined;
      const gone = effect.kind === "remove" || (after !== undefined && truthy(after.disabled));
      const name = before?.name ?? id;
      const what = effect.kind === "remove" ? "removing" : gone ? "disabling" : "changing";

      if (FIREWALL.has(menu) && after && effect.kind !== "move") {
        const reason = bareDrop(after);
        if (reason) say(`Cannot change ${menu} ${id}: ${reason}`);
      }
      if (menu === "/ip/firewall/filter" && accepts(before, session) && effect.kind !== "move") {
        if (gone || !accepts(after, session)) {
          say(
            `${what} firewall rule ${id} (${
              before?.comment ?? "input accept"
            }) would drop MikroClaw's own REST traffic`,
          );
        }
      }
      if (menu === "/interface" || menu.startsWith("/interface/")) {
        if (menu !== "/interface/bridge/port" && session.interfaces.includes(name) && gone) {
          say(
            `${what} interface ${name} would cut MikroClaw's REST session (it carries ${session.host})`,
          );
        }
      }
      if (menu === "/ip/address" && session.addressIds.includes(id)) {
        const moved = after !== undefined &&
          (after.address !== before?.address || after.interface !== before?.interface);
        if (gone || moved) {
          say(
            `${what} address ${
              before?.address ?? id
            } would cut MikroClaw's REST session (it connects to ${session.host})`,
          );
        }
      }
      if (menu === "/ip/route" && session.routeIds.includes(id)) {
        const changed = after !== undefined &&
          ["gateway", "dst-address", "routing-table"].some((k) => after![k] !== before?.[k]);
        if (gone || changed) {
          say(`${what} route ${before?.["dst-address"] ?? id} would cut the way back to MikroClaw`);
        }
      }
      if (menu === "/ip/service" && before?.name === session.service) {
        if (gone) say(`${what} the ${session.service} service would cut MikroClaw's REST session`);
        else if (after) {
          if (after.port !== undefined && before.port !== undefined && after.port !== before.port) {
            say(
              `moving ${session.service} to port ${after.port} would cut MikroClaw's REST session (it uses ${session.port})`,
            );
          }
          if ((after.address ?? "") !== (before.address ?? "") && (after.address ?? "") !== "") {
            const ours = session.sourceAddress !== undefined &&
              after.address!.split(",").some((a) =>
                contains(a.trim(), session.sourceAddress!) === true
              );
            if (!ours) {
              say(
                `limiting ${session.service} to ${after.address} would exclude MikroClaw (${
                  session.sourceAddress ?? "its address is unknown"
                })`,
              );
            }
          }
          if ((after.vrf ?? "") !== (before.vrf ?? "")) {
            say(`moving ${session.service} to another VRF would cut MikroClaw's REST session`);
          }
        }
      }
      if (menu === "/user" && before?.name === session.user) {
        const changed = after !== undefined &&
          ["group", "address", "name", "password"].some((k) => after![k] !== before[k]);
        if (gone || changed) say(`${what} router user ${session.user} would lock MikroClaw out`);
      }
      if (menu === "/user/group" && before?.name !== undefined && before.name === session.group) {
        const policy = (after?.policy ?? "").split(",");
        const lost = POLICY_NEEDED.filter((p) => !policy.includes(p));
        if (effect.kind === "remove" || (after && (after.name !== before.name || lost.length))) {
          say(
            `${what} group ${session.group} would lock MikroClaw out${
              lost.length && effect.kind !== "remove" ? ` (it needs ${lost.join(", ")})` : ""
            }`,
          );
        }
      }
    }
  }
  return reasons;
}

/** Options of {@linkcode createLockoutGuard}. */
export interface LockoutGuardOptions {
  router: RouterOS;
  /** The router address as the router knows it, when the URL host differs (NAT, container). */
  host?: string | undefined;
  /** MikroClaw's address as the router sees it; otherwise read from `/user/active` when possible. */
  sourceAddress?: string | undefined;
  /** How long the derived session path is reused. @default {60000} */
  cacheMs?: number | undefined;
  /** Clock. @default {Date.now} */
  now?: (() => number) | undefined;
}

/** A lock-out guard bound to one router. */
export interface LockoutGuard {
  /** The session path, derived from the router URL and the router's own tables. */
  session(signal?: AbortSignal): Promise<SessionPath>;
  /** Reasons the calls would lock MikroClaw out (empty when safe). */
  check(
    calls: readonly RouterOSCall[],
    items: LockoutItems,
    signal?: AbortSignal,
  ): Promise<string[]>;
}

async function rows(
  router: RouterOS,
  path: string,
  query: Record<string, string> | undefined,
  signal: AbortSignal | undefined,
): Promise<Record<string, string>[]> {
  try {
    const reply = await router.get<unknown>(path, query, { signal });
    return Array.isArray(reply) ? reply as Record<string, string>[] : [];
  } catch {
    return [];
  }
}

/** Builds the guard; the session path is read from the router (cached `cacheMs`). */
export function createLockoutGuard(options: LockoutGuardOptions): LockoutGuard {
  const { router } = options;
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? 60_000;
  let cached: { at: number; value: SessionPath } | undefined;

  async function derive(signal?: AbortSignal): Promise<SessionPath> {
    const url = new URL(router.url);
    const https = url.protocol === "https:";
    const host = options.host ?? url.hostname.replace(/^\[|\]$/g, "");
    const port = url.port ? Number(url.port) : https ? 443 : 80;
    const users = await rows(router, "/user", { name: router.user }, signal);
    const group = users[0]?.group;
    let sourceAddress = options.sourceAddress;
    if (sourceAddress === undefined) {
      const active = await rows(router, "/user/active", { name: router.user }, signal);
      const addresses = [...new Set(active.map((a) => a.address).filter(Boolean))];
      if (addresses.length === 1) sourceAddress = addresses[0];
    }
    const addresses = (await rows(router, "/ip/address", undefined, signal))
      .filter((a) => (a.address ?? "").split("/")[0] === host);
    const interfaces = [
      ...new Set(addresses.map((a) => a.interface).filter((i): i is string => !!i)),
    ];
    // A VLAN carrying the session depends on its parent interface too.
    for (const vlan of await rows(router, "/interface/vlan", undefined, signal)) {
      if (
        interfaces.includes(vlan.name ?? "") && vlan.interface &&
        !interfaces.includes(vlan.interface)
      ) {
        interfaces.push(vlan.interface);
      }
    }
    const routes = (await rows(router, "/ip/route", undefined, signal))
      .filter((r) => !truthy(r.disabled) && r["dst-address"]);
    let routeIds: string[];
    if (sourceAddress !== undefined && ipv4(sourceAddress) !== undefined) {
      const covering = routes.filter((r) => contains(r["dst-address"]!, sourceAddress!) === true);
      const best = Math.max(-1, ...covering.map((r) => prefixLength(r["dst-address"]!)));
      routeIds = covering.filter((r) => prefixLength(r["dst-address"]!) === best).map((r) =>
        r[".id"]!
      );
    } else {
      // Unknown source: the default routes may carry the replies; protect them.
      routeIds = routes.filter((r) => r["dst-address"] === "0.0.0.0/0").map((r) => r[".id"]!);
    }
    return {
      host,
      port,
      service: https ? "www-ssl" : "www",
      user: router.user,
      group,
      sourceAddress,
      interfaces,
      addressIds: addresses.map((a) => a[".id"]!).filter(Boolean),
      routeIds: routeIds.filter(Boolean),
    };
  }

  async function session(signal?: AbortSignal): Promise<SessionPath> {
    if (cached && now() - cached.at < cacheMs) return cached.value;
    const value = await derive(signal);
    cached = { at: now(), value };
    return value;
  }

  return {
    session,
    async check(calls, items, signal) {
      return findLockout(calls, items, await session(signal));
    },
  };
}
