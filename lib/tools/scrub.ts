/**
 * Sanitising of untrusted text before the model reads it: known secret values are redacted
 * (also in their base64 and URL-encoded forms), chat-template special tokens are stripped,
 * and invisible format characters are removed.
 * @module
 */

/** What a redacted secret is replaced with. */
export const REDACTED = "[redacted]";

/** Secrets shorter than this are ignored: redacting them would mangle ordinary text. */
export const MIN_SECRET_LENGTH = 6;

const MAX_PASSES = 8;

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
  const forms = secretForms(secrets);
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
    const b64 = base64(secret);
    const b64NoPad = b64.replace(/=+$/, "");
    const b64Url = b64NoPad.replaceAll("+", "-").replaceAll("/", "_");
    for (const f of [b64, b64NoPad, b64Url]) if (f.length >= MIN_SECRET_LENGTH) forms.add(f);
    const uri = encodeURIComponent(secret);
    const uriLower = uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    for (const f of [uri, uriLower, uri.replaceAll("%20", "+"), uriLower.replaceAll("%20", "+")]) {
      forms.add(f);
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Removes chat-template special tokens (`<|im_start|>`, `<|eot_id|>`, `<｜begin▁of▁sentence｜>`,
 * `[INST]`, `<<SYS>>`, `<start_of_turn>`, `</s>` …) so untrusted text cannot forge a turn
 * boundary for models that parse such tokens from text. Repeats until stable, so removing
 * one token never assembles another.
 */
export function stripSpecialTokens(text: string): string {
  let out = text;
  for (let pass = 0; pass < 64; pass++) {
    const next = out.replace(SPECIAL_TOKEN, "");
    if (next === out) return out;
    out = next;
  }
  return out.replace(/[<>|｜]/g, "");
}

/**
 * Removes invisible Unicode format characters (zero-width spaces and joiners, bidi
 * overrides, tag characters): they hide text from people and split markers the model reads.
 */
export function stripInvisible(text: string): string {
  return text.replace(/\p{Cf}/gu, "");
}

// --- Internal helpers ---

const SPECIAL_TOKEN = new RegExp(
  [
    String.raw`<\s*[|｜][^<>\n]{0,64}?[|｜]\s*>`, // <|im_start|>, <|eot_id|>, <｜end▁of▁sentence｜>
    String.raw`\[\s*\/?\s*(?:INST|SYS|AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS)\s*\]`,
    String.raw`<<\s*\/?\s*SYS\s*>>`,
    String
      .raw`<\s*\/?\s*(?:start_of_turn|end_of_turn|s|bos|eos|pad|unk|think|tool_call|tool_response|function_call)\s*>`,
  ].join("|"),
  "gi",
);

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

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
