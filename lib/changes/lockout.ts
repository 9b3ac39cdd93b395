/**
 * The lock-out guard, on even when writes are allowed: refuses router changes that would cut
 * MikroClaw's own REST session (its interface, address, route, the firewall rules accepting it,
 * the REST service, its router user and group) and firewall rules that drop or reject with no
 * match condition at all (a bare `action=drop` drops everything on its chain). This file derives
 * the session path from the router; the rules that judge the calls are in `lockout_rules.ts`.
 * @module
 */
import type { RouterOS, RouterOSCall } from "../routeros/types.ts";
import { contains, ipv4, prefixLength, truthy } from "./_session_match.ts";
import { findLockout } from "./lockout_rules.ts";

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
