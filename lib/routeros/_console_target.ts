/**
 * The items a console write acts on: `*ID`s as given, or a lookup (by name or `[find …]`) that
 * the plan resolves before it runs; and the expansion of call templates once the ids are known.
 * @module
 */
import type { RouterOSCall, RouterOSLookup } from "./types.ts";
import { parseExpression, selection } from "./_console_where.ts";
import {
  encodeQuery,
  ID,
  PLACEHOLDER_DEST,
  PLACEHOLDER_ID,
  type Positional,
  unmappable,
} from "./_console_syntax.ts";

/** Items known now (`ids`) or found later by a read (`lookup`). */
export interface Target {
  ids?: string[];
  lookup?: RouterOSLookup;
}

/** The target named by a text reference (`*1,*2`, a name) or a `[find …]` group. */
export function findTarget(
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

/** The calls of the templates with the ids (one call per item where the path holds the id). */
export function expand(
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
