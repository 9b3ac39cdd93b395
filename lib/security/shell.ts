/**
 * The `shell_exec` guard: tokenises a command line without a shell, refuses shell syntax,
 * interpreters and exec-capable programs, checks every option against a small per-program
 * profile (unknown and abbreviated long options refused, CVE-2026-28363), checks path
 * operands with the workspace guard, and resolves the program from a fixed trusted PATH.
 * @module
 */
import { AgentError, ErrorCode, PolicyError } from "../errors.ts";
import type { Workspace } from "./workspace.ts";
import {
  HOST_NAME,
  isDeniedProgram,
  type Profile,
  profiledPrograms,
  PROFILES,
  type ValueKind,
} from "./_shell_profiles.ts";
import { refuseCommand as refuse, tokenizeCommand } from "./_shell_tokenize.ts";

export { isDeniedProgram, profiledPrograms, tokenizeCommand };

/** The only directories programs are taken from (never the current directory). */
export const TRUSTED_PATH = "/usr/bin:/bin:/usr/sbin:/sbin";

/** A command that passed every check. */
export interface CheckedCommand {
  /** The program's bare name. */
  program: string;
  /** Arguments, with path operands rewritten to their real workspace-relative form. */
  args: string[];
}

function checkValue(kind: ValueKind, option: string, value: string | undefined): void {
  if (value === undefined) throw refuse(`option ${option} needs a value`);
  if (kind === "int" && !/^[+-]?\d{1,9}[a-zA-Z]{0,3}$/.test(value)) {
    throw refuse(`option ${option} needs a number, got "${value.slice(0, 40)}"`);
  }
}

function unknownLong(program: string, name: string, profile: Profile): PolicyError {
  const full = Object.keys(profile.long ?? {}).filter((n) => n.startsWith(name));
  const hint = full.length
    ? `; abbreviated long options are not accepted, write it in full (${full.join(", ")})`
    : "";
  return refuse(`option ${name} is not allowed for ${program}${hint}`);
}

/** Options of {@linkcode checkCommand}. */
export interface CheckCommandOptions {
  /** `ALLOWED_SHELL_CMDS`: program names; empty denies everything. */
  allowed: readonly string[];
  /** Path operands must resolve inside it. */
  workspace: Workspace;
}

/**
 * Checks a command line and returns the program and its arguments, or rejects with a
 * {@linkcode PolicyError} that says why (and which setting, if any, would allow it).
 */
