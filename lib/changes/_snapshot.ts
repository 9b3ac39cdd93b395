/**
 * What a change touches on the router: the items read just before the write (`snapshot`), the
 * state they would have after it (`predictItems`, for the approval diff) and the state read
 * back after it (`readItemsAfter`).
 * @module
 */
import type { RouterOS } from "../routeros/types.ts";
import { RouterOSError } from "../routeros/routeros_error.ts";
import type { CallEffect } from "./_calls.ts";
import type { ChangeItem } from "./types.ts";
import { addableProps } from "./undo.ts";

/** The router's record as strings (numbers and booleans too); `undefined` for a non-record. */
export function asRouterRecord(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === "string") out[k] = v;
    else if (typeof v === "number" || typeof v === "boolean") {
      out[k] = String(v);
    }
  }
  return out;
}

/** Whether the router answered 404 (no such item). */
export function isNotFound(error: unknown): boolean {
  return error instanceof RouterOSError && error.status === 404;
}

/** One item of a menu, `undefined` when the router has no such item. */
export async function readItem(
  router: RouterOS,
  menu: string,
  id: string,
): Promise<Record<string, string> | undefined> {
  try {
    return asRouterRecord(await router.get(`${menu}/${id}`));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Every item of a menu, in the router's order. */
export async function readList(router: RouterOS, menu: string): Promise<Record<string, string>[]> {
  const reply = await router.get<unknown>(menu);
  return Array.isArray(reply) ? reply.map((r) => asRouterRecord(r) ?? {}) : [];
}

/** The items a change touches, as read just before the write. */
export interface Snapshot {
  items: ChangeItem[];
  /** Current item state by `menu|id`, for the lock-out guard. */
  byKey: Map<string, Record<string, string>>;
  /** Why the change cannot be undone, if so. */
  missing?: string;
}

function noSuchItem(menu: string, ref: string): RouterOSError {
  return new RouterOSError(`Cannot change ${menu} ${ref}: no such item`, {
    status: 404,
  });
}

/** Reads every item the calls touch, just before writing. */
export async function snapshot(
  router: RouterOS,
  effects: readonly CallEffect[],
): Promise<Snapshot> {
  const items: ChangeItem[] = [];
  const byKey = new Map<string, Record<string, string>>();
  let missing: string | undefined;
  const lists = new Map<string, Record<string, string>[]>();
  const listOf = async (menu: string): Promise<Record<string, string>[]> => {
    let rows = lists.get(menu);
    if (!rows) {
      rows = await readList(router, menu);
      lists.set(menu, rows);
    }
    return rows;
  };
  for (const effect of effects) {
    switch (effect.kind) {
      case "other":
        missing ??= `${effect.path} is a command with no inverse`;
        break;
      case "add":
        items.push({ op: "add", menu: effect.menu });
        break;
      case "singleton": {
        const before = asRouterRecord(await router.get(effect.menu));
        if (before) byKey.set(`${effect.menu}|`, before);
        items.push({
          op: "singleton",
          menu: effect.menu,
          ...(before ? { before } : {}),
        });
        break;
      }
      case "set":
      case "unset":
        for (const ref of effect.ids) {
          const before = await readItem(router, effect.menu, ref);
          if (!before) throw noSuchItem(effect.menu, ref);
          const id = before[".id"] ?? ref;
          byKey.set(`${effect.menu}|${ref}`, before);
          byKey.set(`${effect.menu}|${id}`, before);
          items.push({ op: "set", menu: effect.menu, id, before });
        }
        break;
      case "remove":
      case "move": {
        const rows = await listOf(effect.menu);
        const find = (ref: string): Record<string, string> | undefined =>
          rows.find((r) => r[".id"] === ref) ??
            rows.find((r) => r.name === ref);
        // Every item this change removes (or moves) in the menu, across all its calls.
        const ids = new Set<string | undefined>();
        for (const other of effects) {
          if (other.kind !== effect.kind || other.menu !== effect.menu) {
            continue;
          }
          for (const ref of other.ids) ids.add(find(ref)?.[".id"]);
        }
        for (const ref of effect.ids) {
          const before = find(ref);
          if (!before) throw noSuchItem(effect.menu, ref);
          byKey.set(`${effect.menu}|${ref}`, before);
          byKey.set(`${effect.menu}|${before[".id"]}`, before);
          const follower = rows.slice(rows.indexOf(before) + 1).find((r) => !ids.has(r[".id"]));
          const item: ChangeItem = {
            op: effect.kind,
            menu: effect.menu,
            id: before[".id"] ?? ref,
            before,
          };
          if (follower?.[".id"]) {
            item.next = { id: follower[".id"], props: addableProps(follower) };
          }
          items.push(item);
        }
        break;
      }
    }
  }
  return missing === undefined ? { items, byKey } : { items, byKey, missing };
}

function normalise(value: unknown): string | undefined {
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") return undefined;
  if (value === "yes") return "true";
  if (value === "no") return "false";
  return value;
}

/** The items as they would be after the calls (for the approval diff). */
export function predictItems(
  items: readonly ChangeItem[],
  effects: readonly CallEffect[],
): ChangeItem[] {
  const out = items.map((i) => ({ ...i }));
  let k = 0;
  for (const effect of effects) {
    if (effect.kind === "other") continue;
    if (effect.kind === "add") {
      const after: Record<string, string> = {};
      for (const [key, value] of Object.entries(effect.body)) {
        const text = normalise(value);
        if (text !== undefined && key !== "place-before") after[key] = text;
      }
      out[k++]!.after = after;
      continue;
    }
    const count = effect.kind === "singleton" ? 1 : effect.ids.length;
    for (let n = 0; n < count; n++, k++) {
      const item = out[k]!;
      if (effect.kind === "remove") continue;
      const after = { ...item.before };
      if (effect.kind === "set" || effect.kind === "singleton") {
        for (const [key, value] of Object.entries(effect.body)) {
          const text = normalise(value);
          if (text !== undefined) after[key] = text;
        }
      } else if (effect.kind === "unset") delete after[effect.key];
      item.after = after;
    }
  }
  return out;
}

/** Reads the items again after the write (in place); fills in the ids of added items. */
export async function readItemsAfter(
  router: RouterOS,
  items: ChangeItem[],
  replies: readonly unknown[],
  effects: readonly CallEffect[],
): Promise<void> {
  let k = 0;
  for (let c = 0; c < effects.length; c++) {
    const effect = effects[c]!;
    if (effect.kind === "other") continue;
    if (effect.kind === "add") {
      const item = items[k++]!;
      const r = asRouterRecord(replies[c]);
      const id = r?.[".id"] ?? r?.ret;
      if (id) {
        item.id = id;
        const after = await readItem(router, effect.menu, id);
        if (after) item.after = after;
      }
      continue;
    }
    if (effect.kind === "singleton") {
      const item = items[k++]!;
      const after = asRouterRecord(await router.get(effect.menu));
      if (after) item.after = after;
      continue;
    }
    for (let n = 0; n < effect.ids.length; n++) {
      const item = items[k++]!;
      if (effect.kind === "remove") continue;
      const after = await readItem(router, effect.menu, item.id!);
      if (after) item.after = after;
    }
  }
}
