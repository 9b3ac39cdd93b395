/**
 * Before an undo: what changed on the router since the change (a conflict unless forced), and
 * the undo calls re-anchored to where the removed or moved items belong now.
 * @module
 */
import type { RouterOS, RouterOSCall } from "../routeros/types.ts";
import { asRouterRecord, readItem, readList } from "./_snapshot.ts";
import { ChangeError } from "./change_error.ts";
import { changedKeys } from "./diff.ts";
import type { ChangeRecord } from "./types.ts";

/** Why the items differ from what the change left (one line per item). */
async function changesSince(router: RouterOS, record: ChangeRecord): Promise<string[]> {
  const conflicts: string[] = [];
  for (const item of record.items ?? []) {
    if (item.op === "remove" || !item.after) continue;
    if (item.op === "singleton") {
      const current = asRouterRecord(await router.get(item.menu)) ?? {};
      const keys = changedKeys(item.after, current);
      if (keys.length) {
        conflicts.push(`${item.menu} changed since (${keys.join(", ")})`);
      }
      continue;
    }
    const current = await readItem(router, item.menu, item.id!);
    if (!current) {
      conflicts.push(`${item.menu} ${item.id} is gone from the router`);
      continue;
    }
    const keys = changedKeys(item.after, current);
    if (keys.length) {
      conflicts.push(`${item.menu} ${item.id} changed since (${keys.join(", ")})`);
    }
  }
  return conflicts;
}

/**
 * The calls that undo `record` now. Throws a `conflict` {@linkcode ChangeError} when an item
 * changed since or an old position is lost, unless `force` (then the position is dropped).
 */
export async function resolveUndo(
  router: RouterOS,
  record: ChangeRecord,
  force: boolean,
): Promise<RouterOSCall[]> {
  const items = record.items ?? [];
  const conflicts = await changesSince(router, record);
  const calls: RouterOSCall[] = [];
  const lists = new Map<string, Record<string, string>[]>();
  for (const call of record.undo ?? []) {
    const anchor = call.method === "PUT"
      ? call.body?.["place-before"]
      : call.method === "POST" && call.path.endsWith("/move")
      ? call.body?.destination
      : undefined;
    if (typeof anchor !== "string") {
      calls.push(call);
      continue;
    }
    const menu = call.method === "PUT" ? call.path : call.path.slice(0, -"/move".length);
    let rows = lists.get(menu);
    if (!rows) {
      rows = await readList(router, menu);
      lists.set(menu, rows);
    }
    const field = call.method === "PUT" ? "place-before" : "destination";
    if (rows.some((r) => r[".id"] === anchor)) {
      calls.push(call);
      continue;
    }
    // The follower's id changed (e.g. removed and re-added): find it by its properties.
    const props = items.find((i) => i.next?.id === anchor)?.next?.props ?? {};
    const keys = Object.keys(props);
    const found = keys.length ? rows.find((r) => keys.every((k) => r[k] === props[k])) : undefined;
    if (found?.[".id"]) {
      calls.push({ ...call, body: { ...call.body, [field]: found[".id"] } });
      continue;
    }
    if (!force) {
      conflicts.push(
        `the item that followed it in ${menu} (${anchor}) is gone, so its old position is unknown`,
      );
      continue;
    }
    const body = { ...call.body };
    delete body[field];
    calls.push({ ...call, body });
  }
  if (conflicts.length && !force) {
    throw new ChangeError(
      "conflict",
      `Cannot revert change ${record.change_id}: ${
        conflicts.join("; ")
      }; revert with force to override`,
    );
  }
  return calls;
}
