/**
 * `createRouterPoller`: the watches MikroClaw polls itself, read-only over RouterOS REST —
 * interfaces going `running=false` / back (`/interface`), CPU or memory over a threshold for a
 * while (`/system/resource`), login failures in `/log`, new DHCP leases. The first poll only
 * learns the current state (an unplugged port is not news); changes after it reach the watch.
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

/** Builds the {@linkcode RouterPoller}. */
export function createRouterPoller(options: RouterPollerOptions): RouterPoller {
  const { router, watch } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const cpuLimit = options.cpuPercent ?? 90;
  const memLimit = options.memoryPercent ?? 90;
  const sustainMs = options.sustainMs ?? 300_000;
  const loginLimit = options.loginFailures ?? 5;

  let first = true;
  const running = new Map<string, boolean>();
  const over = new Map<"cpu" | "memory", { since: number; alerted: boolean }>();
  const seenLog = new Set<string>();
  const failures: string[] = [];
  const seenLeases = new Set<string>();

  async function read(path: string, signal: AbortSignal | undefined): Promise<Row[]> {
    const rows = await router.get<Row[] | Row>(path, undefined, signal ? { signal } : {});
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

  async function load(kind: "cpu" | "memory", percent: number, limit: number): Promise<void> {
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

  return {
    async poll(signal) {
      for (
        const [name, step] of [
          ["interfaces", interfaces],
          ["resources", resources],
          ["login failures", logins],
          ["DHCP leases", leases],
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
