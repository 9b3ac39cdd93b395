/**
 * Runtime-agnostic access to the process environment (Node, Deno, Bun), read lazily.
 * @module
 */

/** A read-only view of environment variables. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The current process environment as a plain object (empty where none is available). */
export function processEnv(): Env {
  const g = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { toObject(): Record<string, string> } };
  };
  if (g.process?.env) return g.process.env;
  try {
    return g.Deno?.env?.toObject() ?? {};
  } catch {
    return {};
  }
}
