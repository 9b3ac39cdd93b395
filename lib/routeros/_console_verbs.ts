/**
 * What each console verb means in REST: `print`/`get` read, `add`/`set`/`remove`/`enable`/
 * `disable`/`unset`/`move`/`comment` write, `export` reads (or writes a file), and every other
 * word is a command posted to its menu (bounded when it would never end).
 * @module
 */
import type { RouterOSCall, RouterOSLookup, RouterOSPlan, RouterOSPlanKind } from "./types.ts";
import {
  boundCommand,
  CONSOLE_COMMANDS,
  isConsoleCommand,
  UnboundedCommandError,
} from "./command_bounds.ts";
import { FLAGS, type Parsed } from "./_console_parse.ts";
import { parseExpression, selection } from "./_console_where.ts";
import { expand, findTarget, type Target } from "./_console_target.ts";
import {
  encodeQuery,
  ID,
  joinPath,
  PLACEHOLDER_DEST,
  PLACEHOLDER_ID,
  PROP,
  unmappable,
} from "./_console_syntax.ts";

/** Commands that only read; everything else with a side effect is a write for the policy. */
function isReadCommand(verb: string, menu: string): boolean {
  return verb === "export" ||
    (isConsoleCommand(verb, menu) && CONSOLE_COMMANDS[verb]!.read === true);
}
const UNNAMED: Record<string, string> = {
  "/ping": "address",
  "/traceroute": "address",
  "/tool/traceroute": "address",
  "/interface/monitor-traffic": "interface",
  "/log/info": "message",
  "/log/warning": "message",
  "/log/error": "message",
  "/log/debug": "message",
  "/execute": "script",
};

