/**
 * Undo: the inverse REST calls of a recorded change (remove what was added, set back every
 * changed key, re-add what was removed at its old position, move back), and the same inverse as
 * a RouterOS script for a one-shot `/system/scheduler` entry, every value quoted safely.
 * @module
 */
import type { RouterOSCall } from "../routeros/types.ts";
import { changedKeys, isVolatileKey } from "./diff.ts";
import type { ChangeItem } from "./types.ts";

const MENU = /^(\/[a-z0-9][a-z0-9-]*)+$/;
const KEY = /^[a-z0-9][a-z0-9.\-_]*$/i;
const ID = /^\*[0-9A-F]+$/;
/** Keys never sent back when re-adding an item (read-only or computed by the router). */
const READ_ONLY = new Set(["default-name", "owner", "network"]);

/** Inverse calls of a change, or why there are none. */
export interface InverseCalls {
  calls: RouterOSCall[];
  /** Set when some item cannot be undone; `calls` is then empty. */
  missing?: string;
}

/** Properties of a removed item that `add` takes back (read-only and volatile ones dropped). */
export function addableProps(record: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key.startsWith(".") || READ_ONLY.has(key) || isVolatileKey(key)) continue;
    out[key] = value;
  }
  return out;
}

/**
 * The calls that undo `items`: removes run forward (each item re-added `place-before` the first
 * follower that was not removed with it, so a removed block comes back in order), everything
 * else backwards.
 */
export function inverseCalls(items: readonly ChangeItem[]): InverseCalls {
  const calls: RouterOSCall[] = [];
  const removes = items.filter((i) => i.op === "remove");
  const others = items.filter((i) => i.op !== "remove").reverse();
  for (const item of removes) {
    if (!item.before) return { calls: [], missing: `the removed ${item.menu} item was not read` };
    const body: Record<string, unknown> = addableProps(item.before);
    if (item.next) body["place-before"] = item.next.id;
    calls.push({ method: "PUT", path: item.menu, body });
  }
  for (const item of others) {
    if (item.op === "add") {
      if (!item.id) {
        return { calls: [], missing: `the router did not return the new ${item.menu} id` };
      }
      calls.push({ method: "DELETE", path: `${item.menu}/${item.id}` });
    } else if (item.op === "move") {
      const body: Record<string, unknown> = { ".id": item.id };
      if (item.next) body.destination = item.next.id;
      calls.push({ method: "POST", path: `${item.menu}/move`, body });
    } else {
      const keys = changedKeys(item.before, item.after);
      const back: Record<string, unknown> = {};
      const unset: string[] = [];
      for (const key of keys) {
        const old = item.before?.[key];
        if (old === undefined) unset.push(key);
        else back[key] = old;
      }
      if (item.op === "singleton") {
        if (unset.length) {
          return {
            calls: [],
            missing: `${item.menu} gained ${unset.join(", ")}; a singleton cannot unset it`,
          };
        }
        if (Object.keys(back).length) {
          calls.push({ method: "POST", path: `${item.menu}/set`, body: back });
        }
        continue;
      }
      if (Object.keys(back).length) {
        calls.push({ method: "PATCH", path: `${item.menu}/${item.id}`, body: back });
      }
      for (const key of unset) {
        calls.push({
          method: "POST",
          path: `${item.menu}/unset`,
          body: { ".id": item.id, "value-name": key },
        });
      }
    }
  }
  return { calls };
}

/**
 * Quotes a value for RouterOS script syntax: always in double quotes, with `\` `"` `$` `?`
 * escaped and every control character as `\HH`, so no value can end the string, start a
 * variable or a sub-command.
 */
export function quoteRouterOSValue(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\" || ch === '"' || ch === "$" || ch === "?") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) {
      out += "\\" + code.toString(16).toUpperCase().padStart(2, "0");
    } else out += ch;
  }
  return out + '"';
}

function scriptValue(value: unknown): string {
  if (typeof value === "string" && ID.test(value)) return value;
  if (typeof value === "boolean" || typeof value === "number") {
    return quoteRouterOSValue(String(value));
  }
  if (typeof value !== "string") throw new TypeError(`Cannot script a ${typeof value} value`);
  return quoteRouterOSValue(value);
}

function args(body: Record<string, unknown>, skip: readonly string[] = []): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (skip.includes(key)) continue;
    if (!KEY.test(key)) {
      throw new TypeError(`Cannot script the property name ${JSON.stringify(key)}`);
    }
    parts.push(`${key}=${scriptValue(value)}`);
  }
  return parts.join(" ");
}

function idOf(value: unknown): string {
  if (typeof value !== "string" || !ID.test(value)) {
    throw new TypeError(`Cannot script the item id ${JSON.stringify(value)}`);
  }
  return value;
}

/** One inverse call as a RouterOS console command (`/ip/firewall/filter/remove numbers=*5`). */
export function callToScript(call: RouterOSCall): string {
  const body = call.body ?? {};
  const split = (path: string): [string, string] => {
    const at = path.lastIndexOf("/");
    return [path.slice(0, at), path.slice(at + 1)];
  };
  const checkMenu = (menu: string): string => {
    if (!MENU.test(menu)) throw new TypeError(`Cannot script the menu ${JSON.stringify(menu)}`);
    return menu;
  };
  const withArgs = (head: string, rest: string): string => (rest ? `${head} ${rest}` : head);
  switch (call.method) {
    case "DELETE": {
      const [menu, id] = split(call.path);
      return `${checkMenu(menu)}/remove numbers=${idOf(id)}`;
    }
    case "PATCH": {
      const [menu, id] = split(call.path);
      return withArgs(`${checkMenu(menu)}/set numbers=${idOf(id)}`, args(body));
    }
    case "PUT":
      return withArgs(`${checkMenu(call.path)}/add`, args(body));
    case "POST": {
      const [menu, verb] = split(call.path);
      checkMenu(menu);
      if (verb === "unset" || verb === "move") {
        return withArgs(`${menu}/${verb} numbers=${idOf(body[".id"])}`, args(body, [".id"]));
      }
      if (verb === "set") return withArgs(`${menu}/set`, args(body));
      if (verb === "remove") return `${menu}/remove numbers=${idOf(body[".id"])}`;
      throw new TypeError(`Cannot script ${call.method} ${call.path}`);
    }
    default:
      throw new TypeError(`Cannot script ${call.method} ${call.path}`);
  }
}

/**
 * The `on-event` script of a revert scheduler entry: every inverse command guarded with
 * `:do { … } on-error={}` (one failure does not stop the rest), then the entry removes itself.
 */
export function revertScript(lines: readonly string[], schedulerName: string): string {
  const own = `/system/scheduler/remove [find name=${quoteRouterOSValue(schedulerName)}]`;
  return [...lines.map((line) => `:do { ${line} } on-error={}`), own].join("\n");
}
