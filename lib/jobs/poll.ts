/**
 * `createRouterPoller`: the watches MikroClaw polls itself, read-only over RouterOS REST —
 * interfaces going `running=false` / back (`/interface`), CPU, memory or disk over a threshold
 * for a while (`/system/resource`), login failures in `/log`, new DHCP leases, and firewall rules
 * whose packet counter jumps between two polls (`/ip/firewall/filter`). The first poll only
 * learns the current state (an unplugged port is not news); changes after it reach the watch.
 *
 * Firewall rules watched: those with a comment (someone named them, so their traffic means
 * something) and every `drop` / `reject` rule (a jump there is an attack or a broken client);
 * uncommented accept / jump / log rules count ordinary traffic and would only make noise.
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { RouterOS } from "../routeros/types.ts";
import type { Watch } from "./watch.ts";

/** Thresholds of the polled watches (settings `WATCH_*`). */
export interface PollThresholds {
  /** `WATCH_CPU_PERCENT`. @default {90} */
  cpuPercent?: number;
  /** `WATCH_MEMORY_PERCENT`. @default {90} */
  memoryPercent?: number;
  /** `WATCH_SUSTAIN` in ms: how long a load must stay over its threshold. @default {300000} */
  sustainMs?: number;
  /** `WATCH_LOGIN_FAILURES`: failures (counted across polls) that make one alert. @default {5} */
  loginFailures?: number;
  /** `WATCH_DISK_PERCENT`. @default {90} */
  diskPercent?: number;
  /** `WATCH_FIREWALL_PACKETS`: packets a watched rule may gain per poll; 0 = off. @default {1000} */
  firewallPackets?: number;
}

/** Options of {@linkcode createRouterPoller}. */
export interface RouterPollerOptions extends PollThresholds {
  router: RouterOS;
  watch: Watch;
  /** @default {Date.now} */
  now?: () => number;
  logger?: Logger;
}

/** One poll of every watch; resolves when the alerts it caused were handled. */
export interface RouterPoller {
  poll(signal?: AbortSignal): Promise<void>;
}

type Row = Record<string, string | undefined>;
type Load = "cpu" | "memory" | "disk";

/** A rule worth watching: it has a comment, or it drops / rejects (see the module doc). */
function watchedRule(row: Row): boolean {
  if (row.disabled === "true") return false;
  return Boolean(row.comment) || row.action === "drop" || row.action === "reject";
}

/** `rule "defconf: drop invalid" (*2)`, or `rule input/drop (*9)` without a comment. */
function ruleName(row: Row): string {
  const what = row.comment ? `"${row.comment.slice(0, 60)}"` : `${row.chain}/${row.action}`;
  return `rule ${what} (${row[".id"]})`;
}

