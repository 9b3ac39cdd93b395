/**
 * `tokenizeConsoleLine`: a real tokenizer for one RouterOS console line: bare words, quoted
 * strings with RouterOS backslash escapes, `key=value` (also `!=`, `~`, `<`, `>`), flags and
 * `[ … ]` sub-commands such as `[find comment="x"]`.
 * @module
 */

/** Comparison written between a key and a value. */
export type ConsoleOperator = "=" | "!=" | "~" | "<" | ">";

/** A bare or quoted word: a path, a verb, a flag, an item name or `*ID`. */
export interface ConsoleWord {
  type: "word";
  value: string;
  /** Any part of it was quoted (so it is never a verb, a flag or a path). */
  quoted: boolean;
}

/** `key=value` (or `key!=value`, `key~value`, `key<value`, `key>value`). */
export interface ConsolePair {
  type: "pair";
  key: string;
  op: ConsoleOperator;
  value: string;
  quoted: boolean;
  /** The value was a `[ … ]` sub-command instead of text. */
  group?: ConsoleGroup;
}

/** A `[ … ]` sub-command. */
export interface ConsoleGroup {
  type: "group";
  tokens: ConsoleToken[];
  /** The source text, brackets included. */
  raw: string;
}

/** One token of a console line. */
export type ConsoleToken = ConsoleWord | ConsolePair | ConsoleGroup;

/** Longest console line accepted. */
export const MAX_CONSOLE_LINE = 4096;
const MAX_DEPTH = 4;
const KEY = /^!?[A-Za-z.][A-Za-z0-9.\-_]*$/;
const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  n: "\n",
  r: "\r",
  t: "\t",
  $: "$",
  "?": "?",
  _: " ",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
};

function fail(reason: string, column: number): never {
  throw new SyntaxError(
    `Cannot parse RouterOS command: ${reason} (column ${column + 1})`,
  );
}

/**
 * Splits a console line into tokens. Throws `SyntaxError` (never anything else) on unbalanced
 * quotes or brackets, several commands (`;`), script blocks, control characters or lines longer
 * than {@linkcode MAX_CONSOLE_LINE}.
 */
export function tokenizeConsoleLine(line: string): ConsoleToken[] {
  if (typeof line !== "string") {
    throw new SyntaxError("Cannot parse RouterOS command: not text");
  }
  if (line.length > MAX_CONSOLE_LINE) {
    throw new SyntaxError(
      `Cannot parse RouterOS command: longer than ${MAX_CONSOLE_LINE} characters`,
    );
  }
  let i = 0;
  const s = line;

  function readQuoted(): string {
    const start = i;
    i++; // opening quote
    let out = "";
    while (i < s.length) {
      const c = s[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
        const next = s[i + 1];
        if (next === undefined) fail("unterminated escape", i);
        if (next in ESCAPES) {
          out += ESCAPES[next];
          i += 2;
          continue;
        }
        const hex = s.slice(i + 1, i + 3);
        if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
          out += String.fromCharCode(parseInt(hex, 16));
          i += 3;
          continue;
        }
        fail(`unknown escape \\${next}`, i);
      }
      out += c;
      i++;
    }
    fail("unterminated quote", start);
  }

  function readGroup(depth: number): ConsoleGroup {
    if (depth >= MAX_DEPTH) fail("[ … ] nested too deeply", i);
    const start = i;
    i++; // [
    const tokens = readTokens(depth + 1, true);
    if (s[i] !== "]") fail("unbalanced [", start);
    i++;
    return { type: "group", tokens, raw: s.slice(start, i) };
  }

  function readWord(depth: number): ConsoleWord | ConsolePair {
    let key: string | undefined;
    let op: ConsoleOperator | undefined;
    let buf = "";
    let quoted = false;
    let group: ConsoleGroup | undefined;
    const start = i;
    while (i < s.length) {
      const c = s[i]!;
      if (c === " " || c === "\t" || c === "]") break;
      if (c === ";") {
        fail("several commands in one line (;) are not supported", i);
      }
      if (c === "{" || c === "}") {
        fail("script blocks ({ }) are not supported", i);
      }
      if (group) fail("text after [ … ]", i);
      if (c === '"') {
        buf += readQuoted();
        quoted = true;
        continue;
      }
      if (c === "[") {
        if (key === undefined || buf !== "" || quoted) {
          fail("[ inside a word", i);
        }
        group = readGroup(depth);
        continue;
      }
      if (c === "\\") {
        const next = s[i + 1];
        if (next === undefined || next === " ") {
          fail("line continuation is not supported", i);
        }
        buf += next;
        i += 2;
        continue;
      }
      if (key === undefined && !quoted && buf !== "") {
        const two = s.slice(i, i + 2);
        let found: ConsoleOperator | undefined;
        if (two === "!=") found = "!=";
        else if (c === "=" || c === "~" || c === "<" || c === ">") found = c;
        if (found && KEY.test(buf) && !buf.startsWith("!")) {
          key = buf;
          op = found;
          buf = "";
          i += found.length;
          continue;
        }
      }
      buf += c;
      i++;
    }
    if (i === start) fail("empty word", i);
    if (key !== undefined && op !== undefined) {
      const pair: ConsolePair = { type: "pair", key, op, value: buf, quoted };
      if (group) pair.group = group;
      return pair;
    }
    return { type: "word", value: buf, quoted };
  }

  function readTokens(depth: number, inGroup: boolean): ConsoleToken[] {
    const tokens: ConsoleToken[] = [];
    while (i < s.length) {
      const c = s[i]!;
      const code = c.charCodeAt(0);
      if (c === " " || c === "\t") {
        i++;
        continue;
      }
      if (c === "\n" || c === "\r") fail("one command per line", i);
      if (code < 0x20 || code === 0x7f) fail("control character", i);
      if (c === "]") {
        if (inGroup) return tokens;
        fail("unbalanced ]", i);
      }
      if (c === "[") {
        tokens.push(readGroup(depth));
        continue;
      }
      tokens.push(readWord(depth));
    }
    return tokens;
  }

  // Control characters inside quotes are refused too: nothing legitimate needs them.
  for (let k = 0; k < s.length; k++) {
    const code = s.charCodeAt(k);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
      fail(
        code === 0x0a || code === 0x0d ? "one command per line" : "control character",
        k,
      );
    }
  }
  return readTokens(0, false);
}
