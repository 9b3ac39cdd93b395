/**
 * `Secret`: a string that never prints itself (logs, `JSON.stringify`, `console.log`,
 * template strings, Node/Deno/Bun inspection all show `[redacted]`).
 * @module
 */

const BRAND = Symbol.for("mikroclaw.secret");
const REDACTED = "[redacted]";

/** A secret value; only {@linkcode Secret.reveal} gives the text. */
export interface Secret {
  /** The secret text. Call it only at the moment of use (a header, a signature). */
  reveal(): string;
  /** Constant-time comparison with a candidate (e.g. a webhook secret header). */
  equals(candidate: string): boolean;
  /** Length of the secret text in characters (safe to log). */
  readonly length: number;
  /** Always `[redacted]`. */
  toString(): string;
  /** Always `[redacted]`, so `JSON.stringify` never leaks it. */
  toJSON(): string;
}

/**
 * Wraps `value` as a {@linkcode Secret}.
 *
 * @example
 * ```ts
 * const key = secret("sk-123");
 * String(key); // "[redacted]"
 * key.reveal(); // "sk-123"
 * ```
 */
export function secret(value: string): Secret {
  if (typeof value !== "string") throw new TypeError("Cannot create secret: value is not a string");
  const redacted = () => REDACTED;
  const s: Secret = {
    reveal: () => value,
    equals: (candidate: string) => constantTimeEqual(value, candidate),
    length: value.length,
    toString: redacted,
    toJSON: redacted,
  };
  Object.defineProperty(s, BRAND, { value: true });
  Object.defineProperty(s, Symbol.for("nodejs.util.inspect.custom"), { value: redacted });
  Object.defineProperty(s, Symbol.for("Deno.customInspect"), { value: redacted });
  Object.defineProperty(s, Symbol.toPrimitive, { value: redacted });
  return Object.freeze(s);
}

/** True when `value` is a {@linkcode Secret} (also across duplicate copies of the package). */
export function isSecret(value: unknown): value is Secret {
  return typeof value === "object" && value !== null && BRAND in value;
}

/** Compares two strings in time independent of where they differ (length is not hidden). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
