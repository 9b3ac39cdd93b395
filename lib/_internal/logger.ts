/**
 * The structural logger every library factory accepts; a consola instance satisfies it.
 * @module
 */

/** Minimal logger; the library never creates one itself. */
export interface Logger {
  /** Detail for troubleshooting. */
  debug(...args: unknown[]): void;
  /** Normal operation. */
  info(...args: unknown[]): void;
  /** Something to look at; work goes on. */
  warn(...args: unknown[]): void;
  /** A failure. */
  error(...args: unknown[]): void;
}

function noop(): void {}

/** A logger that discards everything (the library default). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
