/**
 * Splits a reply into parts that fit a chat service's message limit.
 * @module
 */

/**
 * Splits `text` into parts of at most `limit` UTF-16 code units, cutting at the last paragraph
 * break, else line break, else sentence end, else whitespace in the second half of each window,
 * and never between the two halves of a surrogate pair. Nothing is lost:
 * `chunkText(t, n).join("") === t`; the separator stays at the end of the earlier part.
 *
 * @example Usage
 * ```ts ignore
 * chunkText("a\n\nb", 3); // ["a\n\n", "b"]
 * ```
 */
export function chunkText(text: string, limit: number): string[] {
  if (!Number.isInteger(limit) || limit < 2) {
    throw new RangeError(`Cannot chunk text: limit must be an integer >= 2, got ${limit}`);
  }
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = findCut(rest, limit);
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

const SENTENCE_END = /[.!?…。！？][)"'”’\]]*\s/g;

function findCut(text: string, limit: number): number {
  const window = text.slice(0, limit);
  const min = Math.floor(limit / 2);
  const para = window.lastIndexOf("\n\n");
  if (para >= min) return safe(text, para + 2);
  const line = window.lastIndexOf("\n");
  if (line >= min) return safe(text, line + 1);
  let sentence = -1;
  for (const m of window.matchAll(SENTENCE_END)) sentence = m.index + m[0].length;
  if (sentence >= min) return safe(text, sentence);
  for (let i = window.length - 1; i >= min; i--) {
    if (/\s/.test(window[i]!)) return safe(text, i + 1);
  }
  return safe(text, limit);
}

/** Moves a cut one unit back when it would fall inside a surrogate pair. */
function safe(text: string, cut: number): number {
  const code = text.charCodeAt(cut - 1);
  return code >= 0xd800 && code <= 0xdbff ? cut - 1 : cut;
}
