/**
 * Console-line translation: what an operator types (`/ip firewall address-list add list=x
 * address=1.2.3.4`, `/interface disable ether2`, `remove [find comment="x"]`, `print where …`)
 * becomes a {@linkcode RouterOSPlan} of REST calls; {@linkcode resolvePlan} then turns names and
 * `[find …]` into `*ID`s with a read, so the calls can be checked and applied.
 * @module
 */
import type {
  RouterOS,
  RouterOSCall,
  RouterOSLookup,
  RouterOSMatch,
  RouterOSPlan,
  RouterOSPlanKind,
} from "./types.ts";
import {
  type ConsoleGroup,
  type ConsoleToken,
  MAX_CONSOLE_LINE,
  tokenizeConsoleLine,
} from "./tokenize.ts";
import { RouterOSError } from "./routeros_error.ts";
import {
  boundCommand,
  CONSOLE_COMMANDS,
  isConsoleCommand,
  UnboundedCommandError,
} from "./command_bounds.ts";

const VERBS = new Set([
  "print",
  "get",
  "add",
  "set",
  "remove",
  "enable",
  "disable",
  "move",
  "unset",
  "comment",
  "export",
]);
const LOG_COMMANDS = new Set(["info", "warning", "error", "debug"]);
/** Commands that only read; everything else with a side effect is a write for the policy. */
function isReadCommand(verb: string, menu: string): boolean {
  return verb === "export" ||
    (isConsoleCommand(verb, menu) && CONSOLE_COMMANDS[verb]!.read === true);
}
const FLAGS = new Set([
  "detail",
  "terse",
  "brief",
  "without-paging",
  "value-list",
  "stats",
  "count-only",
  "once",
  "as-value",
  "compact",
  "verbose",
  "hide-sensitive",
  "show-sensitive",
  "follow",
  "follow-only",
  "as-string",
]);
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
const PATH_WORD = /^[a-z0-9][a-z0-9-]*$/i;
const PROP = /^[A-Za-z.][A-Za-z0-9.\-_]*$/;
const ID = /^\*[0-9A-Fa-f]+$/;
const PLACEHOLDER_ID = "{.id}";
const PLACEHOLDER_DEST = "{destination}";

interface Term {
  key: string;
  op: "=" | "!=" | "~" | "<" | ">";
  value: string;
  negate: boolean;
}

type Positional = { kind: "text"; value: string } | {
  kind: "group";
  group: ConsoleGroup;
};

function unmappable(line: string, reason: string): never {
  throw new RouterOSError(`Cannot map "${line}" to a REST call: ${reason}`, {
    command: line,
  });
}

function normaliseValue(value: string): string {
  if (value === "yes") return "true";
  if (value === "no") return "false";
  return value;
}

function joinPath(menu: string, word: string): string {
  return menu === "/" ? `/${word}` : `${menu}/${word}`;
}

function parseExpression(line: string, tokens: ConsoleToken[]): Term[][] {
  const conjs: Term[][] = [[]];
  let negateNext = false;
  for (const token of tokens) {
    const current = conjs[conjs.length - 1]!;
    if (token.type === "group") {
      unmappable(line, "[ … ] inside a where condition");
    }
    if (token.type === "word" && !token.quoted) {
      const w = token.value;
      if (w === "and") {
        if (current.length === 0 || negateNext) {
          unmappable(line, '"and" without a condition');
        }
        continue;
      }
      if (w === "or") {
        if (current.length === 0 || negateNext) {
          unmappable(line, '"or" without a condition');
        }
        conjs.push([]);
        continue;
      }
      if (w === "not" || w === "!") {
        negateNext = !negateNext;
        continue;
      }
      const negated = w.startsWith("!");
      const key = negated ? w.slice(1) : w;
      if (!PROP.test(key)) unmappable(line, `"${w}" is not a condition`);
      current.push({
        key,
        op: "=",
        value: "true",
        negate: negated !== negateNext,
      });
      negateNext = false;
      continue;
    }
    if (token.type === "word") {
      unmappable(line, `"${token.value}" is not a condition`);
    }
    if (token.group) {
      unmappable(line, "[ … ] as a value inside a where condition");
    }
    if (token.key.startsWith(".")) {
      unmappable(line, `"${token.key}" in a where condition`);
    }
    current.push({
      key: token.key,
      op: token.op,
      value: normaliseValue(token.value),
      negate: negateNext,
    });
    negateNext = false;
  }
  if (negateNext) unmappable(line, '"not" without a condition');
  if (conjs.some((c) => c.length === 0)) {
    if (conjs.length === 1) return [];
    unmappable(line, "an empty condition around or");
  }
  return conjs;
}

