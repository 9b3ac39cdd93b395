/**
 * Parses the `*_ALLOWLIST` settings.
 * @module
 */

/**
 * Splits a comma list of sender ids (`TELEGRAM_ALLOWLIST=4242,777`) into trimmed, non-empty
 * ids. Unset or empty gives `[]`, which denies everyone; `*` stays `*` (allow all).
 */
export function parseAllowlist(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}
