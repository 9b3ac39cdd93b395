/**
 * Test helpers for the channel tests: an echo agent that records its turns and a logger that
 * records its lines.
 * @module
 */
import type { Agent, TurnInput, TurnResult } from "../../lib/agent/types.ts";
import type { Logger } from "../../lib/_internal/logger.ts";
import { waitFor } from "../_utils/wait.ts";

/** An agent double: answers with `reply(input)` and records every turn. */
export interface EchoAgent extends Agent {
  turns: TurnInput[];
}

/** Creates an {@linkcode EchoAgent}; `reply` may throw to simulate a provider failure. */
export function echoAgent(reply: (input: string) => string = (s) => `echo: ${s}`): EchoAgent {
  const turns: TurnInput[] = [];
  return {
    turns,
    async run(input): Promise<TurnResult> {
      turns.push(input);
      await new Promise((r) => setTimeout(r, 5));
      return { text: reply(input.input), steps: 1, stopReason: "stop", toolCalls: 0 };
    },
    async *stream() {
      yield { type: "error", message: "Cannot stream: not used by channels", code: "E_CHANNEL" };
    },
    reset() {},
  };
}

/** A logger that keeps every line as text. */
export interface MemoryLogger extends Logger {
  lines: { level: string; text: string }[];
  has(level: string, pattern: RegExp): boolean;
}

/** Creates a {@linkcode MemoryLogger}. */
export function memoryLogger(): MemoryLogger {
  const lines: { level: string; text: string }[] = [];
  const log = (level: string) => (...args: unknown[]) => {
    lines.push({
      level,
      text: args.map((a) => (a instanceof Error ? `${a.message}` : String(a))).join(" "),
    });
  };
  return {
    lines,
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    has: (level, pattern) => lines.some((l) => l.level === level && pattern.test(l.text)),
  };
}

/** Fast retry settings for tests. */
export const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 50, maxRetries: 2 } as const;

/** Waits until `predicate` holds (the shared {@linkcode waitFor}); rejects after `ms`. */
export async function until(predicate: () => boolean, ms = 10_000): Promise<void> {
  await waitFor(predicate, { timeout: ms });
}
