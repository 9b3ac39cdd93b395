/**
 * The `shell_exec` guard: tokenises a command line without a shell, refuses shell syntax,
 * interpreters and exec-capable programs, checks every option against a small per-program
 * profile (unknown and abbreviated long options refused, CVE-2026-28363), checks path
 * operands with the workspace guard, and resolves the program from a fixed trusted PATH.
 * @module
 */
import { AgentError, ErrorCode, PolicyError } from "../errors.ts";
import type { Workspace } from "./workspace.ts";

/** The only directories programs are taken from (never the current directory). */
export const TRUSTED_PATH = "/usr/bin:/bin:/usr/sbin:/sbin";

type ValueKind = "flag" | "int" | "text";
type OperandKind = "path" | "host" | "text";

interface Profile {
  short?: Record<string, ValueKind>;
  long?: Record<string, ValueKind>;
  /** Single-dash words matched exactly (`ip -br`, `nslookup -type=A`). */
  words?: Record<string, ValueKind>;
  /** Accept `-5` as a count (head, tail). */
  numericShort?: boolean;
  /** Kinds of the operands, or a refusal message. */
  operands(operands: readonly string[], options: ReadonlySet<string>): OperandKind[] | string;
  /** Options that must be present, with the reason. */
  required?: readonly [string[], string];
}

function flags(list: string, values: Record<string, ValueKind> = {}): Record<string, ValueKind> {
  const out: Record<string, ValueKind> = { ...values };
  for (const name of list.split(/\s+/).filter(Boolean)) out[name] = "flag";
  return out;
}

function paths(min: number, max = Infinity) {
  return (ops: readonly string[]): OperandKind[] | string => {
    if (ops.length < min) return `needs at least ${min} file operand${min === 1 ? "" : "s"}`;
    if (ops.length > max) return `takes at most ${max} file operand${max === 1 ? "" : "s"}`;
    return ops.map(() => "path");
  };
}

function none(ops: readonly string[]): OperandKind[] | string {
  return ops.length ? "takes no operands" : [];
}

function hosts(min: number, max: number) {
  return (ops: readonly string[]): OperandKind[] | string => {
    if (ops.length < min || ops.length > max) {
      return min === max ? `takes exactly ${min} host` : `takes ${min} to ${max} hosts`;
    }
    return ops.map(() => "host");
  };
}

const HEAD_TAIL: Profile = {
  short: flags("q v", { n: "int", c: "int" }),
  long: flags("--quiet --silent --verbose", { "--lines": "int", "--bytes": "int" }),
  numericShort: true,
  operands: paths(1),
};

const DIG_OPTIONS = new Set([
  "short",
  "noall",
  "answer",
  "authority",
  "additional",
  "question",
  "noquestion",
  "trace",
  "tcp",
  "notcp",
  "nocmd",
  "nostats",
  "stats",
  "multiline",
  "dnssec",
  "recurse",
  "norecurse",
  "ttlid",
  "nottlid",
  "time",
  "tries",
  "retry",
]);
const NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.:-]*[A-Za-z0-9_.])?$/;
const IP_OBJECTS = new Set([
  "addr",
  "address",
  "a",
  "link",
  "l",
  "route",
  "r",
  "neigh",
  "neighbor",
  "neighbour",
  "n",
  "rule",
]);

