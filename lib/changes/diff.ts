/**
 * Readable before -> after lines of a change: `- key=old` / `+ key=new` per changed key, under
 * a header naming the item. Counters and volatile columns are left out.
 * @module
 */
import type { ChangeItem } from "./types.ts";

/** Columns the router changes by itself; never part of a diff or a "changed since" check. */
const VOLATILE =
  /^(\.id|\.nextid|\.about|\.dead|bytes|packets|creation-time|timeout|run-count|next-run|last-started|(rx|tx|fp-rx|fp-tx)-(byte|packet|drop|error|queue-drop|bytes|packets)s?|link-downs|last-link-(up|down)-time|running|active|invalid|dynamic|actual-.*|expires-after|last-seen|uptime|status)$/;

/** Whether a column changes on its own (counters, timers, run state). */
export function isVolatileKey(key: string): boolean {
  return VOLATILE.test(key);
}

function quote(value: string): string {
  return /^[^\s"=]*$/.test(value) && value !== "" ? value : JSON.stringify(value);
}

function label(item: ChangeItem): string {
  const record = item.after ?? item.before ?? {};
  const name = record.name ?? record.comment ?? record.address ?? record["dst-address"] ??
    record.chain;
  const id = item.id ? ` ${item.id}` : "";
  const what = name ? ` (${name.length > 40 ? name.slice(0, 39) + "…" : name})` : "";
  return `${item.menu}${id}${what}`;
}

/** Keys whose values differ between two records (volatile columns ignored). */
export function changedKeys(
  before: Record<string, string> | undefined,
  after: Record<string, string> | undefined,
): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys].filter((k) => !isVolatileKey(k) && before?.[k] !== after?.[k]).sort();
}

/** Renders the diff of every item, e.g. `set /ip/firewall/filter *5 (input)\n- disabled=false\n+ disabled=true`. */
export function renderDiff(items: readonly ChangeItem[]): string {
  const out: string[] = [];
  for (const item of items) {
    const verb = item.op === "singleton" ? "set" : item.op;
    out.push(`${verb} ${label(item)}`);
    if (item.op === "move") {
      out.push(`  moved${item.next ? ` before ${item.next.id}` : " to the end"}`);
      continue;
    }
    for (const key of changedKeys(item.before, item.after)) {
      const old = item.before?.[key];
      const now = item.after?.[key];
      if (old !== undefined) out.push(`- ${key}=${quote(old)}`);
      if (now !== undefined) out.push(`+ ${key}=${quote(now)}`);
    }
  }
  return out.join("\n");
}
