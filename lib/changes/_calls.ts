/**
 * What one resolved REST write call does: its menu, the item ids it touches and how.
 * @module
 */
import type { RouterOSCall } from "../routeros/types.ts";

/** How a call changes items. */
export type CallEffect =
  | { kind: "add"; menu: string; body: Record<string, unknown> }
  | { kind: "set"; menu: string; ids: string[]; body: Record<string, unknown> }
  | { kind: "unset"; menu: string; ids: string[]; key: string }
  | { kind: "remove"; menu: string; ids: string[] }
  | { kind: "move"; menu: string; ids: string[]; destination?: string }
  | { kind: "singleton"; menu: string; body: Record<string, unknown> }
  | { kind: "other"; path: string };

const ITEM_KEYS = [".id", "numbers", "place-before", "destination", "value-name"];

function idList(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return value.split(",").map((s) => s.trim()).filter(Boolean);
}

function split(path: string): [string, string] {
  const clean = path.split("?")[0]!;
  const at = clean.lastIndexOf("/");
  return [clean.slice(0, at) || "/", decodeURIComponent(clean.slice(at + 1))];
}

function values(body: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body ?? {})) if (!ITEM_KEYS.includes(k)) out[k] = v;
  return out;
}

/** Classifies a resolved write call. */
export function callEffect(call: RouterOSCall): CallEffect {
  const body = call.body ?? {};
  if (call.method === "PUT") return { kind: "add", menu: call.path.split("?")[0]!, body };
  if (call.method === "PATCH") {
    const [menu, id] = split(call.path);
    return { kind: "set", menu, ids: [id], body: values(body) };
  }
  if (call.method === "DELETE") {
    const [menu, id] = split(call.path);
    return { kind: "remove", menu, ids: [id] };
  }
  if (call.method !== "POST") return { kind: "other", path: call.path };
  const [menu, verb] = split(call.path);
  const ids = idList(body[".id"] ?? body.numbers);
  switch (verb) {
    case "add":
      return { kind: "add", menu, body };
    case "set":
      return ids.length
        ? { kind: "set", menu, ids, body: values(body) }
        : { kind: "singleton", menu, body: values(body) };
    case "enable":
    case "disable":
      if (!ids.length) break;
      return { kind: "set", menu, ids, body: { disabled: verb === "disable" ? "true" : "false" } };
    case "unset": {
      const key = body["value-name"];
      if (!ids.length || typeof key !== "string") break;
      return { kind: "unset", menu, ids, key };
    }
    case "remove":
      if (!ids.length) break;
      return { kind: "remove", menu, ids };
    case "move": {
      if (!ids.length) break;
      const destination = typeof body.destination === "string" ? body.destination : undefined;
      return destination === undefined
        ? { kind: "move", menu, ids }
        : { kind: "move", menu, ids, destination };
    }
  }
  return { kind: "other", path: call.path };
}
