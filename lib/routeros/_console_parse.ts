/**
 * The shape of a console line: its menu path, its verb (or command), and its arguments
 * (`key=value`, flags, unnamed values, `[ … ]` groups and the tokens after `where`).
 * @module
 */
import { type ConsoleGroup, type ConsoleToken, tokenizeConsoleLine } from "./tokenize.ts";
import { isConsoleCommand } from "./command_bounds.ts";
import { type Positional, unmappable } from "./_console_syntax.ts";

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
/** Flags a console command takes without a value (`print detail`, `without-paging`). */
export const FLAGS: ReadonlySet<string> = new Set([
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
const PATH_WORD = /^[a-z0-9][a-z0-9-]*$/i;

/** A console line taken apart, ready to become a plan. */
export interface Parsed {
  line: string;
  menu: string;
  verb: string;
  args: Record<string, string>;
  groups: Record<string, ConsoleGroup>;
  positionals: Positional[];
  whereTokens: ConsoleToken[] | undefined;
}

/**
 * Takes a console line apart: path words up to the verb or command, then its arguments. A line
 * without a verb is `print` of its menu, or, with arguments, a command named by its last word.
 */
export function parseConsoleLine(text: string): Parsed {
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
  return { line: text, menu, verb, args, groups, positionals, whereTokens };
}
