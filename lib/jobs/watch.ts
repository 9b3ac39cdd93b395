/**
 * `createWatch`: router watches without the model in the loop. A subject going `down` alerts
 * `ALERT_TO` once; repeats within the dedupe window are dropped (after it, one "still down"
 * reminder); the next `up` sends "… is up again after 12 min". State lives in the StateStore
 * and every transition is claimed with an atomic `update`, so a fleet alerts once.
 *
 * Quiet hours: an alert inside them is held (default) and all held alerts go out as one summary
 * when they end, or dropped (`ALERT_QUIET_MODE=drop`).
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { StateStore } from "../storage/types.ts";
import { randomHex } from "../gateway/_crypto.ts";
import { formatInZone } from "./schedule.ts";
import type { WatchEvent } from "./types.ts";

/** What became of one event. */
export type WatchOutcome = "alerted" | "repeat" | "resolved" | "held" | "dropped" | "ignored";

/** Options of {@linkcode createWatch}. */
export interface WatchOptions {
  store: StateStore;
  /** Sends one message to `telegram:<id>` etc.; must not throw. */
  send: (to: string, text: string) => Promise<void>;
  /** Who gets alerts (`ALERT_TO`, else the approvers, else the allowlisted senders). */
  recipients: readonly string[];
  /** The zone alert times and quiet hours are read in. */
  zone: () => Promise<string>;
  /** `WATCH_DEDUPE` in ms. @default {1800000} */
  dedupeMs?: number;
  /** `ALERT_QUIET_HOURS`: ranges such as `22:00-07:00`. @default {[]} */
  quietHours?: readonly string[];
  /** `ALERT_QUIET_MODE`. @default {"hold"} */
  quietMode?: "hold" | "drop";
  /** Called (not awaited) after a first alert or a notice was sent, e.g. to explain it. */
  onAlert?: ((text: string) => void) | undefined;
  /** @default {Date.now} */
  now?: () => number;
  logger?: Logger;
}

/** The watch. */
export interface Watch {
  /** A down/up event (pushed by the router, or found by a poll). */
  event(event: WatchEvent): Promise<WatchOutcome>;
  /** A one-off finding (login failures, a new device); deduplicated per subject. */
  notice(source: string, subject: string, text: string): Promise<WatchOutcome>;
  /** Sends the held alerts as one summary once quiet hours are over. */
  flush(): Promise<void>;
}

interface SubjectState {
  status: "down" | "up";
  since_ms: number;
  alerted_ms: number;
  down_since_ms?: number;
  claim: string;
}

interface Held {
  items: { at_ms: number; text: string }[];
  claim?: string;
  taken?: { at_ms: number; text: string }[];
}

const HELD = "watch:held";

/** How a `down` / `up` of a source reads (default: "down" / "up again"). */
const WORDS: Record<string, [string, string]> = {
  resource: ["over its threshold", "back to normal"],
  firewall: ["jumping", "quiet again"],
};

/** `12 min`, `2 h 5 min`, `40 s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ""}`;
}

function minutesOf(range: string): [number, number] | undefined {
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(range.trim());
  if (!m) return undefined;
  return [Number(m[1]) * 60 + Number(m[2]), Number(m[3]) * 60 + Number(m[4])];
}

/** True when local time `hh:mm` (in minutes) falls in one of `ranges` (which may wrap midnight). */
export function inQuietHours(localMinutes: number, ranges: readonly string[]): boolean {
  return ranges.some((r) => {
    const span = minutesOf(r);
    if (!span) return false;
    const [from, to] = span;
    return from <= to
      ? localMinutes >= from && localMinutes < to
      : localMinutes >= from || localMinutes < to;
  });
}

