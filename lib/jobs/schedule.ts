/**
 * Job schedules (CONTRACT §8): a 5-field cron expression, `every <N>s|m|h`, or `at <ISO
 * date-time>`, each read in an explicit IANA time zone. Cron and one-shot times are computed by
 * croner, so daylight-saving changes are handled by a well-kept library, not by us.
 * @module
 */
import { Cron } from "croner";

/** A parsed schedule: the first run time strictly after an instant. */
export interface Schedule {
  readonly kind: "cron" | "every" | "at";
  /** The first due time (epoch ms) after `afterMs`, or `null` when there is none (a past `at`). */
  next(afterMs: number): number | null;
  /**
   * The first due time after `nowMs` for a schedule whose previous due time was `dueMs`: an
   * interval keeps its rhythm (`dueMs + k·N`), a cron expression asks croner again.
   */
  following(dueMs: number, nowMs: number): number | null;
}

/** A bad schedule or zone; `field` names the request field (`schedule` or `tz`). */
export class ScheduleError extends RangeError {
  /** The field at fault. */
  readonly field: "schedule" | "tz";
  constructor(field: "schedule" | "tz", message: string) {
    super(message);
    this.name = "ScheduleError";
    this.field = field;
  }
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
/** Longest interval: 31 days. */
const MAX_EVERY_MS = 31 * 86_400_000;

/** True when `zone` is an IANA time zone this runtime knows (checked with `Intl`). */
export function isTimeZone(zone: string): boolean {
  if (zone === "" || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone this process runs in (`TZ`, else the system's), else `UTC`. */
export function processTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** `epochMs` as local wall-clock time in `zone`, e.g. `2026-03-29 08:00`. */
export function formatInZone(epochMs: number, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(epochMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

function cronNext(cron: Cron, afterMs: number): number | null {
  return cron.nextRun(new Date(afterMs))?.getTime() ?? null;
}

/**
 * Parses `text` in `zone`. Throws {@linkcode ScheduleError} naming `tz` for an unknown zone and
 * `schedule` for anything else.
 */
export function parseSchedule(text: string, zone: string): Schedule {
  if (!isTimeZone(zone)) {
    throw new ScheduleError(
      "tz",
      `tz: ${JSON.stringify(zone.slice(0, 64))} is not an IANA time zone`,
    );
  }
  const spec = text.trim();
  const every = /^every\s+(\d{1,9})\s*([smh])$/i.exec(spec);
  if (every) {
    const stepMs = Number(every[1]) * UNIT_MS[every[2]!.toLowerCase()]!;
    if (stepMs < 1000 || stepMs > MAX_EVERY_MS) {
      throw new ScheduleError("schedule", "schedule: an interval must be 1s to 31 days");
    }
    return {
      kind: "every",
      next: (afterMs) => afterMs + stepMs,
      following: (dueMs, nowMs) =>
        dueMs + (Math.floor(Math.max(0, nowMs - dueMs) / stepMs) + 1) * stepMs,
    };
  }
  const at = /^at\s+(\S+)$/i.exec(spec);
  if (at) {
    const when = at[1]!;
    if (
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})?$/.test(when)
    ) {
      throw new ScheduleError(
        "schedule",
        "schedule: at needs an ISO date-time such as 2026-03-29T08:00 (read in tz) or 2026-03-29T05:00Z",
      );
    }
    let cron: Cron;
    try {
      cron = new Cron(when.length === 16 ? `${when}:00` : when, { timezone: zone });
    } catch (error) {
      throw new ScheduleError("schedule", `schedule: ${(error as Error).message}`);
    }
    const dueMs = cron.nextRun(new Date(0))?.getTime() ?? null;
    return {
      kind: "at",
      next: (afterMs) => (dueMs !== null && dueMs > afterMs ? dueMs : null),
      following: () => null,
    };
  }
  const fields = spec.split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => /^[0-9A-Za-z*,/?#LW-]+$/.test(f))) {
    throw new ScheduleError(
      "schedule",
      'schedule: expected a 5-field cron expression ("0 8 * * 1"), "every <N>s|m|h" or "at <ISO date-time>"',
    );
  }
  let cron: Cron;
  try {
    cron = new Cron(spec, { timezone: zone, mode: "5-part" });
    cron.nextRun();
  } catch (error) {
    throw new ScheduleError("schedule", `schedule: ${(error as Error).message}`);
  }
  return {
    kind: "cron",
    next: (afterMs) => cronNext(cron, afterMs),
    following: (_dueMs, nowMs) => cronNext(cron, nowMs),
  };
}
