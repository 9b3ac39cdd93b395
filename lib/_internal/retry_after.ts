/**
 * How long a server asked to wait, from its response headers: the one `Retry-After` reader the
 * providers, the channels and memU share.
 * @module
 */

/**
 * Milliseconds the server asked to wait: `retry-after-ms` (float ms, OpenAI-style) first, then
 * `retry-after` (delta seconds or an HTTP date; a date in the past is 0). Undefined when absent,
 * negative or unparsable.
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return n;
  }
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
