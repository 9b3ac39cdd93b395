/**
 * The one request deadline: a signal that aborts when the caller's does or when time runs out,
 * and a way to tell the two apart.
 * @module
 */

/** What {@linkcode startDeadline} returns. */
export interface Deadline {
  /** Aborts on the caller's signal or after the time given. */
  signal: AbortSignal;
  /** Whether the time ran out (not the caller's abort). */
  expired(): boolean;
  /** Stops the timer; call it once the work is done. */
  clear(): void;
}

/** Starts a deadline of `ms` whose abort reason is `new Error(reason)`, joined to `signal`. */
export function startDeadline(ms: number, reason: string, signal?: AbortSignal): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(reason)), ms);
  return {
    signal: signal ? AbortSignal.any([signal, controller.signal]) : controller.signal,
    expired: () => controller.signal.aborted,
    clear: () => clearTimeout(timer),
  };
}