/** The plan of a parsed console line: its REST calls, their kind, and any lookups to resolve. */
export function buildPlan(p: Parsed): RouterOSPlan {
  const { line, menu, verb, args } = p;
  const plan = (
    kind: RouterOSPlanKind,
    calls: RouterOSCall[],
    extra: Partial<RouterOSPlan> = {},
  ): RouterOSPlan => ({
    kind,
    menu,
    verb,
    calls,
    line,
    args: { ...args },
    lookups: [],
    ...extra,
  });
  const noWhere = (): void => {
    if (p.whereTokens) unmappable(line, `"where" only goes with print`);
  };

  /** The items a write acts on: a positional, `numbers=` or `numbers=[find …]`. */
  function target(
    field: ".id" | "destination",
    position: number,
    key: string,
  ): Target | undefined {
    const group = p.groups[key];
    if (group) {
      return findTarget(line, menu, field, { kind: "group", group }, true);
    }
    const named = args[key];
    if (named !== undefined) {
      return findTarget(
        line,
        menu,
        field,
        { kind: "text", value: named },
        true,
      );
    }
    const positional = p.positionals[position];
    if (positional) return findTarget(line, menu, field, positional, true);
    return undefined;
  }

  function withTarget(
    kind: RouterOSPlanKind,
    t: Target,
    templates: RouterOSCall[],
    extra: Partial<RouterOSPlan> = {},
  ): RouterOSPlan {
    if (t.ids) {
      return plan(kind, expand(templates, t.ids, undefined), {
        ids: t.ids,
        ...extra,
      });
    }
    return plan(kind, templates, { lookups: [t.lookup!], ...extra });
  }

  switch (verb) {
    case "print": {
      if (
        args.follow !== undefined || args["follow-only"] !== undefined ||
        args.interval
      ) {
        unmappable(
          line,
          "print follow/interval never ends; the router stops it after 60 s",
        );
      }
      const raw = args[".proplist"] ?? args.proplist;
      const proplist = raw ? raw.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
      if (proplist?.some((k) => !PROP.test(k))) {
        unmappable(line, `bad property list "${raw}"`);
      }
      const extra: Partial<RouterOSPlan> = {};
      if (proplist) extra.proplist = proplist;
      if (args.stats !== undefined) extra.keepCounters = true;
      for (const key of Object.keys(args)) {
        if (![".proplist", "proplist", ...FLAGS].includes(key)) {
          unmappable(
            line,
            `print takes where, .proplist and flags, not ${key}=`,
          );
        }
      }
      if (p.positionals.length > 1) {
        unmappable(line, "print takes at most one item");
      }
      const one = p.positionals[0];
      if (one) {
        if (one.kind === "group" || p.whereTokens) {
          unmappable(line, "use print where … instead of print [find …]");
        }
        if (/^\d+$/.test(one.value)) {
          unmappable(line, "console item numbers are not REST ids");
        }
        const q = proplist ? `?${encodeQuery([[".proplist", proplist.join(",")]])}` : "";
        const id = ID.test(one.value) ? one.value : encodeURIComponent(one.value);
        return plan(
          "read",
          [{ method: "GET", path: `${menu}/${id}${q}` }],
          extra,
        );
      }
      const conjs = p.whereTokens ? parseExpression(line, p.whereTokens) : [];
      const { call, match } = selection(line, menu, conjs, {
        proplist,
        countOnly: args["count-only"] !== undefined,
      });
      if (match.length) {
        if (args["count-only"] !== undefined) {
          unmappable(line, '"~" together with count-only');
        }
        extra.match = match;
      }
      return plan("read", [call], extra);
    }
    case "get": {
      noWhere();
      const valueName = p.positionals.length === 2 ? p.positionals[1] : p.positionals[0];
      const item = p.positionals.length === 2 ? p.positionals[0] : undefined;
      if (
        !valueName || valueName.kind !== "text" || !PROP.test(valueName.value)
      ) {
        unmappable(line, "get takes a property name");
      }
      let path = menu;
      if (item) {
        if (item.kind !== "text") {
          unmappable(line, "get [find …] is not supported; use print where");
        }
        path += `/${ID.test(item.value) ? item.value : encodeURIComponent(item.value)}`;
      }
      return plan("read", [{
        method: "GET",
        path: `${path}?${encodeQuery([[".proplist", valueName.value]])}`,
      }], { proplist: [valueName.value] });
    }
    case "add": {
      noWhere();
      if (p.positionals.length) {
        unmappable(line, "add takes key=value arguments only");
      }
      if (Object.keys(p.groups).length) unmappable(line, "[ … ] in add");
      if (Object.keys(args).length === 0) {
        unmappable(line, "add without any key=value");
      }
      return plan("write", [{ method: "PUT", path: menu, body: { ...args } }]);
    }
    case "set":
    case "comment": {
      noWhere();
      const t = target(".id", 0, "numbers");
      const body: Record<string, unknown> = { ...args };
      delete body.numbers;
      if (p.positionals.length > 1) {
        unmappable(line, `${verb} takes one item reference`);
      }
      if (Object.keys(body).length === 0) {
        unmappable(line, `${verb} without any key=value`);
      }
      if (!t) {
        if (verb === "comment") unmappable(line, "comment needs an item");
        return plan("write", [{ method: "POST", path: `${menu}/set`, body }]);
      }
      return withTarget("write", t, [{
        method: "PATCH",
        path: `${menu}/${PLACEHOLDER_ID}`,
        body,
      }]);
    }
    case "remove":
    case "enable":
    case "disable": {
      noWhere();
      if (p.positionals.length > 1) {
        unmappable(line, `${verb} takes one item reference`);
      }
      const extraArgs = Object.keys(args).filter((k) => k !== "numbers");
      if (extraArgs.length) {
        unmappable(line, `${verb} takes no ${extraArgs[0]}=`);
      }
      const t = target(".id", 0, "numbers");
      if (!t) {
        unmappable(line, `${verb} needs an item: a *ID, a name or [find …]`);
      }
      const call: RouterOSCall = verb === "remove"
        ? { method: "DELETE", path: `${menu}/${PLACEHOLDER_ID}` }
        : {
          method: "PATCH",
          path: `${menu}/${PLACEHOLDER_ID}`,
          body: { disabled: verb === "disable" ? "true" : "false" },
        };
      return withTarget("write", t, [call]);
    }
    case "unset": {
      noWhere();
      const t = target(".id", 0, "numbers");
      const second = p.positionals[1];
      const valueName = args["value-name"] ??
        (second?.kind === "text" ? second.value : undefined);
      if (!t) unmappable(line, "unset needs an item");
      if (!valueName || !PROP.test(valueName)) {
        unmappable(line, "unset needs a property name");
      }
      return withTarget("write", t, [{
        method: "POST",
        path: `${menu}/unset`,
        body: { ".id": PLACEHOLDER_ID, "value-name": valueName },
      }]);
    }
    case "move": {
      noWhere();
      const t = target(".id", 0, "numbers");
      if (!t) unmappable(line, "move needs an item");
      const dest = target("destination", 1, "destination");
      const body: Record<string, unknown> = { ".id": PLACEHOLDER_ID };
      if (dest) body.destination = PLACEHOLDER_DEST;
      const lookups: RouterOSLookup[] = [];
      const ids: string[] | undefined = t.ids;
      if (t.lookup) lookups.push(t.lookup);
      let destId: string | undefined;
      if (dest?.ids) {
        if (dest.ids.length !== 1) unmappable(line, "move has one destination");
        destId = dest.ids[0];
      } else if (dest?.lookup) lookups.push(dest.lookup);
      let calls: RouterOSCall[] = [{
        method: "POST",
        path: `${menu}/move`,
        body,
      }];
      if (ids && (!dest || destId)) {
        calls = expand(calls, ids, destId);
        return plan("write", calls, { ids });
      }
      // Fill what is known now; the rest when the lookups are resolved.
      if (ids) body[".id"] = ids.join(",");
      if (destId) body.destination = destId;
      return plan("write", calls, { lookups, ...(ids ? { ids } : {}) });
    }
    case "export": {
      noWhere();
      const kind = args.file !== undefined ? "command" : "read";
      return plan(kind, [{
        method: "POST",
        path: joinPath(menu, "export"),
        body: { ...args },
      }]);
    }
    default:
      return commandPlan(p, plan);
  }
}

