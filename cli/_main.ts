/**
 * The CLI driver: finds the command (subcommands load lazily), checks every flag strictly,
 * handles `--help` / `--version`, runs it with citty and maps errors to exit codes:
 * 2 for usage and configuration errors, 1 for every other failure.
 * @module
 */
import { type CommandDef, renderUsage, runCommand } from "citty";
import { ConfigError, ErrorCode, isAgentError } from "../lib/errors.ts";
import { VERSION } from "../lib/version.ts";
import { checkArgs, globalArgs, UsageError } from "./_args.ts";
import { formatArgs, redact } from "./_logger.ts";

type Loader = () => Promise<CommandDef<any>>;

/** Every command, loaded only when used. */
export const COMMANDS: Readonly<Record<string, Loader>> = {
  agent: () => import("./commands/agent.ts").then((m) => m.default),
  gateway: () => import("./commands/gateway.ts").then((m) => m.default),
  daemon: () => import("./commands/daemon.ts").then((m) => m.default),
  status: () => import("./commands/status.ts").then((m) => m.default),
  doctor: () => import("./commands/doctor.ts").then((m) => m.default),
  channel: () => import("./commands/channel.ts").then((m) => m.default),
  config: () => import("./commands/config.ts").then((m) => m.default),
  integrations: () => import("./commands/integrations.ts").then((m) => m.default),
  identity: () => import("./commands/identity.ts").then((m) => m.default),
  encrypt: () => import("./commands/encrypt.ts").then((m) => m.default),
  changes: () => import("./commands/changes.ts").then((m) => m.default),
  jobs: () => import("./commands/jobs.ts").then((m) => m.default),
  mcp: () => import("./commands/mcp.ts").then((m) => m.default),
};

const root: CommandDef<typeof globalArgs> = {
  meta: {
    name: "mikroclaw",
    version: VERSION,
    description: "AI agent runtime for MikroTik RouterOS",
  },
  args: globalArgs,
  subCommands: COMMANDS,
};

/** Where the CLI writes. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIO: CliIO = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Runs the CLI with `rawArgs` (without the runtime and script); resolves the exit code. */
export async function runCli(rawArgs: readonly string[], io: CliIO = processIO): Promise<number> {
  const args = [...rawArgs];
  const end = args.indexOf("--");
  const flagsPart = end < 0 ? args : args.slice(0, end);
  const debug = flagsPart.includes("--debug");
  try {
    const index = commandIndex(flagsPart);
    const name = index < 0 ? undefined : args[index]!;
    const wantsHelp = flagsPart.includes("--help") || flagsPart.includes("-h");
    if (name === undefined) {
      if (flagsPart.includes("--version") || flagsPart.includes("-v")) {
        io.stdout(`${VERSION}\n`);
        return 0;
      }
      const unknownFlag = flagsPart.find((t) => t.startsWith("-") && !isGlobalToken(t));
      if (unknownFlag && !wantsHelp) {
        throw new UsageError(`Unknown option ${unknownFlag.split("=")[0]}`);
      }
      if (wantsHelp) {
        io.stdout(`${plain(await renderUsage(root))}\n`);
        return 0;
      }
      io.stderr(`${plain(await renderUsage(root))}\n\nNo command given (run mikroclaw --help)\n`);
      return 2;
    }
    const load = COMMANDS[name];
    if (!load) {
      const near = Object.keys(COMMANDS).find((c) => c.startsWith(name.slice(0, 3)));
      throw new UsageError(
        `Unknown command "${name}"${
          near ? ` (did you mean "${near}"?)` : ""
        } (run mikroclaw --help)`,
      );
    }
    const command = await load();
    if (wantsHelp) {
      io.stdout(`${plain(await renderUsage(command, root))}\n`);
      return 0;
    }
    const rest = args.filter((_, i) => i !== index);
    const defs = typeof command.args === "function" ? await command.args() : await command.args;
    checkArgs(name, rest, defs ?? {});
    const { result } = await runCommand(command, { rawArgs: rest });
    return typeof result === "number" ? result : 0;
  } catch (error) {
    return report(error, debug, io);
  }
}

function report(error: unknown, debug: boolean, io: CliIO): number {
  if (error instanceof UsageError) {
    io.stderr(`${redact(error.message)}\n`);
    return 2;
  }
  if (error instanceof ConfigError) {
    io.stderr(`Invalid configuration:\n${redact(error.message)}\n`);
    if (debug && error.stack) io.stderr(`${redact(error.stack)}\n`);
    return 2;
  }
  if ((error as Error)?.name === "PortInUseError") {
    io.stderr(`${redact((error as Error).message)}\n`);
    return 78;
  }
  // Storage the CLI cannot open (Redis down or mistyped, a damaged identity record) is a
  // setting to fix or a server to start before anything runs: one line, exit 2.
  if (isAgentError(error) && error.code === ErrorCode.Storage) {
    io.stderr(`${redact(firstLine(error.message))}\n`);
    return 2;
  }
  const cittyCode = (error as { code?: unknown })?.code;
  if (!isAgentError(error) && typeof cittyCode === "string" && cittyCode.startsWith("E_")) {
    // citty's own CLIError (unknown command, bad enum value, missing required argument)
    io.stderr(`${redact(firstLine(formatArgs([error])))}\n`);
    return 2;
  }
  io.stderr(`${redact(firstLine(formatArgs([error])))}\n`);
  if (debug && error instanceof Error && error.stack) io.stderr(`${redact(error.stack)}\n`);
  return 1;
}

/** Drops colours unless stdout is a terminal (and NO_COLOR is unset). */
function plain(text: string): string {
  const tty = (process.stdout as { isTTY?: boolean }).isTTY === true && !process.env.NO_COLOR;
  return tty ? text : text.replace(new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g"), "");
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}

function isGlobalToken(token: string): boolean {
  const name = token.split("=")[0];
  return name === "--config" || name === "--debug" || name === "--help" || name === "-h";
}

/** Index of the command word: the first token that is not a flag or the value of `--config`. */
function commandIndex(tokens: readonly string[]): number {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "--config") {
      i++;
      continue;
    }
    if (!t.startsWith("-")) return i;
  }
  return -1;
}