/** Builds the {@linkcode RouterPoller}. */
export function createRouterPoller(options: RouterPollerOptions): RouterPoller {
  const { router, watch } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const cpuLimit = options.cpuPercent ?? 90;
  const memLimit = options.memoryPercent ?? 90;
  const sustainMs = options.sustainMs ?? 300_000;
  const loginLimit = options.loginFailures ?? 5;
  const diskLimit = options.diskPercent ?? 90;
  const packetLimit = options.firewallPackets ?? 1000;

  let first = true;
  const running = new Map<string, boolean>();
  const over = new Map<Load, { since: number; alerted: boolean }>();
  const seenLog = new Set<string>();
  const failures: string[] = [];
  const seenLeases = new Set<string>();
  const packets = new Map<string, number>();
  const jumping = new Set<string>();

  async function read(path: string, signal: AbortSignal | undefined): Promise<Row[]> {
    const rows = await router.get<Row[] | Row>(path, undefined, { signal });
    return Array.isArray(rows) ? rows : [rows];
  }

  async function interfaces(signal?: AbortSignal): Promise<void> {
    for (const row of await read("/interface", signal)) {
      const name = row.name;
      if (!name || row.disabled === "true") continue;
      const up = row.running === "true";
      const before = running.get(name);
      running.set(name, up);
      if (before === undefined || before === up) continue;
      await watch.event({
        source: "interface",
        subject: name,
        status: up ? "up" : "down",
        detail: up ? "running again" : "running=false",
      });
    }
  }

  async function load(kind: Load, percent: number, limit: number): Promise<void> {
    const state = over.get(kind);
    if (percent > limit) {
      const since = state?.since ?? now();
      if (!state) over.set(kind, { since, alerted: false });
      if (!state?.alerted && now() - since >= sustainMs) {
        over.set(kind, { since, alerted: true });
        await watch.event({
          source: "resource",
          subject: kind,
          status: "down",
          since_ms: since,
          detail: `${kind} at ${percent}% (over ${limit}% for ${
            Math.round((now() - since) / 60_000)
          } min)`,
        });
      }
    } else if (state) {
      over.delete(kind);
      if (state.alerted) {
        await watch.event({
          source: "resource",
          subject: kind,
          status: "up",
          detail: `${kind} at ${percent}%`,
        });
      }
    }
  }

  async function resources(signal?: AbortSignal): Promise<void> {
    const [r] = await read("/system/resource", signal);
    if (!r) return;
    const cpu = Number(r["cpu-load"]);
    if (Number.isFinite(cpu)) await load("cpu", cpu, cpuLimit);
    const free = Number(r["free-memory"]);
    const total = Number(r["total-memory"]);
    if (total > 0 && Number.isFinite(free)) {
      await load("memory", Math.round((1 - free / total) * 100), memLimit);
    }
    const freeDisk = Number(r["free-hdd-space"]);
    const totalDisk = Number(r["total-hdd-space"]);
    if (totalDisk > 0 && Number.isFinite(freeDisk)) {
      await load("disk", Math.round((1 - freeDisk / totalDisk) * 100), diskLimit);
    }
  }

  async function logins(signal?: AbortSignal): Promise<void> {
    for (const row of await read("/log", signal)) {
      const id = row[".id"] ?? `${row.time}|${row.message}`;
      if (seenLog.has(id)) continue;
      seenLog.add(id);
      const topics = (row.topics ?? "").split(",");
      const relevant = topics.some((t) => t === "system" || t === "error" || t === "critical");
      if (!first && relevant && /login failure/i.test(row.message ?? "")) {
        failures.push(row.message ?? "");
      }
    }
    if (failures.length >= loginLimit) {
      const sample = failures.slice(-3).join("; ");
      const n = failures.length;
      failures.length = 0;
      await watch.notice("log", "login-failures", `${n} router login failures: ${sample}`);
    }
  }

  async function leases(signal?: AbortSignal): Promise<void> {
    for (const row of await read("/ip/dhcp-server/lease", signal)) {
      const mac = row["mac-address"] ?? row[".id"];
      if (!mac || seenLeases.has(mac)) continue;
      seenLeases.add(mac);
      if (first) continue;
      const name = row["host-name"] ? `${row["host-name"]} ` : "";
      await watch.notice(
        "dhcp",
        `lease:${mac}`,
        `New device on the network: ${name}${mac} at ${
          row.address ?? row["active-address"] ?? "?"
        }`,
      );
    }
  }

  async function firewall(signal?: AbortSignal): Promise<void> {
    if (packetLimit <= 0) return;
    for (const row of await read("/ip/firewall/filter", signal)) {
      const id = row[".id"];
      const count = Number(row.packets);
      if (!id || !Number.isFinite(count) || !watchedRule(row)) continue;
      const before = packets.get(id);
      packets.set(id, count);
      // First sight, or a counter reset (reboot, `reset-counters`): nothing to compare.
      if (before === undefined || count < before) continue;
      const subject = ruleName(row);
      const gained = count - before;
      if (gained > packetLimit) {
        jumping.add(id);
        await watch.event({
          source: "firewall",
          subject,
          status: "down",
          detail: `+${gained} packets in one poll, ${count} in all`,
        });
      } else if (jumping.delete(id)) {
        await watch.event({
          source: "firewall",
          subject,
          status: "up",
          detail: `+${gained} packets in the last poll`,
        });
      }
    }
  }

  return {
    async poll(signal) {
      for (
        const [name, step] of [
          ["interfaces", interfaces],
          ["resources", resources],
          ["login failures", logins],
          ["DHCP leases", leases],
          ["firewall counters", firewall],
        ] as const
      ) {
        try {
          await step(signal);
        } catch (error) {
          logger.warn(`watch: cannot poll ${name}: ${errorMessage(error)}`);
        }
      }
      first = false;
    },
  };
}
