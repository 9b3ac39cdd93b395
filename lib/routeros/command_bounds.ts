/**
 * The console commands MikroClaw knows, and how each one is kept from holding the router's REST
 * session: RouterOS serves one request per user at a time and cuts a request at 60 s ("Session
 * closed"), even after the client gave up. So every command that can run forever goes out with a
 * bound (`count`, `once`, `duration`), capped, or is refused with the reason.
 * @module
 */

/** How one console command is bounded over REST. */
export type CommandBound =
  /** Ends on its own (`why` says why). */
  | { kind: "finite"; why: string }
  /** Runs until `count` replies: added when missing, capped at `max`. */
  | { kind: "count"; default: number; max: number }
  /** A monitor: sends `once`, or a `duration` capped at `maxSeconds`. */
  | { kind: "once"; maxSeconds: number }
  /** Runs for `duration`: added when missing, capped at `maxSeconds`. */
  | { kind: "duration"; defaultSeconds: number; maxSeconds: number }
  /** No safe bound over REST: refused. */
  | { kind: "refuse"; reason: string };

/** One entry of {@linkcode CONSOLE_COMMANDS}. */
export interface ConsoleCommand {
  bound: CommandBound;
  /** A console line that runs it (without any bound), for documentation and tests. */
  example: string;
  /** Only reads (the policy lets it run without write permission). */
  read?: boolean;
  /** The menus where the word is this command (elsewhere it names a menu, e.g. `/ppp profile`). */
  menus?: readonly string[];
}

const SESSION = "RouterOS keeps the REST session busy until the command ends, and cuts it at 60 s";

/**
 * Every command word the console translation recognises (besides the item verbs such as `add`
 * and `print`), with its bound.
 */
