/**
 * Scrubbing of secret values from text that leaves the process (tool output for the model,
 * errors for clients and channels, log lines): every known secret is redacted, also in its
 * standard and URL-safe base64 forms at any alignment (inside `Basic` credentials or a larger
 * encoded blob), URL-encoded and JSON-escaped.
 * @module
 */
/** What a redacted secret is replaced with. */
export const REDACTED = "[redacted]";

/** Secrets shorter than this are ignored: redacting them would mangle ordinary text. */
export const MIN_SECRET_LENGTH = 6;

/**
 * Replaces every occurrence of each secret in `text` with `[redacted]`, including the
 * secret's standard and URL-safe base64 forms (padded or not) and its URL-encoded forms
 * (upper- or lower-case hex, `+` or `%20` for spaces). Secrets shorter than 6 characters
 * are ignored. The result never contains any of those forms: if redaction itself would
 * build one again (overlapping values), the whole text is redacted.
 *
 * @example Redact an API key
 * ```ts
 * scrubSecrets("key=sk-abc123456", ["sk-abc123456"]); // "key=[redacted]"
 * ```
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return scrubForms(text, secretForms(secrets));
}

/** {@linkcode scrubSecrets} with the forms already built by {@linkcode secretForms}. */
export function scrubForms(text: string, forms: readonly string[]): string {
  if (forms.length === 0 || text.length === 0) return text;
  let out = text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = redactOnce(out, forms);
    if (next === out) return out;
    out = next;
  }
  return forms.some((f) => out.includes(f)) ? REDACTED : out;
}

/** Every textual form of the given secrets that {@linkcode scrubSecrets} redacts, longest first. */
export function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    const json = JSON.stringify(secret).slice(1, -1);
    if (json !== secret) forms.add(json);
    const b64 = base64(encoder.encode(secret));
    const b64NoPad = b64.replace(/=+$/, "");
    const b64Url = b64NoPad.replaceAll("+", "-").replaceAll("/", "_");
    for (const f of [b64, b64NoPad, b64Url, ...embeddedBase64(secret)]) {
      if (f.length >= MIN_SECRET_LENGTH) forms.add(f);
    }
    const uri = encodeURIComponent(secret);
    const uriLower = uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    for (const f of [uri, uriLower, uri.replaceAll("%20", "+"), uriLower.replaceAll("%20", "+")]) {
      forms.add(f);
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Scrubs `error`'s message and stack, and those of its `cause` chain, of `secrets` (in place:
 * the error keeps its class, code and kind). Returns `error`. Non-errors are returned as is.
 */
export function scrubError<T>(error: T, secrets: readonly string[]): T {
  return scrubErrorForms(error, secretForms(secrets));
}

/** {@linkcode scrubError} with the forms already built by {@linkcode secretForms}. */
export function scrubErrorForms<T>(error: T, forms: readonly string[]): T {
  if (forms.length === 0) return error;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const e = current as Error & { cause?: unknown };
    try {
      if (forms.some((f) => e.message.includes(f))) e.message = scrubForms(e.message, forms);
      if (e.stack && forms.some((f) => e.stack!.includes(f))) e.stack = scrubForms(e.stack, forms);
    } catch {
      // a frozen error: its cause chain is still scrubbed below
    }
    current = e.cause;
  }
  return error;
}

// --- Internal helpers ---

const MAX_PASSES = 8;
const encoder = new TextEncoder();

function redactOnce(text: string, forms: readonly string[]): string {
  // Mark every covered character first, then rebuild: overlapping matches of different
  // forms collapse into one marker instead of leaving fragments behind.
  const covered = new Uint8Array(text.length);
  let any = false;
  for (const form of forms) {
    let i = text.indexOf(form);
    while (i !== -1) {
      covered.fill(1, i, i + form.length);
      any = true;
      i = text.indexOf(form, i + 1);
    }
  }
  if (!any) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (covered[i]) {
      out += REDACTED;
      while (i < text.length && covered[i]) i++;
    } else {
      const start = i;
      while (i < text.length && !covered[i]) i++;
      out += text.slice(start, i);
    }
  }
  return out;
}

/**
 * The base64 text of `secret` when it sits 1 or 2 bytes into a larger encoded value (Basic
 * credentials `user:secret`): only the characters that depend on the secret alone.
 */
function embeddedBase64(secret: string): string[] {
  const bytes = encoder.encode(secret);
  const out: string[] = [];
  for (const shift of [1, 2]) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    const text = base64(padded).replace(/=+$/, "");
    const start = Math.ceil((shift * 8) / 6);
    const end = Math.floor((padded.length * 8) / 6);
    const form = text.slice(start, end);
    out.push(form, form.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return out;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
