/**
 * Memory auto-recall for the system context: the memory module's bounded `recallContext`,
 * with a time limit (a slow memory never holds a turn up) and the agent's untrusted-data fencing.
 * @module
 */
import type { Logger } from "../_internal/logger.ts";
import { withDeadline } from "../_internal/deadline.ts";
import type { Memory } from "../memory/types.ts";
import { recallContext } from "../memory/context.ts";
import { sanitizeUntrusted } from "./untrusted.ts";

/** Options of memory auto-recall. */
export interface AutoRecallOptions {
  /** Most items recalled. @default {5} */
  limit?: number;
  /** Longest block put into the system context, in characters. @default {2000} */
  maxChars?: number;
  /** Give up on a slow memory after this long and answer without it. @default {3000} */
  timeoutMs?: number;
}

/**
 * Recalls the items most relevant to `input` as a fenced, sanitised, bounded block; resolves
 * `""` when nothing is found, memory fails or it is too slow (logged, never thrown).
 */
export async function recallBlock(
  memory: Memory,
  input: string,
  options: AutoRecallOptions & { signal: AbortSignal; secrets: readonly string[]; logger: Logger },
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const timedOut = new Error(`memory recall timed out after ${timeoutMs} ms`);
  let block: string;
  try {
    block = await withDeadline(
      (signal) =>
        recallContext(memory, input, {
          limit: options.limit ?? 5,
          maxChars: options.maxChars ?? 2000,
          signal,
          logger: options.logger,
        }),
      {
        signal: options.signal,
        timeoutMs,
        timeoutReason: () => timedOut,
        timedOut: () => timedOut,
        cancelled: () => options.signal.reason,
      },
    );
  } catch (error) {
    if (error !== timedOut) throw error;
    options.logger.warn(`memory recall timed out after ${timeoutMs} ms, answering without it`);
    return "";
  }
  options.signal.throwIfAborted();
  if (!block) return "";
  return `<memory_context untrusted="true">\n${
    sanitizeUntrusted(block, options.secrets)
  }\n</memory_context>`;
}
