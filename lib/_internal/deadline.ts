/**
 * The one deadline primitive: a signal that aborts when the caller's does or when time runs out
 * ({@linkcode startDeadline}), and the race built on it ({@linkcode withDeadline}) that answers the
 * caller at that moment even when the work ignores its signal — a tool call (in `defineTool` and
 * again in the agent), the agent's memory recall, a RouterOS or safe-fetch request.
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
  /** Stops the timer and aborts the signal with `reason` (the work is over; what it left stops). */
  end(reason: unknown): void;
}

/**
 * Starts a deadline of `ms` joined to `signal`. Its abort reason is `reason()` when a function
 * is given, else `new Error(reason)`.
 */
export function startDeadline(
  ms: number,
  reason: string | (() => unknown),
  signal?: AbortSignal,
): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(typeof reason === "string" ? new Error(reason) : reason());
  }, ms);
  return {
    signal: signal ? AbortSignal.any([signal, controller.signal]) : controller.signal,
    expired: () => expired,
    clear: () => clearTimeout(timer),
    end(reason) {
      clearTimeout(timer);
      if (!controller.signal.aborted) controller.abort(reason);
    },
  };
}

/** Options of {@linkcode withDeadline}. */
export interface DeadlineOptions {
  /** The caller's signal: its abort ends the run at once with `cancelled()`. */
  signal: AbortSignal;
  /** Time limit of the run in ms; past it the run ends with `timedOut()`. */
  timeoutMs: number;
  /** Reason given to the work's signal at the deadline (what the work sees). */
  timeoutReason: () => unknown;
  /** Error the run rejects with at the deadline (what the caller sees). */
  timedOut: () => Error;
  /** Error the run rejects with when `signal` aborts first. */
  cancelled: () => Error;
}

// One shared reason: building an exception (and its stack) for every finished call is costly.
const FINISHED = new Error("call finished");

/**
 * Runs `work` with a signal that aborts on the caller's abort or at the deadline, and settles
 * with the first of: the work's own result, `cancelled()`, `timedOut()`. A throw inside `work`
 * (even a synchronous one) is a rejection. Once settled, the work's signal is aborted, so
 * anything it left running stops.
 */
export async function withDeadline<T>(
  work: (signal: AbortSignal) => T | PromiseLike<T>,
  options: DeadlineOptions,
): Promise<T> {
  const deadline = startDeadline(options.timeoutMs, options.timeoutReason, options.signal);
  let settled = false;
  const stop = new Promise<never>((_, reject) => {
    const onAbort = (): void => {
      // After the work settled, nobody listens: skip building an error.
      if (!settled) reject(options.signal.aborted ? options.cancelled() : options.timedOut());
    };
    if (deadline.signal.aborted) return onAbort();
    deadline.signal.addEventListener("abort", onAbort, { once: true });
  });
  // The race's loser must not surface as an unhandled rejection once the work has won.
  stop.catch(() => {});
  try {
    return await Promise.race([Promise.resolve().then(() => work(deadline.signal)), stop]);
  } finally {
    settled = true;
    deadline.end(FINISHED);
  }
}
