/**
 * Opt-in router setup, idempotent and found by comment / name: an input rule that lets the
 * gateway's port through from given subnets (`ROUTEROS_FIREWALL=1`), and a scheduler entry that
 * calls `/health/heartbeat` (`HEARTBEAT_ROUTEROS=1`).
 * @module
 */
import type { RouterOS } from "./types.ts";

/** Default comment of the gateway firewall rules. */
export const GATEWAY_RULE_COMMENT = "mikroclaw: gateway";
/** Default name of the heartbeat scheduler entry. */
export const HEARTBEAT_SCHEDULER_NAME = "mikroclaw-heartbeat";

/** What a setup helper changed. */
export interface SetupResult {
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
}

/** Options of {@linkcode ensureGatewayFirewallRule}. */
export interface GatewayFirewallOptions {
  router: RouterOS;
  /** Gateway TCP port. */
  port: number;
  /** Subnets allowed to reach it (`ROUTEROS_ALLOW_SUBNETS`), e.g. `["172.17.0.0/24"]`. */
  allowSubnets: readonly string[];
  /** @default {"mikroclaw: gateway"} */
  comment?: string | undefined;
  signal?: AbortSignal | undefined;
}

type Row = Record<string, string>;

const SUBNET = /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/;

/**
 * Ensures one `chain=input action=accept protocol=tcp dst-port=<port> src-address=<subnet>`
 * rule per subnet, placed at the top of the input chain (before any drop), found by comment:
 * missing rules are added, stale ones removed, matching ones left alone.
 */
export async function ensureGatewayFirewallRule(
  options: GatewayFirewallOptions,
): Promise<SetupResult> {
  const { router, port, signal } = options;
  const comment = options.comment ?? GATEWAY_RULE_COMMENT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(
      `Cannot add the gateway firewall rule: bad port ${port}`,
    );
  }
  if (options.allowSubnets.length === 0) {
    throw new TypeError(
      "Cannot add the gateway firewall rule: ROUTEROS_ALLOW_SUBNETS is empty (refusing to open the port to everyone)",
    );
  }
  for (const subnet of options.allowSubnets) {
    if (!SUBNET.test(subnet)) {
      throw new TypeError(
        `Cannot add the gateway firewall rule: "${subnet}" is not an address or subnet`,
      );
    }
  }
  const path = "/ip/firewall/filter";
  const existing = await router.get<Row[]>(path, { comment }, { signal });
  const result = emptyResult();
  const wanted = new Set(options.allowSubnets);
  const matches = (r: Row): boolean =>
    r.chain === "input" && r.action === "accept" && r.protocol === "tcp" &&
    r["dst-port"] === String(port) && r.disabled !== "true" &&
    wanted.has(r["src-address"] ?? "");
  const kept = new Set<string>();
  for (const rule of existing) {
    const subnet = rule["src-address"] ?? "";
    if (matches(rule) && !kept.has(subnet)) {
      kept.add(subnet);
      result.unchanged.push(rule[".id"]!);
    } else {
      await router.remove(`${path}/${rule[".id"]}`, { signal });
      result.removed.push(rule[".id"]!);
    }
  }
  const missing = options.allowSubnets.filter((s) => !kept.has(s));
  if (missing.length) {
    const first = await router.get<Row[]>(path, {
      chain: "input",
      ".proplist": ".id",
    }, { signal });
    const top = first[0]?.[".id"];
    for (const subnet of missing) {
      const body: Record<string, string> = {
        chain: "input",
        action: "accept",
        protocol: "tcp",
        "dst-port": String(port),
        "src-address": subnet,
        comment,
      };
      if (top) body["place-before"] = top;
      const created = await router.put<Row>(path, body, { signal });
      result.added.push(created[".id"] ?? "");
    }
  }
  return result;
}