function toMatch(line: string, term: Term): RouterOSMatch {
  let text = term.value;
  const anchorStart = text.startsWith("^");
  if (anchorStart) text = text.slice(1);
  const anchorEnd = text.endsWith("$") && !text.endsWith("\\$");
  if (anchorEnd) text = text.slice(0, -1);
  // Literal text only: regular expressions from a model are a ReDoS risk, and RouterOS's POSIX
  // dialect differs from JavaScript's anyway. "." is taken literally.
  if (/[[\]()*+?{}|\\^$]/.test(text)) {
    unmappable(
      line,
      `"~" supports literal text with optional ^ and $ only, not "${term.value}"`,
    );
  }
  return { key: term.key, text, anchorStart, anchorEnd, negate: term.negate };
}

function queryWords(term: Term): string[] {
  const words: string[] = [];
  if (term.op === "<" || term.op === ">") {
    words.push(`${term.op}${term.key}=${term.value}`);
  } else words.push(`${term.key}=${term.value}`);
  if (term.op === "!=") words.push("#!");
  if (term.negate) words.push("#!");
  return words;
}

function encodeQuery(params: [string, string][]): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

/** The read that selects items matching a `where` expression, plus any `~` row tests. */
function selection(
  line: string,
  menu: string,
  conjs: Term[][],
  options: { proplist?: string[] | undefined; countOnly?: boolean },
): { call: RouterOSCall; match: RouterOSMatch[] } {
  const match: RouterOSMatch[] = [];
  let terms = conjs.flat();
  if (terms.some((t) => t.op === "~")) {
    if (conjs.length > 1) unmappable(line, '"~" together with "or"');
    for (const t of terms) if (t.op === "~") match.push(toMatch(line, t));
    terms = terms.filter((t) => t.op !== "~");
    conjs = terms.length ? [terms] : [];
  }
  let proplist = options.proplist;
  if (proplist && match.length) {
    proplist = [...new Set([...proplist, ...match.map((m) => m.key)])];
  }
  const simple = conjs.length <= 1 &&
    terms.every((t) => t.op === "=" && !t.negate);
  if (simple && !options.countOnly) {
    const params: [string, string][] = terms.map((t) => [t.key, t.value]);
    if (proplist) params.push([".proplist", proplist.join(",")]);
    const query = encodeQuery(params);
    return {
      call: { method: "GET", path: query ? `${menu}?${query}` : menu },
      match,
    };
  }
  const body: Record<string, unknown> = {};
  if (proplist) body[".proplist"] = proplist.join(",");
  if (conjs.length) {
    const words: string[] = [];
    for (const conj of conjs) {
      for (const t of conj) words.push(...queryWords(t));
      for (let k = 1; k < conj.length; k++) words.push("#&");
    }
    for (let k = 1; k < conjs.length; k++) words.push("#|");
    body[".query"] = words;
  }
  if (options.countOnly) body["count-only"] = "";
  return { call: { method: "POST", path: `${menu}/print`, body }, match };
}

interface Target {
  ids?: string[];
  lookup?: RouterOSLookup;
}

function findTarget(
  line: string,
  menu: string,
  field: ".id" | "destination",
  source: Positional,
  forWrite: boolean,
): Target {
  if (source.kind === "text") {
    const parts = source.value.split(",").map((p) => p.trim()).filter(Boolean);
    if (parts.length === 0) unmappable(line, "an empty item reference");
    if (parts.every((p) => ID.test(p))) {
      return { ids: parts.map((p) => p.toUpperCase()) };
    }
    if (parts.some((p) => /^\d+$/.test(p))) {
      unmappable(
        line,
        `item numbers such as "${source.value}" only exist in a console session; use a *ID, a name or [find …]`,
      );
    }
    if (parts.some((p) => ID.test(p))) unmappable(line, "mixed *IDs and names");
    const call: RouterOSCall = parts.length === 1
      ? {
        method: "GET",
        path: `${menu}?${encodeQuery([["name", parts[0]!], [".proplist", ".id,name"]])}`,
      }
      : {
        method: "POST",
        path: `${menu}/print`,
        body: {
          ".proplist": ".id,name",
          ".query": [
            ...parts.map((p) => `name=${p}`),
            ...parts.slice(1).map(() => "#|"),
          ],
        },
      };
    return {
      lookup: {
        field,
        source: source.value,
        call,
        ...(field === "destination" ? { single: true } : {}),
      },
    };
  }
  const tokens = source.group.tokens;
  const head = tokens[0];
  if (!head || head.type !== "word" || head.quoted || head.value !== "find") {
    unmappable(line, `only [find …] can select items, not ${source.group.raw}`);
  }
  let rest = tokens.slice(1);
  const first = rest[0];
  if (
    first && first.type === "word" && !first.quoted && first.value === "where"
  ) rest = rest.slice(1);
  const conjs = parseExpression(line, rest);
  if (conjs.length === 0 && forWrite) {
    unmappable(
      line,
      "[find] without a condition selects every item; name the items to change",
    );
  }
  const { call, match } = selection(line, menu, conjs, { proplist: [".id"] });
  const lookup: RouterOSLookup = { field, source: source.group.raw, call };
  if (match.length) lookup.match = match;
  if (field === "destination") lookup.single = true;
  return { lookup };
}

