/**
 * The shell guard's tables: per-program argument profiles (which options take what, which
 * operands are paths or hosts) and the programs refused under any name.
 * @module
 */

/** What an option takes: nothing, a number or text. */
export type ValueKind = "flag" | "int" | "text";
/** What an operand is checked as. */
export type OperandKind = "path" | "host" | "text";

/** The options and operands one program accepts. */
export interface Profile {
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
/** A host name (or a word such as an interface name). */
export const HOST_NAME: RegExp = /^[A-Za-z0-9_](?:[A-Za-z0-9_.:-]*[A-Za-z0-9_.])?$/;
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

/** The argument profile of every program `shell_exec` can run. */
export const PROFILES: Record<string, Profile> = {
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
          if (!HOST_NAME.test(op.slice(1))) return `server "${op}" is not a host name or address`;
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
      if (tail.length && !(tail.length === 2 && tail[0] === "dev" && HOST_NAME.test(tail[1]!))) {
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

/** Names a program is refused under, even when listed. */
export function isDeniedProgram(name: string): boolean {
  return DENIED.has(name.toLowerCase()) || DENIED_PATTERN.test(name);
}

/** The programs that have an argument profile (the only ones `shell_exec` can run). */
export function profiledPrograms(): string[] {
  return Object.keys(PROFILES).sort();
}