export const CONSOLE_COMMANDS: Readonly<Record<string, ConsoleCommand>> = {
  ping: { bound: { kind: "count", default: 4, max: 10 }, example: "/ping 192.0.2.1", read: true },
  traceroute: {
    bound: { kind: "count", default: 1, max: 3 },
    example: "/tool traceroute 192.0.2.1",
    read: true,
  },
  "flood-ping": {
    bound: { kind: "count", default: 10, max: 50 },
    example: "/tool flood-ping address=192.0.2.1",
  },
  "mac-ping": {
    bound: { kind: "count", default: 4, max: 10 },
    example: "/tool mac-ping 48:A9:8A:00:00:01",
  },
  monitor: {
    bound: { kind: "once", maxSeconds: 30 },
    example: "/interface ethernet monitor ether1",
    read: true,
  },
  "monitor-traffic": {
    bound: { kind: "once", maxSeconds: 30 },
    example: "/interface monitor-traffic ether1",
    read: true,
  },
  torch: {
    bound: { kind: "duration", defaultSeconds: 5, maxSeconds: 30 },
    example: "/tool torch interface=ether1",
    read: true,
  },
  profile: {
    bound: { kind: "duration", defaultSeconds: 5, maxSeconds: 30 },
    example: "/tool profile cpu=all",
    read: true,
    menus: ["/tool"],
  },
  "bandwidth-test": {
    bound: { kind: "duration", defaultSeconds: 10, maxSeconds: 30 },
    example: "/tool bandwidth-test address=192.0.2.1",
  },
  "cable-test": {
    bound: { kind: "duration", defaultSeconds: 5, maxSeconds: 30 },
    example: "/interface ethernet cable-test ether1",
  },
  blink: {
    bound: { kind: "duration", defaultSeconds: 5, maxSeconds: 30 },
    example: "/interface ethernet blink ether1",
  },
  fetch: {
    bound: { kind: "duration", defaultSeconds: 30, maxSeconds: 50 },
    example: "/tool fetch url=https://example.com/",
  },
  scan: {
    bound: {
      kind: "refuse",
      reason:
        `a wireless scan never ends over REST (${SESSION}); run it from WinBox or the console`,
    },
    example: "/interface wifi scan wifi1",
  },
  "frequency-scan": {
    bound: { kind: "refuse", reason: `a frequency scan never ends over REST (${SESSION})` },
    example: "/interface wifi frequency-scan wifi1",
  },
  "spectral-scan": {
    bound: { kind: "refuse", reason: `a spectral scan never ends over REST (${SESSION})` },
    example: "/interface wireless spectral-scan wlan1",
  },
  sniff: {
    bound: { kind: "refuse", reason: `the wireless sniffer never ends over REST (${SESSION})` },
    example: "/interface wireless sniffer sniff",
  },
  quick: {
    bound: {
      kind: "refuse",
      reason:
        `sniffer quick never ends over REST (${SESSION}); use /tool sniffer start and stop, then print packets`,
    },
    example: "/tool sniffer quick interface=ether1",
  },
  "ip-scan": {
    bound: { kind: "refuse", reason: `ip-scan never ends over REST (${SESSION})` },
    example: "/tool ip-scan interface=ether1",
  },
  "mac-scan": {
    bound: { kind: "refuse", reason: `mac-scan never ends over REST (${SESSION})` },
    example: "/tool mac-scan ether1",
  },
  "mac-telnet": {
    bound: { kind: "refuse", reason: "an interactive session cannot run over REST" },
    example: "/tool mac-telnet 48:A9:8A:00:00:01",
  },
  telnet: {
    bound: { kind: "refuse", reason: "an interactive session cannot run over REST" },
    example: "/system telnet 192.0.2.1",
    menus: ["/system"],
  },
  ssh: {
    bound: { kind: "refuse", reason: "an interactive session cannot run over REST" },
    example: "/system ssh 192.0.2.1",
    menus: ["/system"],
  },
  reboot: { bound: { kind: "finite", why: "the router restarts" }, example: "/system reboot" },
  shutdown: { bound: { kind: "finite", why: "the router stops" }, example: "/system shutdown" },
  "reset-configuration": {
    bound: { kind: "finite", why: "the router resets and restarts" },
    example: "/system reset-configuration",
  },
  run: {
    bound: { kind: "finite", why: "ends with the script; the router cuts it at 60 s" },
    example: "/system script run backup",
  },
  flush: { bound: { kind: "finite", why: "clears a table" }, example: "/ip dns cache flush" },
  import: { bound: { kind: "finite", why: "runs a file once" }, example: "/import file=a.rsc" },
  "check-for-updates": {
    bound: { kind: "finite", why: "returns once the check is done" },
    example: "/system package update check-for-updates",
  },
  upgrade: {
    bound: { kind: "finite", why: "schedules the upgrade" },
    example: "/system routerboard upgrade",
  },
  download: {
    bound: { kind: "finite", why: "starts a download in the background" },
    example: "/system package update download",
  },
  install: {
    bound: { kind: "finite", why: "installs and restarts" },
    example: "/system package update install",
  },
  renew: {
    bound: { kind: "finite", why: "asks the server once" },
    example: "/ip dhcp-client renew ether1",
  },
  release: {
    bound: { kind: "finite", why: "releases once" },
    example: "/ip dhcp-client release ether1",
  },
  "make-static": {
    bound: { kind: "finite", why: "converts items" },
    example: "/ip dhcp-server lease make-static *1",
  },
  "reset-counters": {
    bound: { kind: "finite", why: "zeroes counters" },
    example: "/interface reset-counters ether1",
  },
  "reset-counters-all": {
    bound: { kind: "finite", why: "zeroes counters" },
    example: "/ip firewall filter reset-counters-all",
  },
  "export-certificate": {
    bound: { kind: "finite", why: "writes a file" },
    example: "/certificate export-certificate *1",
  },
  sign: { bound: { kind: "finite", why: "signs once" }, example: "/certificate sign *1" },
  save: { bound: { kind: "finite", why: "writes a file" }, example: "/system backup save" },
  load: { bound: { kind: "finite", why: "reads a file" }, example: "/system backup load" },
  wol: {
    bound: { kind: "finite", why: "sends one packet" },
    example: "/tool wol mac=48:A9:8A:00:00:01",
  },
  execute: {
    bound: {
      kind: "finite",
      why: "sent with as-string: ends with the script, and the router cuts it at 60 s",
    },
    example: '/execute script=":put 1"',
  },
  password: { bound: { kind: "finite", why: "sets a password" }, example: "/password" },
  quit: { bound: { kind: "finite", why: "ends a console session" }, example: "/quit" },
};

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};