/** Removes every firewall rule carrying the gateway comment (on exit). */
export async function removeGatewayFirewallRule(options: {
  router: RouterOS;
  comment?: string | undefined;
  signal?: AbortSignal | undefined;
}): Promise<SetupResult> {
  return await removeAll(options.router, "/ip/firewall/filter", {
    comment: options.comment ?? GATEWAY_RULE_COMMENT,
  }, options.signal);
}

/** Options of {@linkcode ensureHeartbeatScheduler}. */
export interface HeartbeatSchedulerOptions {
  router: RouterOS;
  /** The gateway's heartbeat URL, e.g. `http://172.17.0.2:18789/health/heartbeat`. */
  url: string;
  /** RouterOS duration. @default {"5m"} */
  interval?: string | undefined;
  /** @default {"mikroclaw-heartbeat"} */
  name?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** The scheduler script that calls the heartbeat URL. */
export function heartbeatScript(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(
      `Cannot use heartbeat URL "${url}": expected http:// or https://`,
    );
  }
  // Quotes, backslashes, $ and brackets would be script syntax inside the string.
  if (/["\\$[\]{};\s]/.test(parsed.href)) {
    throw new TypeError(
      `Cannot use heartbeat URL "${url}": it contains script characters`,
    );
  }
  return `/tool fetch url="${parsed.href}" keep-result=no`;
}

/**
 * Ensures one `/system/scheduler` entry (found by name) that fetches the heartbeat URL every
 * `interval`; updates it when the URL or interval changed.
 */
export async function ensureHeartbeatScheduler(
  options: HeartbeatSchedulerOptions,
): Promise<SetupResult> {
  const { router, signal } = options;
  const name = options.name ?? HEARTBEAT_SCHEDULER_NAME;
  const interval = options.interval ?? "5m";
  if (
    !/^[0-9]+[smhdw]?([0-9]+[smhdw])*$|^\d{1,2}:\d{2}:\d{2}$/.test(interval)
  ) {
    throw new TypeError(
      `Cannot add the heartbeat scheduler: bad interval "${interval}"`,
    );
  }
  const wanted = {
    "on-event": heartbeatScript(options.url),
    interval,
    policy: "read,write,test",
    comment: "mikroclaw: heartbeat",
  };
  const path = "/system/scheduler";
  const rows = await router.get<Row[]>(path, { name }, { signal });
  const result = emptyResult();
  const [first, ...extra] = rows;
  for (const row of extra) {
    await router.remove(`${path}/${row[".id"]}`, { signal });
    result.removed.push(row[".id"]!);
  }
  if (!first) {
    const created = await router.put<Row>(path, {
      name,
      "start-time": "startup",
      ...wanted,
    }, { signal });
    result.added.push(created[".id"] ?? "");
    return result;
  }
  const stale = Object.entries(wanted).some(([k, v]) => first[k] !== v) ||
    first.disabled === "true";
  if (stale) {
    await router.patch(`${path}/${first[".id"]}`, {
      ...wanted,
      disabled: "false",
    }, { signal });
    result.updated.push(first[".id"]!);
  } else result.unchanged.push(first[".id"]!);
  return result;
}

/** Removes the heartbeat scheduler entry. */
export async function removeHeartbeatScheduler(options: {
  router: RouterOS;
  name?: string | undefined;
  signal?: AbortSignal | undefined;
}): Promise<SetupResult> {
  return await removeAll(options.router, "/system/scheduler", {
    name: options.name ?? HEARTBEAT_SCHEDULER_NAME,
  }, options.signal);
}

// --- Internal helpers ---

function emptyResult(): SetupResult {
  return { added: [], updated: [], removed: [], unchanged: [] };
}

/** Removes every item of the menu that matches the filter. */
async function removeAll(
  router: RouterOS,
  path: string,
  filter: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<SetupResult> {
  const rows = await router.get<Row[]>(path, filter, { signal });
  const result = emptyResult();
  for (const row of rows) {
    await router.remove(`${path}/${row[".id"]}`, { signal });
    result.removed.push(row[".id"]!);
  }
  return result;
}
