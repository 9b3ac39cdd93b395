/**
 * The README's code blocks with the `<!-- readme-test: … -->` comment right above each, which
 * says what the README tests do with it: `run` (optionally `, prints "TEXT"`), `serve until
 * "TEXT"` (a server: up when it prints TEXT; `NNNNNN` in TEXT matches six digits), or
 * `skip (why)`.
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../examples/_spawn.ts";

/** One fenced block of README.md. */
export interface ReadmeBlock {
  /** Fence language (`sh`, `ts`, `json`, or empty). */
  lang: string;
  /** The block's text, its list-item indentation removed. */
  code: string;
  /** Line of the opening fence (1-based). */
  line: number;
  /** What the test does with it; `undefined` when no `readme-test` comment precedes it. */
  action?: "run" | "serve" | "skip";
  /** `serve`: the text that proves it up; `run`: the text it prints (if the README says). */
  expect?: string;
  /** The whole comment, for messages. */
  note?: string;
}

/** Every fenced block of the README, in order. */
export function readmeBlocks(
  text: string = readFileSync(join(ROOT, "README.md"), "utf8"),
): ReadmeBlock[] {
  const lines = text.split("\n");
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) {
      body.push(lines[j]!.slice(Math.min(indent, lines[j]!.length - lines[j]!.trimStart().length)));
    }
    const block: ReadmeBlock = { lang: open[2]!, code: body.join("\n"), line: i + 1 };
    const comment = /^\s*<!-- readme-test: (.*?) -->\s*$/.exec(lines[i - 1] ?? "");
    if (comment) {
      const note = comment[1]!;
      block.note = note;
      const action = /^(run|serve|skip)\b/.exec(note)?.[1] as ReadmeBlock["action"];
      if (action) block.action = action;
      const quoted = /"([^"]+)"/.exec(note);
      if (quoted) block.expect = quoted[1]!;
    }
    blocks.push(block);
    i = j;
  }
  return blocks;
}

/** The shell commands of a block: continuation lines joined, blank and comment lines dropped. */
export function shellCommands(code: string): string[] {
  const out: string[] = [];
  let current = "";
  for (const line of code.split("\n")) {
    if (current === "" && (line.trim() === "" || line.trim().startsWith("#"))) continue;
    current += (current ? "\n" : "") + line;
    if (!line.trimEnd().endsWith("\\")) {
      out.push(current);
      current = "";
    }
  }
  if (current) out.push(current);
  return out;
}

/** The exit code a command's trailing comment announces (`exits N`), else 0. */
export function expectedExit(command: string): number {
  const comment = command.split("\n").pop()!.split(/\s#\s/).slice(1).join(" ");
  const said = /\bexits (\d+)/.exec(comment);
  return said ? Number(said[1]) : 0;
}