/**
 * Seconds of a RouterOS time value (`10`, `10s`, `500ms`, `1m30s`, `1d2h`); undefined when it is
 * not one.
 */
export function routerOSSeconds(text: string): number | undefined {
  const value = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(value)) return undefined;
  let total = 0;
  for (const [, n, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(n) * UNIT_SECONDS[unit!]!;
  }
  return total;
}

/** Whether `word` is a command of {@linkcode CONSOLE_COMMANDS} when typed in `menu`. */
export function isConsoleCommand(word: string, menu: string): boolean {
  if (!Object.hasOwn(CONSOLE_COMMANDS, word)) return false;
  const menus = CONSOLE_COMMANDS[word]!.menus;
  return menus === undefined || menus.includes(menu);
}

/** Thrown by {@linkcode boundCommand} for a command with no safe bound; carries the reason. */
export class UnboundedCommandError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "UnboundedCommandError";
  }
}

/** A bounded command body, and what was added or capped (said in the tool result). */
export interface BoundedCommand {
  body: Record<string, unknown>;
  notes: string[];
}

function isOn(value: unknown): boolean {
  // `once` counts when present, except `false`/`no` (measured on 7.22.1: once=false blocks).
  return value !== undefined && !["false", "no"].includes(String(value).trim().toLowerCase());
}

function capDuration(
  verb: string,
  body: Record<string, unknown>,
  notes: string[],
  key: string,
  maxSeconds: number,
): void {
  const raw = String(body[key]);
  const seconds = routerOSSeconds(raw);
  if (seconds === undefined || seconds <= 0) {
    throw new UnboundedCommandError(`${verb} needs a positive ${key}= such as 10s, not "${raw}"`);
  }
  if (seconds > maxSeconds) {
    body[key] = `${maxSeconds}s`;
    notes.push(`${key}=${raw} capped to ${maxSeconds}s (longer holds the router's REST session)`);
  }
}

/**
 * Applies a command's bound to its REST body (a copy): adds a missing `count`/`once`/`duration`,
 * caps one that is too large, or throws {@linkcode UnboundedCommandError} for a command that has
 * no safe bound. Commands not in {@linkcode CONSOLE_COMMANDS} (for `menu`) pass unchanged.
 */
export function boundCommand(
  verb: string,
  menu: string,
  body: Record<string, unknown>,
): BoundedCommand {
  const entry = isConsoleCommand(verb, menu) ? CONSOLE_COMMANDS[verb] : undefined;
  const out = { ...body };
  const notes: string[] = [];
  if (!entry) return { body: out, notes };
  const bound = entry.bound;
  switch (bound.kind) {
    case "finite":
      break;
    case "refuse":
      throw new UnboundedCommandError(bound.reason);
    case "count": {
      const raw = out.count;
      const count = raw === undefined ? undefined : Number(String(raw).trim());
      if (raw === undefined) {
        out.count = String(bound.default);
        notes.push(`count=${bound.default} added (without count ${verb} never ends)`);
      } else if (!Number.isInteger(count) || count! < 1) {
        throw new UnboundedCommandError(
          `${verb} needs count= from 1 to ${bound.max}, not "${raw}"`,
        );
      } else if (count! > bound.max) {
        out.count = String(bound.max);
        notes.push(`count=${raw} capped to ${bound.max}`);
      }
      if (out.interval !== undefined) capDuration(verb, out, notes, "interval", 1);
      break;
    }
    case "once":
      if (out.duration !== undefined && !isOn(out.once)) {
        delete out.once;
        capDuration(verb, out, notes, "duration", bound.maxSeconds);
      } else if (!isOn(out.once)) {
        out.once = "";
        delete out.duration;
        notes.push(`once added (without once or duration ${verb} never ends)`);
      }
      break;
    case "duration":
      if (out.duration === undefined) {
        out.duration = `${bound.defaultSeconds}s`;
        notes.push(
          `duration=${bound.defaultSeconds}s added (without duration ${verb} never ends)`,
        );
      } else capDuration(verb, out, notes, "duration", bound.maxSeconds);
      break;
  }
  return { body: out, notes };
}
