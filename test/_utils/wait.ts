/**
 * The one polling wait for tests: a positive check waits for its condition with a generous
 * deadline instead of sleeping a fixed time, so a busy machine only makes it slower.
 * @module
 */

/** Options for {@linkcode waitFor}. */
export interface WaitOptions {
  /** Gives up after this many milliseconds (default 10 000). */
  timeout?: number;
  /** Milliseconds between checks (default 10). */
  interval?: number;
  /** Names what was awaited in the timeout error. */
  message?: string;
}

/** `T` without its falsy members: what {@linkcode waitFor} resolves with. */
export type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/**
 * Polls `condition` until it returns a truthy value and resolves with that value; rejects
 * with an error naming `message` when `timeout` passes first.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Truthy<T>> {
  const { timeout = 10_000, interval = 10, message = "the condition" } = options;
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) {
      throw new Error(`Cannot reach ${message}: still false after ${timeout} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
