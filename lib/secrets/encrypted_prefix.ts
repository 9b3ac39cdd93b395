/**
 * Recognising `ENCRYPTED:` values without loading the decryption code (start-up reads settings
 * through these; `decrypt_value.ts` loads only when a value needs decrypting).
 * @module
 */

/**
 * True when `text` claims to be encrypted: it starts with `ENCRYPTED:` in any letter case
 * (`encrypted:v2:…`, `Encrypted:V1:…`), so a hand-typed prefix is never taken for a plain value.
 */
export function isEncryptedValue(text: string): boolean {
  return /^encrypted:/i.test(text);
}

/**
 * True when `text` holds an encrypted value anywhere (`ENCRYPTED:v<digits>:` in any letter case),
 * the marker the fail-closed checks look for before a request leaves the process.
 */
export function containsEncryptedValue(text: string): boolean {
  return /encrypted:v\d+:/i.test(text);
}
