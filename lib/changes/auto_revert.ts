/**
 * The auto-revert ("commit confirmed", `ROUTEROS_CONFIRM_SECONDS`): armed on the router as a
 * one-shot `/system/scheduler` entry when the policy allows it, else kept by MikroClaw itself
 * (the manager's sweep reverts overdue changes).
 * @module
 */
import { AgentError, ErrorCode } from "../errors.ts";
import type { RouterOSPolicy } from "../routeros/policy.ts";
import type { RouterOS, RouterOSCall } from "../routeros/types.ts";
import type { CallEffect } from "./_calls.ts";
import { asRouterRecord, isNotFound, predictItems, type Snapshot } from "./_snapshot.ts";
import type { ChangeItem, ChangeRevert } from "./types.ts";
import { callToScript, inverseCalls, quoteRouterOSValue, revertScript } from "./undo.ts";

const MONTHS = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];

/** Parses the router clock (`2026-09-28` or `sep/28/2026`, `HH:MM:SS`) and adds seconds. */
export function addRouterSeconds(
  clock: { date?: string; time?: string },
  seconds: number,
): { date: string; time: string } {
  const date = clock.date ?? "";
  const time = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(clock.time ?? "");
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const old = /^([a-z]{3})\/(\d{2})\/(\d{4})$/i.exec(date);
  if (!time || (!iso && !old)) {
    throw new AgentError(
      `Cannot arm the auto-revert: unreadable router clock ${JSON.stringify(clock)}`,
      { code: ErrorCode.RouterOS },
    );
  }
  const [y, m, d] = iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : [
    Number(old![3]),
    MONTHS.indexOf(old![1]!.toLowerCase()) + 1,
    Number(old![2]),
  ];
  const at = new Date(
    Date.UTC(y, m - 1, d, Number(time[1]), Number(time[2]), Number(time[3])) +
      seconds * 1000,
  );
  const p = (n: number): string => String(n).padStart(2, "0");
  const outDate = iso
    ? `${at.getUTCFullYear()}-${p(at.getUTCMonth() + 1)}-${p(at.getUTCDate())}`
    : `${MONTHS[at.getUTCMonth()]}/${p(at.getUTCDate())}/${at.getUTCFullYear()}`;
  return {
    date: outDate,
    time: `${p(at.getUTCHours())}:${p(at.getUTCMinutes())}:${p(at.getUTCSeconds())}`,
  };
}

/** Script lines that undo the change before it is applied (adds found again by their values). */
function provisionalLines(items: readonly ChangeItem[], effects: readonly CallEffect[]): string[] {
  const predicted = predictItems(items, effects);
  const lines: string[] = [];
  const removesAndOthers = inverseCalls(predicted.filter((i) => i.op !== "add"));
  if (removesAndOthers.missing) throw new Error(removesAndOthers.missing);
  for (const item of predicted.filter((i) => i.op === "add").reverse()) {
    const where = Object.entries(item.after ?? {})
      .filter(([k]) => /^[a-z0-9][a-z0-9.\-_]*$/i.test(k))
      .map(([k, v]) => `${k}=${quoteRouterOSValue(v)}`).join(" ");
    if (!where) {
      throw new Error(`an added ${item.menu} item has no properties to find it by`);
    }
    if (!/^(\/[a-z0-9][a-z0-9-]*)+$/.test(item.menu)) {
      throw new Error(`bad menu ${item.menu}`);
    }
    lines.push(`${item.menu}/remove [find where ${where}]`);
  }
  return [...lines, ...removesAndOthers.calls.map(callToScript)];
}

/** Options of {@linkcode createAutoRevert}. */
export interface AutoRevertOptions {
  router: RouterOS;
  /** Decides whether the router may schedule the revert itself. */
  policy?: RouterOSPolicy | undefined;
  /** Seconds until the revert; 0 turns it off. */
  confirmSeconds: number;
  /** MikroClaw's clock (deadlines). */
  now: () => number;
}