export async function checkCommand(
  command: string,
  options: CheckCommandOptions,
): Promise<CheckedCommand> {
  const allowed = new Set(
    options.allowed.map((a) => a.trim()).filter(Boolean).map((a) =>
      a.slice(a.lastIndexOf("/") + 1)
    ),
  );
  if (allowed.size === 0) {
    throw refuse('no programs are allowed; set ALLOWED_SHELL_CMDS (e.g. "ls,cat,ping")');
  }
  const words = tokenizeCommand(command);
  const [program, ...rest] = words;
  if (!program) throw refuse("the command is empty");
  if (!/^[A-Za-z0-9._+-]{1,64}$/.test(program) || program.startsWith("-")) {
    throw refuse(
      `"${
        program.slice(0, 64)
      }" is not a bare program name (no paths; programs come from ${TRUSTED_PATH})`,
    );
  }
  if (isDeniedProgram(program)) {
    throw refuse(
      `"${program}" is an interpreter or can run other programs or write files, so it is refused even when listed in ALLOWED_SHELL_CMDS`,
    );
  }
  if (!allowed.has(program)) {
    throw refuse(`"${program}" is not in ALLOWED_SHELL_CMDS (allowed: ${[...allowed].join(", ")})`);
  }
  const profile = PROFILES[program];
  if (!profile) {
    throw refuse(
      `"${program}" has no argument profile, so it cannot be run safely (supported: ${
        profiledPrograms().join(", ")
      })`,
    );
  }

  const args: string[] = [];
  const operands: { index: number; value: string }[] = [];
  const seen = new Set<string>();
  let endOfOptions = false;
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (endOfOptions || word === "-" || !word.startsWith("-") || word.length < 2) {
      operands.push({ index: args.length, value: word });
      args.push(word);
      continue;
    }
    if (word === "--") {
      endOfOptions = true;
      args.push(word);
      continue;
    }
    if (profile.words) {
      const eq = word.indexOf("=");
      const name = eq >= 0 ? word.slice(0, eq) : word;
      const kind = profile.words[name];
      if (!kind) throw refuse(`option ${name} is not allowed for ${program}`);
      if (kind === "flag" && eq >= 0) throw refuse(`option ${name} takes no value`);
      if (kind !== "flag") checkValue(kind, name, eq >= 0 ? word.slice(eq + 1) : undefined);
      seen.add(name);
      args.push(word);
      continue;
    }
    if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      const name = eq >= 0 ? word.slice(0, eq) : word;
      const kind = profile.long?.[name];
      if (!kind) throw unknownLong(program, name, profile);
      if (kind === "flag") {
        if (eq >= 0) throw refuse(`option ${name} takes no value`);
        args.push(word);
      } else if (eq >= 0) {
        checkValue(kind, name, word.slice(eq + 1));
        args.push(word);
      } else {
        const value = rest[++i];
        checkValue(kind, name, value);
        args.push(word, value!);
      }
      seen.add(name);
      continue;
    }
    if (profile.numericShort && /^-\d{1,9}$/.test(word)) {
      args.push(word);
      continue;
    }
    // A bundle of short options: -la, -n5, -n 5.
    const letters = [...word.slice(1)];
    for (let j = 0; j < letters.length; j++) {
      const letter = letters[j]!;
      const kind = profile.short?.[letter];
      if (!kind) throw refuse(`option -${letter} is not allowed for ${program}`);
      seen.add(`-${letter}`);
      if (kind === "flag") continue;
      const attached = letters.slice(j + 1).join("");
      if (attached) {
        checkValue(kind, `-${letter}`, attached);
      } else {
        const value = rest[++i];
        checkValue(kind, `-${letter}`, value);
        args.push(word, value!);
        break;
      }
      args.push(word);
      break;
    }
    if (letters.every((l) => profile.short?.[l] === "flag")) args.push(word);
  }
  if (profile.required && !profile.required[0].some((o) => seen.has(o))) {
    throw refuse(profile.required[1]);
  }
  const kinds = profile.operands(operands.map((o) => o.value), seen);
  if (typeof kinds === "string") throw refuse(`${program} ${kinds}`);
  const base = await options.workspace.realRoot();
  const targets: string[] = [];
  for (const [n, operand] of operands.entries()) {
    const kind = kinds[n];
    if (kind === "host") {
      if (!HOST_NAME.test(operand.value) && !/^[0-9a-fA-F:.]+$/.test(operand.value)) {
        throw refuse(`"${operand.value.slice(0, 80)}" is not a host name or address`);
      }
    } else if (kind === "path") {
      const real = await options.workspace.resolveForRead(operand.value, "use");
      targets.push(real);
      const rel = real === base ? "." : real.slice(base.length + 1);
      // `./` keeps a name that starts with "-" from being read as an option.
      args[operand.index] = rel.startsWith("-") ? `./${rel}` : rel;
    }
  }
  if (listsRecursively(program, seen)) {
    for (const target of targets.length > 0 ? targets : [base]) {
      const hit = await options.workspace.forbiddenUnder(target);
      if (hit !== undefined) {
        throw refuse(
          `${program} would list names inside the protected path "${hit}"; list a directory that does not contain it${
            program === "du" ? " or use du -s" : " or leave out -R"
          }`,
        );
      }
    }
  }
  return { program, args };
}

/** Whether the command walks directory trees (`ls -R`; `du` unless it only summarises). */
function listsRecursively(program: string, seen: ReadonlySet<string>): boolean {
  if (program === "ls") return seen.has("-R") || seen.has("--recursive");
  if (program === "du") return !seen.has("-s") && !seen.has("--summarize");
  return false;
}

/** Finds `program` in the trusted PATH; never the current directory. */
export async function resolveProgram(
  program: string,
  trustedPath: string = TRUSTED_PATH,
): Promise<string> {
  const fs = await import("node:fs");
  for (const dir of trustedPath.split(":")) {
    if (!dir.startsWith("/")) continue;
    const file = `${dir}/${program}`;
    try {
      await fs.promises.access(file, fs.constants.X_OK);
      if ((await fs.promises.stat(file)).isFile()) return file;
    } catch {
      // not here
    }
  }
  throw new AgentError(`Cannot run "${program}": not found in ${trustedPath}`, {
    code: ErrorCode.ToolExecution,
  });
}