const PROFILES: Record<string, Profile> = {
  ls: {
    short: flags("a A l h 1 R S t r d F i s n"),
    long: flags(
      "--all --almost-all --human-readable --recursive --reverse --directory --classify --inode --size --numeric-uid-gid",
    ),
    operands: paths(0),
  },
  cat: {
    short: flags("n b s A E T v"),
    long: flags(
      "--number --number-nonblank --squeeze-blank --show-all --show-ends --show-tabs",
    ),
    operands: paths(1),
  },
  head: HEAD_TAIL,
  tail: HEAD_TAIL,
  wc: {
    short: flags("l w c m L"),
    long: flags("--lines --words --bytes --chars --max-line-length"),
    operands: paths(1),
  },
  grep: {
    short: flags("i v n c l L w x F E G h H o q s", {
      e: "text",
      m: "int",
      A: "int",
      B: "int",
      C: "int",
    }),
    long: flags(
      "--ignore-case --invert-match --line-number --count --files-with-matches --files-without-match --word-regexp --line-regexp --fixed-strings --extended-regexp --basic-regexp --no-filename --with-filename --only-matching --quiet --silent --no-messages",
      {
        "--regexp": "text",
        "--max-count": "int",
        "--after-context": "int",
        "--before-context": "int",
        "--context": "int",
      },
    ),
    operands(ops, options) {
      const hasPattern = options.has("-e") || options.has("--regexp");
      const [first, ...rest] = ops;
      if (hasPattern) return paths(1)(ops);
      if (first === undefined) return "needs a pattern and at least one file operand";
      const files = paths(1)(rest);
      return typeof files === "string" ? files : ["text", ...files];
    },
  },
  sort: {
    short: flags("n r u f b h M V", { k: "text", t: "text" }),
    long: flags(
      "--numeric-sort --reverse --unique --ignore-case --ignore-leading-blanks --human-numeric-sort --month-sort --version-sort",
      { "--key": "text", "--field-separator": "text" },
    ),
    operands: paths(1),
  },
  uniq: {
    short: flags("c d u i", { f: "int", s: "int", w: "int" }),
    long: flags("--count --repeated --unique --ignore-case"),
    // a second operand would be an OUTPUT file
    operands: paths(1, 1),
  },
  cut: {
    short: flags("s", { d: "text", f: "text", c: "text", b: "text" }),
    long: flags("--only-delimited", {
      "--delimiter": "text",
      "--fields": "text",
      "--characters": "text",
      "--bytes": "text",
    }),
    operands: paths(1),
  },
  du: {
    short: flags("s h a c k m", { d: "int" }),
    long: flags("--summarize --human-readable --all --total", { "--max-depth": "int" }),
    operands: paths(0),
  },
  df: {
    short: flags("h H T i k l P"),
    long: flags("--human-readable --si --print-type --inodes --local --portability"),
    operands: paths(0),
  },
  stat: {
    short: flags("t", { c: "text" }),
    long: flags("--terse", { "--format": "text" }),
    operands: paths(1),
  },
  ping: {
    short: flags("4 6 n q D", { c: "int", W: "int", w: "int", i: "text", s: "int" }),
    required: [["-c"], "ping needs -c COUNT so it stops (e.g. ping -c 3 example.com)"],
    operands: hosts(1, 1),
  },
  traceroute: {
    short: flags("n 4 6 I T", { m: "int", q: "int", w: "text" }),
    operands: hosts(1, 1),
  },
  dig: {
    short: flags("4 6", { t: "text", x: "text", p: "int" }),
    operands(ops) {
      const kinds: OperandKind[] = [];
      for (const op of ops) {
        if (op.startsWith("+")) {
          const [name = "", value] = op.slice(1).split("=", 2);
          if (!DIG_OPTIONS.has(name) || (value !== undefined && !/^\d{1,3}$/.test(value))) {
            return `query option "${op}" is not allowed`;
          }
          kinds.push("text");
        } else if (op.startsWith("@")) {
          if (!NAME.test(op.slice(1))) return `server "${op}" is not a host name or address`;
          kinds.push("text");
        } else kinds.push("host");
      }
      return kinds.length <= 6 ? kinds : "takes at most 6 operands";
    },
  },
  nslookup: {
    words: {
      "-type": "text",
      "-query": "text",
      "-timeout": "int",
      "-port": "int",
      "-retry": "int",
    },
    operands: hosts(1, 2),
  },
  host: {
    short: flags("4 6 v a", { t: "text", W: "int" }),
    operands: hosts(1, 2),
  },
  date: {
    short: flags("u R", { d: "text" }),
    long: flags("--utc --rfc-email", { "--date": "text" }),
    operands(ops) {
      if (ops.length > 1) return "takes at most one +FORMAT operand";
      if (ops.length === 1 && !ops[0]!.startsWith("+")) {
        return "only a +FORMAT operand is allowed (setting the clock is not)";
      }
      return ops.map(() => "text");
    },
  },
  uptime: { short: flags("p s"), long: flags("--pretty --since"), operands: none },
  free: {
    short: flags("b k m g h t w"),
    long: flags("--bytes --kilo --mega --giga --human --total --wide"),
    operands: none,
  },
  ip: {
    words: flags(
      "-br -brief -4 -6 -s -stats -c -color -d -details -o -oneline -j -json -p -pretty",
    ),
    operands(ops) {
      const [object, verb, ...rest] = ops;
      if (!object || !IP_OBJECTS.has(object)) {
        return `needs one of: ${[...IP_OBJECTS].join(", ")} (read-only "show" only)`;
      }
      let tail = rest;
      if (verb !== undefined && !["show", "list", "ls"].includes(verb)) {
        if (verb !== "dev") return `only "show" is allowed, not "${verb}"`;
        tail = [verb, ...rest];
      }
      if (tail.length && !(tail.length === 2 && tail[0] === "dev" && NAME.test(tail[1]!))) {
        return `only "show [dev NAME]" is allowed`;
      }
      return ops.map(() => "text");
    },
  },
  ss: { short: flags("t u l n a 4 6 s x w"), operands: none },
  uname: { short: flags("a s n r v m o"), operands: none },
  hostname: { operands: none },
  whoami: { operands: none },
  id: { operands: none },
  pwd: { operands: none },
  nproc: { operands: none },
  echo: { operands: (ops) => ops.map(() => "text") },
};