/**
 * Translates one console line into a plan of REST calls. Throws `SyntaxError` for lines that do
 * not tokenise and `RouterOSError` for lines that cannot be mapped (saying why). Lines starting
 * with `:` (scripting) become an `execute` plan, which the policy refuses unless execution is
 * allowed.
 */
export function planConsoleLine(line: string): RouterOSPlan {
  if (typeof line !== "string") {
    throw new SyntaxError("Cannot parse RouterOS command: not text");
  }
  const text = line.trim();
  if (text === "") {
    throw new SyntaxError("Cannot parse RouterOS command: empty line");
  }
  if (text.startsWith(":")) {
    if (text.length > MAX_CONSOLE_LINE) {
      throw new SyntaxError(
        `Cannot parse RouterOS command: longer than ${MAX_CONSOLE_LINE} characters`,
      );
    }
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(text)) {
      throw new SyntaxError(
        "Cannot parse RouterOS command: control character or several lines",
      );
    }
    return {
      kind: "execute",
      menu: "/",
      verb: "execute",
      line: text,
      args: { script: text },
      calls: [{
        method: "POST",
        path: "/execute",
        body: { script: text, "as-string": "" },
      }],
      lookups: [],
    };
  }
  const tokens = tokenizeConsoleLine(text);
  const parts: string[] = [];
  let verb: string | undefined;
  let index = 0;
  const firstToken = tokens[0];
  if (!firstToken || firstToken.type !== "word" || firstToken.quoted) {
    unmappable(text, "a command starts with a menu path such as /ip/address");
  }
  // Path words (space- or slash-separated) up to the verb or command.
  outer: for (; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.type !== "word" || token.quoted) break;
    if (index > 0 && !PATH_WORD.test(token.value)) break;
    const words = token.value.split("/");
    if (index > 0 && words.length !== 1) break;
    for (let k = 0; k < words.length; k++) {
      const w = words[k]!;
      if (w === "") {
        if (k === 0 || k === words.length - 1) continue;
        unmappable(text, `empty path segment in "${token.value}"`);
      }
      if (w === ".." || !PATH_WORD.test(w)) {
        unmappable(text, `"${w}" is not a menu name`);
      }
      const menuSoFar = "/" + parts.join("/");
      if (
        VERBS.has(w) || isConsoleCommand(w, menuSoFar) ||
        (menuSoFar === "/log" && LOG_COMMANDS.has(w))
      ) {
        if (k !== words.length - 1) {
          unmappable(text, `"${w}" is a command, not a menu`);
        }
        verb = w.toLowerCase();
        index++;
        break outer;
      }
      parts.push(w.toLowerCase());
    }
  }
  // Arguments.
  const args: Record<string, string> = {};
  const groups: Record<string, ConsoleGroup> = {};
  const positionals: Positional[] = [];
  let whereTokens: ConsoleToken[] | undefined;
  for (; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.type === "group") {
      positionals.push({ kind: "group", group: token });
      continue;
    }
    if (token.type === "word") {
      if (!token.quoted && token.value === "where") {
        whereTokens = tokens.slice(index + 1);
        break;
      }
      if (!token.quoted && FLAGS.has(token.value)) {
        args[token.value] = "";
        continue;
      }
      positionals.push({ kind: "text", value: token.value });
      continue;
    }
    if (token.op !== "=") {
      unmappable(text, `"${token.key}${token.op}" outside a where condition`);
    }
    if (token.key in args || token.key in groups) {
      unmappable(text, `"${token.key}" given twice`);
    }
    if (token.group) {
      if (!["numbers", "destination"].includes(token.key)) {
        unmappable(text, `[ … ] as the value of ${token.key}`);
      }
      groups[token.key] = token.group;
      continue;
    }
    args[token.key] = token.value;
  }
  if (verb === undefined) {
    if (parts.length === 0) unmappable(text, "no menu given");
    const hasArgs = positionals.length > 0 || Object.keys(args).length > 0 ||
      Object.keys(groups).length > 0 || whereTokens !== undefined;
    if (hasArgs) verb = parts.pop()!; // an unknown command such as /tool/wol mac-address=…
    else verb = "print";
  }
  const menu = "/" + parts.join("/");
  return buildPlan({
    line: text,
    menu,
    verb,
    args,
    groups,
    positionals,
    whereTokens,
  });
}

