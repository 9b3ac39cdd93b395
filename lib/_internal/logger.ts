/**
 * The structural logger every library factory accepts; a consola instance satisfies it.
 * @module
 */

/** Minimal logger; the library never creates one itself. */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

function noop(): void {}

/** A logger that discards everything (the library default). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
