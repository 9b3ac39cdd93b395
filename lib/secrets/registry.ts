/**
 * The secret registry: one set of every secret value a runtime knows (configured keys and
 * tokens, and the values inside `MCP_SERVERS`), and the scrubber every boundary uses with it:
 * errors turned into answers, channel replies, tool output and log lines.
 * @module
 */
import { MIN_SECRET_LENGTH, scrubErrorForms, scrubForms, secretForms } from "./scrub.ts";

/** Every known secret value, and scrubbing with them. */
export interface SecretRegistry {
  /**
   * The registered values, longest first. The same array is updated in place by
   * {@linkcode SecretRegistry.add}, so code given it earlier sees later additions.
   */
  readonly values: readonly string[];
  /** Registers more values; empty and too short ones are ignored. */
  add(values: Iterable<string | undefined>): void;
  /** `text` with every registered value (and its encodings) replaced by `[redacted]`. */
  scrub(text: string): string;
  /** Scrubs an error's message, stack and cause chain in place; returns it. */
  scrubError<T>(error: T): T;
}

/**
 * Creates a {@linkcode SecretRegistry} holding `initial`.
 *
 * @example
 * ```ts
 * const secrets = createSecretRegistry(["sk-live-123456"]);
 * secrets.scrub("401: bad key sk-live-123456"); // "401: bad key [redacted]"
 * ```
 */
export function createSecretRegistry(initial: Iterable<string> = []): SecretRegistry {
  const values: string[] = [];
  let forms: string[] = [];
  const registry: SecretRegistry = {
    values,
    add(more) {
      let changed = false;
      for (const value of more) {
        if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) continue;
        if (values.includes(value)) continue;
        values.push(value);
        changed = true;
      }
      if (!changed) return;
      values.sort((a, b) => b.length - a.length);
      forms = secretForms(values);
    },
    scrub: (text) => scrubForms(text, forms),
    scrubError: (error) => scrubErrorForms(error, forms),
  };
  registry.add(initial);
  return registry;
}

/**
 * The secret parts of a URL: its user name and password, and every query value (tokens are
 * often passed as `?key=…` or `?token=…`), decoded.
 */
export function urlSecrets(text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [];
  }
  const out: string[] = [];
  if (url.username) out.push(decodeURIComponent(url.username));
  if (url.password) out.push(decodeURIComponent(url.password));
  for (const [, value] of url.searchParams) out.push(value);
  return out.filter((v) => v.length >= MIN_SECRET_LENGTH);
}

/**
 * The secret parts of a header value: the value itself and, for `Bearer x` / `Basic x` /
 * `token x` forms, the credential after the scheme.
 */
export function headerSecrets(value: string): string[] {
  const out = [value.trim()];
  const match = /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(value.trim());
  if (match) out.push(match[1]!.trim());
  return out.filter((v) => v.length >= MIN_SECRET_LENGTH);
}
