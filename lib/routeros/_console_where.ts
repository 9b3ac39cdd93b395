/**
 * `where` expressions of console lines (`disabled=no and !dynamic or comment~"^x"`) and the REST
 * read that selects the matching items: a plain `GET` filter when it can, a `.query` stack
 * otherwise, with `~` kept as literal row tests.
 * @module
 */
import type { RouterOSCall, RouterOSMatch } from "./types.ts";
import type { ConsoleToken } from "./tokenize.ts";
import { encodeQuery, normaliseValue, PROP, unmappable } from "./_console_syntax.ts";

/** One condition of a `where` expression. */
export interface Term {
  key: string;
  op: "=" | "!=" | "~" | "<" | ">";
  value: string;
  negate: boolean;
}

/** Parses a `where` expression into a disjunction of conjunctions (`[]` for no condition). */
export function parseExpression(line: string, tokens: ConsoleToken[]): Term[][] {
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

/** The read that selects items matching a `where` expression, plus any `~` row tests. */
export function selection(
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