/** Builds the {@linkcode Watch}. */
export function createWatch(options: WatchOptions): Watch {
  const { store, send, recipients } = options;
  const now = options.now ?? Date.now;
  const dedupeMs = options.dedupeMs ?? 30 * 60_000;
  const quiet = options.quietHours ?? [];
  const logger = options.logger ?? silentLogger;

  async function quietNow(): Promise<boolean> {
    if (quiet.length === 0) return false;
    const local = formatInZone(now(), await options.zone()).slice(11);
    return inQuietHours(Number(local.slice(0, 2)) * 60 + Number(local.slice(3, 5)), quiet);
  }

  async function deliver(text: string): Promise<WatchOutcome> {
    if (await quietNow()) {
      if (options.quietMode === "drop") {
        logger.info(`watch: quiet hours, alert dropped: ${text}`);
        return "dropped";
      }
      const item = { at_ms: now(), text };
      await store.update<Held>(
        HELD,
        (cur) => ({ items: [...(cur?.items ?? []), item].slice(-50) }),
      );
      return "held";
    }
    if (recipients.length === 0) logger.warn(`watch: nobody to alert (set ALERT_TO): ${text}`);
    await Promise.all(recipients.map((to) => send(to, text)));
    return "alerted";
  }

  async function at(ms: number): Promise<string> {
    const zone = await options.zone();
    return `${formatInZone(ms, zone).slice(11)} ${zone}`;
  }

  function key(source: string, subject: string): string {
    return `watch:${source}:${subject}`;
  }

  return {
    async event(e) {
      const t = now();
      const claim = randomHex(12);
      const detail = e.detail ? ` (${e.detail})` : "";
      // A load is not "down": it is over its threshold, then back to normal.
      const [downWord, upWord] = WORDS[e.source] ?? ["down", "up again"];
      if (e.status === "down") {
        let repeat = false;
        const next = await store.update<SubjectState>(key(e.source, e.subject), (cur) => {
          if (cur?.status === "down" && t - cur.alerted_ms < dedupeMs) return undefined;
          repeat = cur?.status === "down";
          return {
            status: "down",
            since_ms: cur?.status === "down" ? cur.since_ms : Math.min(e.since_ms ?? t, t),
            alerted_ms: t,
            claim,
          };
        });
        if (next?.claim !== claim) return "ignored";
        const text = `${e.subject} is ${repeat ? "still " : ""}${downWord} since ${await at(
          next.since_ms,
        )} [${e.source}]${detail}`;
        const out = await deliver(text);
        if (out === "alerted" && !repeat) options.onAlert?.(text);
        return repeat && out === "alerted" ? "repeat" : out;
      }
      const next = await store.update<SubjectState>(
        key(e.source, e.subject),
        (cur) =>
          cur?.status === "down"
            ? { status: "up", since_ms: t, alerted_ms: t, down_since_ms: cur.since_ms, claim }
            : undefined,
      );
      if (next?.claim !== claim) return "ignored";
      const out = await deliver(
        `${e.subject} is ${upWord} after ${
          formatDuration(t - (next.down_since_ms ?? t))
        } [${e.source}]${detail}`,
      );
      return out === "alerted" ? "resolved" : out;
    },

    async notice(source, subject, text) {
      const t = now();
      const claim = randomHex(12);
      const next = await store.update<SubjectState>(
        key(source, subject),
        (cur) =>
          cur && t - cur.alerted_ms < dedupeMs
            ? undefined
            : { status: "up", since_ms: t, alerted_ms: t, claim },
      );
      if (next?.claim !== claim) return "ignored";
      const out = await deliver(`${text} [${source}]`);
      if (out === "alerted") options.onAlert?.(`${text} [${source}]`);
      return out;
    },

    async flush() {
      try {
        if (await quietNow()) return;
        const claim = randomHex(12);
        const next = await store.update<Held>(
          HELD,
          (cur) => cur?.items.length ? { items: [], claim, taken: cur.items } : undefined,
        );
        if (next?.claim !== claim || !next.taken?.length) return;
        const lines = [];
        for (const item of next.taken) lines.push(`${await at(item.at_ms)}: ${item.text}`);
        const text = `While quiet hours were on (${next.taken.length} alert${
          next.taken.length === 1 ? "" : "s"
        }):\n${lines.join("\n")}`;
        await Promise.all(recipients.map((to) => send(to, text)));
      } catch (error) {
        logger.warn(`watch: cannot send the held alerts: ${errorMessage(error)}`);
      }
    },
  };
}
