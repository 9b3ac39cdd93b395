/**
 * Global flags and the strict argument check citty lacks: an unknown flag, a missing value or
 * an extra argument is a one-line {@linkcode UsageError} (exit 2).
 * @module
 */
import type { ArgsDef } from "citty";

/** A bad command line; the CLI prints the message on one line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Flags every command accepts. */
export const globalArgs: {
  readonly config: {
    readonly type: "string";
    readonly description: string;
    readonly valueHint: string;
  };
  readonly debug: { readonly type: "boolean"; readonly description: string };
} = {
  config: {
    type: "string",
    description: "Read settings from this JSON file (default: ./mikroclaw.json if present)",
    valueHint: "FILE",
  },
  debug: { type: "boolean", description: "Show stack traces on errors" },
};

/** Arguments parsed by citty, loosely typed. */
export type CliArgs = Record<string, unknown> & { _: string[] };

/** Throws a {@linkcode UsageError} for anything in `tokens` that `defs` does not declare. */
export function checkArgs(command: string, tokens: readonly string[], defs: ArgsDef): void {
  const flags = new Map<string, { name: string; type: string; options?: string[] | undefined }>();
  let positionals = 0;
  for (const [name, def] of Object.entries(defs)) {
    const type = def.type ?? "string";
    if (type === "positional") {
      positionals++;
      continue;
    }
    const entry = { name, type, options: "options" in def ? def.options : undefined };
    flags.set(name, entry);
    const aliases = "alias" in def && def.alias ? [def.alias].flat() : [];
    for (const a of aliases) flags.set(a, entry);
  }
  let seen = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === "--") {
      seen += tokens.length - i - 1;
      break;
    }
    if (token.startsWith("-") && token !== "-" && !/^-\d/.test(token)) {
      const body = token.replace(/^--?/, "");
      const eq = body.indexOf("=");
      const name = eq < 0 ? body : body.slice(0, eq);
      let value: string | undefined = eq < 0 ? undefined : body.slice(eq + 1);
      let flag = flags.get(name);
      if (!flag && name.startsWith("no-") && flags.get(name.slice(3))?.type === "boolean") {
        if (value !== undefined) throw new UsageError(`Option ${token} takes no value`);
        continue;
      }
      if (!flag) {
        throw new UsageError(
          `Unknown option ${dashes(name)}${
            eq < 0 ? "" : "=…"
          } for "${command}" (run mikroclaw ${command} --help)`,
        );
      }
      if (flag.type === "boolean") {
        if (value !== undefined && value !== "true" && value !== "false") {
          throw new UsageError(`Option ${dashes(name)} takes no value`);
        }
        continue;
      }
      if (value === undefined) {
        const next = tokens[i + 1];
        if (next === undefined || (next.startsWith("-") && next !== "-" && !/^-\d/.test(next))) {
          throw new UsageError(`Option ${dashes(name)} needs a value`);
        }
        value = next;
        i++;
      }
      if (flag.options && !flag.options.includes(value)) {
        throw new UsageError(
          `Invalid value ${JSON.stringify(value)} for ${dashes(name)} (expected ${
            flag.options.join(" or ")
          })`,
        );
      }
      flag = undefined;
      continue;
    }
    seen++;
    if (seen > positionals) {
      throw new UsageError(
        `Unexpected argument ${
          JSON.stringify(token)
        } for "${command}" (run mikroclaw ${command} --help)`,
      );
    }
  }
}

function dashes(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}