function commandPlan(
  p: Parsed,
  plan: (
    kind: RouterOSPlanKind,
    calls: RouterOSCall[],
    extra?: Partial<RouterOSPlan>,
  ) => RouterOSPlan,
): RouterOSPlan {
  const { line, menu, verb, args } = p;
  if (p.whereTokens) unmappable(line, `"where" only goes with print`);
  const path = joinPath(menu, verb);
  const body: Record<string, unknown> = { ...args };
  if (p.positionals.length > 1) {
    unmappable(line, `${verb} takes one unnamed argument`);
  }
  const unnamed = UNNAMED[path] ?? "numbers";
  const positional = p.positionals[0];
  let lookup: RouterOSLookup | undefined;
  const group = p.groups.numbers ??
    (positional?.kind === "group" ? positional.group : undefined);
  if (group) {
    const t = findTarget(line, menu, ".id", { kind: "group", group }, true);
    lookup = t.lookup;
    body.numbers = PLACEHOLDER_ID;
  } else if (positional?.kind === "text") {
    if (unnamed in body) unmappable(line, `${unnamed} given twice`);
    body[unnamed] = positional.value;
  }
  if (path === "/execute" && body.script === undefined) {
    unmappable(line, "execute needs script=");
  }
  if (path === "/execute" && body["as-string"] === undefined) {
    body["as-string"] = "";
  }
  // Commands that never end are bounded (or refused), so the call returns before the router's
  // 60 s cut and never holds the REST session.
  let bounded;
  try {
    bounded = boundCommand(verb, menu, body);
  } catch (error) {
    if (error instanceof UnboundedCommandError) unmappable(line, error.message);
    throw error;
  }
  let kind: RouterOSPlanKind = isReadCommand(verb, menu) ? "read" : "command";
  if (path === "/execute") kind = "execute";
  const calls: RouterOSCall[] = [{ method: "POST", path, body: bounded.body }];
  const extra: Partial<RouterOSPlan> = lookup ? { lookups: [lookup] } : {};
  if (bounded.notes.length) extra.notes = bounded.notes;
  return plan(kind, calls, extra);
}
