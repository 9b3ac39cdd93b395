/**
 * A tool context for tests.
 * @module
 */
import { silentLogger } from "../../lib/_internal/logger.ts";
import type { ToolContext } from "../../lib/tools/types.ts";

/** A fresh context; pass a signal to cancel. */
export function toolContext(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, requestedBy: "test:1", sessionKey: "test:1", logger: silentLogger };
}
