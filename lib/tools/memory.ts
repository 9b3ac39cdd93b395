/**
 * `memoryTools`: `memory_store`, `memory_recall` and `memory_forget`, with the C original's
 * names and JSON schemas. Failures (memU unreachable, no memory configured) come back as
 * error results, so the conversation goes on.
 * @module
 */
import * as v from "valibot";
import { builtinTool } from "./_tool.ts";
import type { Tool } from "./types.ts";
import type { Memory } from "../memory/mod.ts";

/** Options of {@linkcode memoryTools}. */
export interface MemoryToolsOptions {
  /** Time limit of `memory_store` (memU memorizes asynchronously). @default {120000} */
  storeTimeoutMs?: number;
  /** Time limit of `memory_recall` and `memory_forget`. @default {30000} */
  timeoutMs?: number;
}

const KEY = v.object({ key: v.string() });
const KEY_VALUE = v.object({ key: v.string(), value: v.string() });

const NOT_CONFIGURED =
  "no memory is configured (set MEMU_API_KEY for memU cloud memory, or enable the storage memory)";

/** The three memory tools over `memory`; with no memory they return a clear error result. */
export function memoryTools(
  memory: Memory | undefined | null,
  options: MemoryToolsOptions = {},
): Tool[] {
  const timeoutMs = options.timeoutMs ?? 30_000;
  function need(tool: string): Memory {
    if (!memory) throw new Error(`Cannot use ${tool}: ${NOT_CONFIGURED}`);
    return memory;
  }
  return [
    builtinTool({
      name: "memory_store",
      description: "Store key/value memory",
      input: KEY_VALUE,
      effect: "write",
      timeoutMs: options.storeTimeoutMs ?? 120_000,
      async run({ key, value }, context) {
        await need("memory_store").store(key, value, {
          by: context.requestedBy,
        }, {
          signal: context.signal,
        });
        return { stored: true, key };
      },
    }),
    builtinTool({
      name: "memory_recall",
      description: "Recall key memory",
      input: KEY,
      timeoutMs,
      async run({ key }, context) {
        const items = await need("memory_recall").recall(key, {
          limit: 5,
          signal: context.signal,
        });
        const exact = items.find((item) => item.key === key);
        if (exact) return { found: true, key, value: exact.value };
        return {
          found: false,
          key,
          matches: items.map((item) => ({
            key: item.key,
            value: item.value,
            score: item.score,
          })),
        };
      },
    }),
    builtinTool({
      name: "memory_forget",
      description: "Forget key memory",
      input: KEY,
      effect: "write",
      timeoutMs,
      async run({ key }, context) {
        const forgotten = await need("memory_forget").forget(key, {
          signal: context.signal,
        });
        return { forgotten, key };
      },
    }),
  ];
}
