/**
 * A sweep loop: runs `sweep` now and then every `intervalMs` after the previous run ends,
 * until stopped (`stop()` waits for a run in progress).
 * @module
 */

/** A started or stopped loop. */
export interface SweepLoop {
  /** Sweeps now, then every interval; a second call does nothing. */
  start(): void;
  /** Stops the loop and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** Builds the loop; `sweep` must not throw. */
export function createSweepLoop(
  sweep: () => Promise<void>,
  intervalMs: number,
): SweepLoop {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  function run(): void {
    running = sweep().finally(() => {
      running = undefined;
      schedule();
    });
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(run, intervalMs);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      run();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
