/**
 * `createMemory`: the {@linkcode Memory} facade over a driver (memU or storage). It checks
 * arguments, bounds recalls and turns every driver failure into an `E_MEMORY` error.
 * @module
 */
import { AgentError, ErrorCode, errorMessage, isAgentError } from "../errors.ts";
import type { Memory, MemoryDriver, MemoryItem, MemoryProbe } from "./types.ts";

/** Options of {@linkcode createMemory}. */
export interface CreateMemoryOptions {
  driver: MemoryDriver;
  /** Longest key. @default {256} */
  maxKeyChars?: number;
  /** Longest value. @default {8000} */
  maxValueChars?: number;
  /** Most items one recall returns. @default {20} */
  maxRecall?: number;
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Builds a {@linkcode Memory} over `options.driver`. */
export function createMemory(options: CreateMemoryOptions): Memory {
  const { driver } = options;
  const maxKey = options.maxKeyChars ?? 256;
  const maxValue = options.maxValueChars ?? 8000;
  const maxRecall = options.maxRecall ?? 20;

  function checkKey(key: unknown): string {
    if (typeof key !== "string" || key.trim() === "") {
      throw new TypeError(
        "Cannot use memory key: it must be a non-empty string",
      );
    }
    if (key.length > maxKey) {
      throw new RangeError(
        `Cannot use memory key: ${key.length} characters, the limit is ${maxKey}`,
      );
    }
    if (CONTROL.test(key) || !key.isWellFormed()) {
      throw new TypeError(
        "Cannot use memory key: it contains control characters",
      );
    }
    return key;
  }

  function checkText(text: unknown, what: string): string {
    if (typeof text !== "string") {
      throw new TypeError(`Cannot store ${what}: it must be a string`);
    }
    if (text.length > maxValue) {
      throw new RangeError(
        `Cannot store ${what}: ${text.length} characters, the limit is ${maxValue}`,
      );
    }
    return text;
  }

  async function wrap<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (
        isAgentError(error) || error instanceof TypeError ||
        error instanceof RangeError
      ) {
        throw error;
      }
      throw new AgentError(`Cannot ${action}: ${errorMessage(error)}`, {
        code: ErrorCode.Memory,
        cause: error,
      });
    }
  }

  const memory: Memory = {
    driver: driver.name,
    async store(key, value, meta, callOptions = {}) {
      const k = checkKey(key);
      const v = checkText(value, `memory "${k}"`);
      return await wrap(
        `store memory "${k}"`,
        () => driver.store(k, v, meta, callOptions),
      );
    },
    async recall(query, callOptions = {}) {
      if (typeof query !== "string" || query.trim() === "") {
        throw new TypeError("Cannot recall memory: the query is empty");
      }
      const q = query.slice(0, Math.max(maxKey, 1000));
      const limit = Math.min(
        Math.max(1, Math.floor(callOptions.limit ?? 5)),
        maxRecall,
      );
      const recallOptions: { limit: number; signal?: AbortSignal } = { limit };
      if (callOptions.signal) recallOptions.signal = callOptions.signal;
      return await wrap("recall memory", async () => {
        const items: MemoryItem[] = await driver.recall(q, recallOptions);
        return items.slice(0, limit);
      });
    },
    async forget(key, callOptions = {}) {
      const k = checkKey(key);
      return await wrap(
        `forget memory "${k}"`,
        () => driver.forget(k, callOptions),
      );
    },
    async remember(text, callOptions = {}) {
      const t = checkText(text, "the conversation summary");
      if (t.trim() === "") return;
      if (driver.remember) {
        const remember = driver.remember.bind(driver);
        return await wrap(
          "remember the conversation",
          () => remember(t, callOptions),
        );
      }
      const key = `turn:${new Date().toISOString()}:${crypto.randomUUID().slice(0, 8)}`;
      return await wrap(
        "remember the conversation",
        () => driver.store(key, t, undefined, callOptions),
      );
    },
    async probe(callOptions = {}): Promise<MemoryProbe> {
      try {
        return await driver.probe(callOptions);
      } catch (error) {
        return {
          ok: false,
          detail: `Cannot check memory (${driver.name}): ${errorMessage(error)}`,
        };
      }
    },
  };
  return memory;
}
