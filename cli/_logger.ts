/**
 * The CLI's one consola instance: honours `LOG_LEVEL` (error|warn|info|debug) and
 * `LOG_FORMAT` (text|json, one JSON object per line), writes to stderr so command output on
 * stdout stays clean, and never prints a secret: `Secret` values are redacted and every known
 * secret text (registered with {@linkcode configureLogger}) is replaced by `[redacted]`.
 * @module
 */
import { type ConsolaInstance, createConsola, type LogObject } from "consola/core";
import { isSecret } from "../lib/secrets/secret.ts";
import { scrubForms, secretForms } from "../lib/secrets/scrub.ts";

/** Log levels of `LOG_LEVEL`. */
export type LogLevelName = "error" | "warn" | "info" | "debug";

const LEVELS: Record<LogLevelName, number> = { error: 0, warn: 1, info: 3, debug: 4 };
const NAMES: Record<number, string> = {
  0: "error",
  1: "warn",
  2: "info",
  3: "info",
  4: "debug",
  5: "debug",
};
const MIN_SECRET_LENGTH = 4;

let format: "text" | "json" = process.env.LOG_FORMAT?.trim().toLowerCase() === "json"
  ? "json"
  : "text";
let secrets: string[] = [];
// The forms the shared scrubber redacts: also base64, URL-encoded and JSON-escaped.
let forms: string[] = [];

/** Options of {@linkcode configureLogger}. */
export interface LoggerSettings {
  level?: LogLevelName;
  format?: "text" | "json";
  /** Secret texts to scrub from every line (e.g. `collectSecrets(config)`). */
  secrets?: readonly string[];
}

/** The CLI logger (a consola instance; satisfies the library's structural `Logger`). */
export const logger: ConsolaInstance = createConsola({
  level: levelFromEnv(process.env.LOG_LEVEL),
  reporters: [{ log: report }],
});

/** Applies the loaded configuration's log settings and registers secrets to scrub. */
export function configureLogger(settings: LoggerSettings): void {
  if (settings.level) logger.level = LEVELS[settings.level];
  if (settings.format) format = settings.format;
  if (settings.secrets) {
    secrets = [...new Set([...secrets, ...settings.secrets])]
      .filter((s) => s.length >= MIN_SECRET_LENGTH)
      .sort((a, b) => b.length - a.length);
    forms = secretForms(secrets);
  }
}

/** Replaces every registered secret text in `text` with `[redacted]`. */
export function redact(text: string): string {
  let out = scrubForms(text, forms);
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("[redacted]");
  return out;
}

/** Formats log arguments as one redacted string. */
export function formatArgs(args: readonly unknown[], debug = false): string {
  return redact(args.map((a) => formatOne(a, debug)).join(" "));
}

// --- Internal helpers ---

function levelFromEnv(value: string | undefined): number {
  const name = value?.trim().toLowerCase() as LogLevelName | undefined;
  return name && name in LEVELS ? LEVELS[name] : LEVELS.info;
}

function formatOne(value: unknown, debug: boolean): string {
  if (isSecret(value)) return "[redacted]";
  if (typeof value === "string") return value;
  if (value instanceof Error) return debug && value.stack ? value.stack : value.message;
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value, (_k, v) => (isSecret(v) ? "[redacted]" : v));
    } catch {
      return "[unserialisable]";
    }
  }
  return String(value);
}

function report(log: LogObject): void {
  const level = NAMES[log.level] ?? String(log.type);
  const message = formatArgs(log.args ?? [], logger.level >= LEVELS.debug);
  const line = format === "json"
    ? JSON.stringify({
      time: log.date.toISOString(),
      level,
      ...(log.tag ? { tag: log.tag } : {}),
      message,
    })
    : `${log.date.toISOString()} ${level.toUpperCase().padEnd(5)} ${
      log.tag ? `[${log.tag}] ` : ""
    }${message}`;
  // one string: no format directives apply; and Bun's `process.stderr` costs ~10 ms to build
  console.error(line);
}