interface Parsed {
  line: string;
  menu: string;
  verb: string;
  args: Record<string, string>;
  groups: Record<string, ConsoleGroup>;
  positionals: Positional[];
  whereTokens: ConsoleToken[] | undefined;
}

function buildPlan(p: Parsed): RouterOSPlan {
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

function substitute(
  value: unknown,
  ids: string[],
  destination: string | undefined,
): unknown {
  if (value === PLACEHOLDER_ID) return ids.join(",");
  if (value === PLACEHOLDER_DEST && destination !== undefined) {
    return destination;
  }
  return value;
}

function expand(
  templates: RouterOSCall[],
  ids: string[],
  destination: string | undefined,
): RouterOSCall[] {
  const calls: RouterOSCall[] = [];
  for (const template of templates) {
    const perItem = template.path.includes(PLACEHOLDER_ID);
    for (const group of perItem ? ids.map((id) => [id]) : [ids]) {
      const call: RouterOSCall = {
        method: template.method,
        path: template.path.replace(PLACEHOLDER_ID, group[0]!),
      };
      if (template.body) {
        call.body = Object.fromEntries(
          Object.entries(template.body).map((
            [k, v],
          ) => [k, substitute(v, group, destination)]),
        );
      }
      calls.push(call);
    }
  }
  return calls;
}

/** Whether a row passes the literal `~` tests. */
export function matchesRow(
  row: Record<string, unknown>,
  match: readonly RouterOSMatch[],
): boolean {
  return match.every((m) => {
    const value = row[m.key];
    let ok = false;
    if (typeof value === "string") {
      if (m.anchorStart && m.anchorEnd) ok = value === m.text;
      else if (m.anchorStart) ok = value.startsWith(m.text);
      else if (m.anchorEnd) ok = value.endsWith(m.text);
      else ok = value.includes(m.text);
    }
    return ok !== m.negate;
  });
}

/** Options of {@linkcode resolvePlan}. */
export interface ResolvePlanOptions {
  signal?: AbortSignal | undefined;
}

/**
 * Runs a plan's lookups (names and `[find …]` to `*ID`s) and returns the plan with concrete
 * calls. A lookup that matches nothing is an error naming it; so is a `move` destination that
 * matches more than one item.
 */
export async function resolvePlan(
  router: RouterOS,
  plan: RouterOSPlan,
  options: ResolvePlanOptions = {},
): Promise<RouterOSPlan> {
  if (plan.lookups.length === 0) return plan;
  let ids: string[] | undefined = plan.ids;
  let destination: string | undefined;
  for (const lookup of plan.lookups) {
    const reply = await router.call<unknown>(lookup.call, {
      signal: options.signal,
      command: plan.line,
    });
    const rows = (Array.isArray(reply) ? reply : reply ? [reply] : []) as Record<
      string,
      unknown
    >[];
    const found = rows.filter((r) => !lookup.match || matchesRow(r, lookup.match))
      .map((r) => r[".id"]).filter((id): id is string => typeof id === "string");
    if (found.length === 0) {
      throw new RouterOSError(
        `Cannot run "${plan.line}": ${lookup.source} matched nothing in ${plan.menu}`,
        { command: plan.line },
      );
    }
    if (lookup.single && found.length !== 1) {
      throw new RouterOSError(
        `Cannot run "${plan.line}": ${lookup.source} matched ${found.length} items in ${plan.menu}, expected one`,
        { command: plan.line },
      );
    }
    if (lookup.field === "destination") destination = found[0];
    else ids = found;
  }
  let calls = plan.calls;
  if (ids) calls = expand(calls, ids, destination);
  else if (destination) calls = expand(calls, [], destination);
  const resolved: RouterOSPlan = { ...plan, calls, lookups: [] };
  if (ids) resolved.ids = ids;
  return resolved;
}