/** Arms, re-targets and disarms the auto-revert of applied changes. */
export interface AutoRevert {
  /** `router`: a scheduler entry; `local`: MikroClaw's own timer; `off`: no auto-revert. */
  readonly mode: "router" | "local" | "off";
  /**
   * Arms the revert of change `id` before it is written; `undefined` when off or when the
   * change cannot be undone.
   */
  arm(
    id: string,
    snap: Snapshot,
    effects: readonly CallEffect[],
  ): Promise<ChangeRevert | undefined>;
  /** After the write: points a router-armed revert at the items the router just created. */
  retarget(
    armed: ChangeRevert | undefined,
    items: readonly ChangeItem[],
    undo: readonly RouterOSCall[],
  ): Promise<void>;
  /**
   * Removes a router-armed entry: `removed`, `gone` (it already ran: the router reverted the
   * change) or `none` (nothing armed on the router).
   */
  disarm(revert: ChangeRevert | undefined): Promise<"removed" | "gone" | "none">;
  /** Whether a router-armed revert, past its deadline, has run (its entry is gone). */
  ranOnRouter(revert: ChangeRevert): Promise<boolean>;
}

/** Builds the auto-revert of a manager. */
export function createAutoRevert(options: AutoRevertOptions): AutoRevert {
  const { router, confirmSeconds, now } = options;
  const canSchedule = options.policy?.decide({
    kind: "write",
    menu: "/system/scheduler",
    verb: "add",
    args: {},
    line: "/system/scheduler add",
  }).allowed === true;
  const mode = confirmSeconds <= 0 ? "off" : canSchedule ? "router" : "local";

  async function armOnRouter(id: string, lines: string[]): Promise<ChangeRevert> {
    const name = `mikroclaw-revert-${id}`;
    const clock = asRouterRecord(await router.get("/system/clock")) ?? {};
    const at = addRouterSeconds(clock, confirmSeconds);
    const created = asRouterRecord(
      await router.call({
        method: "PUT",
        path: "/system/scheduler",
        body: {
          name,
          "start-date": at.date,
          "start-time": at.time,
          interval: "0s",
          policy: "read,write,test",
          comment: `MikroClaw auto-revert of change ${id}`,
          "on-event": revertScript(lines, name),
        },
      }),
    );
    const revert: ChangeRevert = {
      mode: "router",
      deadline: now() + confirmSeconds * 1000,
      scheduler_name: name,
      router_time: `${at.date} ${at.time}`,
    };
    if (created?.[".id"]) revert.scheduler_id = created[".id"];
    return revert;
  }

  return {
    mode,
    async arm(id, snap, effects) {
      if (mode === "off" || snap.missing) return undefined;
      if (mode === "router") {
        return await armOnRouter(id, provisionalLines(snap.items, effects));
      }
      return { mode: "local", deadline: now() + confirmSeconds * 1000 };
    },
    async retarget(armed, items, undo) {
      if (
        armed?.mode !== "router" || !armed.scheduler_id ||
        !items.some((i) => i.op === "add")
      ) {
        return;
      }
      await router.patch(`/system/scheduler/${armed.scheduler_id}`, {
        "on-event": revertScript(undo.map(callToScript), armed.scheduler_name!),
      });
    },
    async disarm(revert) {
      if (!revert || revert.mode !== "router") return "none";
      let id = revert.scheduler_id;
      if (!id && revert.scheduler_name) {
        const rows = await router.get<unknown>("/system/scheduler", {
          name: revert.scheduler_name,
        });
        id = Array.isArray(rows) ? asRouterRecord(rows[0])?.[".id"] : undefined;
        if (!id) return "gone";
      }
      try {
        await router.remove(`/system/scheduler/${id}`);
        return "removed";
      } catch (error) {
        if (isNotFound(error)) return "gone";
        throw error;
      }
    },
    async ranOnRouter(revert) {
      const rows = await router.get<unknown>("/system/scheduler", {
        name: revert.scheduler_name!,
      });
      return Array.isArray(rows) && rows.length === 0;
    },
  };
}
