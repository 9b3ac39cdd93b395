/**
 * Background health probes with a cached snapshot, so `/health` never waits on the network.
 * @module
 */
import type { Logger } from "../_internal/logger.ts";
import { errorMessage } from "../errors.ts";
import type { HealthSource } from "./types.ts";

/** The cached health state. */
export interface HealthSnapshot {
  status: "ok" | "degraded";
  components: { llm: boolean; gateway: true; routeros: boolean; memu: boolean };
  /** Epoch ms of the last completed probe round (0 before the first). */
  checkedAt: number;
}

/** The prober. */
export interface HealthMonitor {
  snapshot(): HealthSnapshot;
  /** Runs one probe round now. */
  probe(): Promise<void>;
  start(): void;
  stop(): void;
}

/** What `GET /health` shows everyone, and what the `health_check` tool reports. */
export function healthReport(
  snapshot: HealthSnapshot,
): Pick<HealthSnapshot, "status" | "components"> {
  return { status: snapshot.status, components: snapshot.components };
}

const NAMES = ["llm", "routeros", "memu"] as const;
const FIRST_PROBE_MS = 1000;

/** Options of {@linkcode createHealthMonitor}. */
export interface HealthMonitorOptions {
  source: HealthSource;
  /** Probe interval. @default {30000} */
  intervalMs?: number;
  /** Probe time limit. @default {5000} */
  timeoutMs?: number;
  /** @default {Date.now} */
  now?: () => number;
  logger: Logger;
}

/** Builds a {@linkcode HealthMonitor}. */
export function createHealthMonitor(options: HealthMonitorOptions): HealthMonitor {
  const { source, logger } = options;
  const { intervalMs = 30_000, timeoutMs = 5000, now = Date.now } = options;
  const state = { llm: false, routeros: false, memu: false };
  let checkedAt = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let first: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  const stopper = new AbortController();

  async function one(name: (typeof NAMES)[number]): Promise<void> {
    const probe = source[name];
    if (!probe) return;
    const controller = new AbortController();
    const onStop = () => controller.abort(stopper.signal.reason);
    stopper.signal.addEventListener("abort", onStop, { once: true });
    let t: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<boolean>((resolve) => {
        t = setTimeout(() => {
          controller.abort(new Error("Health probe timed out"));
          resolve(false);
        }, timeoutMs);
      });
      const ok = await Promise.race([probe(controller.signal).then((v) => v === true), timeout]);
      if (state[name] !== ok) {
        logger.info(`gateway: ${name} is ${ok ? "reachable" : "unreachable"}`);
      }
      state[name] = ok;
    } catch (error) {
      if (state[name]) logger.warn(`gateway: ${name} probe failed: ${errorMessage(error)}`);
      state[name] = false;
    } finally {
      clearTimeout(t);
      stopper.signal.removeEventListener("abort", onStop);
    }
  }

  function probe(): Promise<void> {
    inFlight ??= Promise.all(NAMES.map(one)).then(() => {
      checkedAt = now();
    }).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    snapshot() {
      const configured = NAMES.filter((n) => source[n] !== undefined);
      return {
        status: configured.every((n) => state[n]) ? "ok" : "degraded",
        components: { llm: state.llm, gateway: true, routeros: state.routeros, memu: state.memu },
        checkedAt,
      };
    },
    probe,
    start() {
      if (timer !== undefined) return;
      // The first probe waits a moment: serving the first requests comes before it.
      first = setTimeout(() => void probe(), Math.min(FIRST_PROBE_MS, intervalMs));
      timer = setInterval(() => void probe(), intervalMs);
    },
    stop() {
      clearTimeout(first);
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      stopper.abort(new Error("Gateway stopped"));
    },
  };
}