const DENIED = new Set(
  (
    "sh bash dash zsh ash ksh mksh csh tcsh fish busybox toybox env node nodejs deno bun " +
    "python python2 python3 pypy perl ruby php lua luajit tclsh wish awk gawk mawk nawk sed find " +
    "xargs git tar ssh scp sftp curl wget nc ncat netcat socat telnet ftp sudo su doas nice nohup " +
    "timeout time watch strace ltrace gdb chroot setsid stdbuf nsenter unshare script expect vi " +
    "vim nvi emacs nano less more most man ed ex make cmake gcc cc g++ clang rsync dd tee exec " +
    "eval source flock parallel crontab at batch docker podman kubectl jq zip unzip patch install " +
    "cp mv rm ln chmod chown mkfifo mknod openssl systemd-run run-parts start-stop-daemon"
  ).split(" "),
);
const DENIED_PATTERN =
  /^(?:python|perl|ruby|php|lua|node|pypy|jruby|julia|java|pwsh|powershell|rscript|tcl)[0-9.]*$/i;

/** A command that passed every check. */
export interface CheckedCommand {
  /** The program's bare name. */
  program: string;
  /** Arguments, with path operands rewritten to their real workspace-relative form. */
  args: string[];
}

function refuse(why: string): PolicyError {
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
  if (command.length > 4096) throw refuse("the command is longer than 4096 characters");
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (const ch of command) {
    const meta = METACHARACTERS[ch];
    if (meta) {
      throw refuse(
        `shell metacharacter ${meta} is not allowed; commands run without a shell (one program, its arguments, no pipes, redirects, substitutions or chaining)`,
      );
    }
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x08\x0b-\x1f\x7f]/.test(ch)) throw refuse("control characters are not allowed");
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
      throw refuse(`'${ch}' at the start of a word is not allowed (no home expansion or comments)`);
    }
    word += ch;
    inWord = true;
  }
  if (quote) throw refuse(`unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
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

/** Names a program is refused under, even when listed. */
export function isDeniedProgram(name: string): boolean {
  return DENIED.has(name.toLowerCase()) || DENIED_PATTERN.test(name);
}

/** The programs that have an argument profile (the only ones `shell_exec` can run). */
export function profiledPrograms(): string[] {
  return Object.keys(PROFILES).sort();
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
      if (!NAME.test(operand.value) && !/^[0-9a-fA-F:.]+$/.test(operand.value)) {
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
