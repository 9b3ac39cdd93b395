/**
 * Splitting a command line into words without a shell, refusing shell syntax.
 * @module
 */
import { PolicyError } from "../errors.ts";

/** The `PolicyError` for a refused command, saying why. */
export function refuseCommand(why: string): PolicyError {
  return new PolicyError(`Cannot run command: ${why}`);
}

const METACHARACTERS: Record<string, string> = {
  ";": "';' (command chaining)",
  "&": "'&' (chaining or background)",
  "|": "'|' (pipes)",
  "$": "'$' (variable or command substitution)",
  "`": "'`' (command substitution)",
  ">": "'>' (redirection)",
  "<": "'<' (redirection)",
  "(": "'(' (subshells)",
  ")": "')' (subshells)",
  "{": "'{' (brace expansion)",
  "}": "'}' (brace expansion)",
  "*": "'*' (globs are not expanded)",
  "?": "'?' (globs are not expanded)",
  "[": "'[' (globs are not expanded)",
  "]": "']' (globs are not expanded)",
  "\\": "'\\' (escapes)",
  "\n": "a newline",
  "\r": "a carriage return",
};

/**
 * Splits a command line into words without a shell. Single and double quotes group words;
 * shell metacharacters are refused everywhere (also inside quotes), as are `~` and `#` at the
 * start of a word and control characters.
 */
export function tokenizeCommand(command: string): string[] {
  if (command.length > 4096) throw refuseCommand("the command is longer than 4096 characters");
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (const ch of command) {
    const meta = METACHARACTERS[ch];
    if (meta) {
      throw refuseCommand(
        `shell metacharacter ${meta} is not allowed; commands run without a shell (one program, its arguments, no pipes, redirects, substitutions or chaining)`,
      );
    }
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x08\x0b-\x1f\x7f]/.test(ch)) {
      throw refuseCommand("control characters are not allowed");
    }
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
      continue;
    }
    if (ch === " " || ch === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    if (!inWord && (ch === "~" || ch === "#")) {
      throw refuseCommand(
        `'${ch}' at the start of a word is not allowed (no home expansion or comments)`,
      );
    }
    word += ch;
    inWord = true;
  }
  if (quote) throw refuseCommand(`unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}
