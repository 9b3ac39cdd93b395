/**
 * The one timeout-and-abort race: a tool call (in `defineTool` and again in the agent) and the
 * agent's memory recall run with a signal that aborts at their deadline or on the caller's
 * abort, and the caller gets an answer at that moment even when the work ignores its signal.
 * @module
 */

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
  const controller = new AbortController();
  const signal = AbortSignal.any([options.signal, controller.signal]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = new Promise<never>((_, reject) => {
    const onAbort = (): void =>
      reject(options.signal.aborted ? options.cancelled() : options.timedOut());
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    timer = setTimeout(
      () => controller.abort(options.timeoutReason()),
      options.timeoutMs,
    );
  });
  try {
    return await Promise.race([
      Promise.resolve().then(() => work(signal)),
      stop,
    ]);
  } finally {
    clearTimeout(timer);
    if (!controller.signal.aborted) controller.abort(FINISHED);
  }
}
