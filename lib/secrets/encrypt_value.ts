/**
 * `encryptValue`: produces `ENCRYPTED:v2:` values for an env file or `mikroclaw.json`.
 *
 * Format `ENCRYPTED:v2:<salt>:<nonce>:<ciphertext+tag>`, each part standard padded base64:
 * - key material: `MIKROCLAW_SECRET_KEY`, at least 32 characters. 32 random bytes written as
 *   64 hex digits or (url-safe or standard) base64 are used directly as HKDF input; any other
 *   text is a passphrase, stretched ONCE per process with PBKDF2-SHA256 (600 000 iterations,
 *   fixed application salt) into the HKDF input and cached;
 * - salt: 16 random bytes per value; the AES key = HKDF-SHA256(master, salt,
 *   info `mikroclaw/ENCRYPTED:v2/aes-256-gcm`), 256 bits;
 * - nonce: 12 random bytes; cipher AES-256-GCM with a 128-bit tag appended to the ciphertext;
 * - additional data: the ASCII text `ENCRYPTED:v2`, so a value cannot be replayed under
 *   another format version.
 * Web Crypto only, so it runs the same on Node, Deno and Bun.
 * @module
 */
import { encodeBase64 } from "./_base64.ts";
import { keyKind, masterKey, MIN_KEY_LENGTH, V2_AAD, valueKey } from "./_v2_key.ts";
import { isSecret, type Secret } from "./secret.ts";
import { AgentError, ErrorCode } from "../errors.ts";

/** Largest plaintext {@linkcode encryptValue} accepts, in UTF-8 bytes. */
export const MAX_PLAINTEXT_BYTES = 16_384;

/**
 * Encrypts `plaintext` as `ENCRYPTED:v2:…` with the key text of `MIKROCLAW_SECRET_KEY`.
 *
 * @throws {AgentError} code `E_SECRET` when the key is missing or shorter than 32 characters
 * @throws {RangeError} when the plaintext exceeds {@linkcode MAX_PLAINTEXT_BYTES}
 * @example
 * ```ts
 * const value = await encryptValue("sk-123", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
 * value.startsWith("ENCRYPTED:v2:"); // true
 * ```
 */
export async function encryptValue(
  plaintext: string | Secret,
  key: string | Secret | undefined,
): Promise<string> {
  const keyText = isSecret(key) ? key.reveal() : key;
  if (keyText === undefined || keyText === "") {
    throw new AgentError("Cannot encrypt: MIKROCLAW_SECRET_KEY is not set", {
      code: ErrorCode.Secret,
    });
  }
  if (keyKind(keyText) === "short") {
    throw new AgentError(
      `Cannot encrypt: MIKROCLAW_SECRET_KEY must be at least ${MIN_KEY_LENGTH} characters`,
      { code: ErrorCode.Secret },
    );
  }
  const data = new TextEncoder().encode(isSecret(plaintext) ? plaintext.reveal() : plaintext);
  if (data.length > MAX_PLAINTEXT_BYTES) {
    throw new RangeError(`Cannot encrypt: value is longer than ${MAX_PLAINTEXT_BYTES} bytes`);
  }
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const aesKey = await valueKey(await masterKey(keyText), salt);
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: nonce, additionalData: new TextEncoder().encode(V2_AAD) },
    aesKey,
    data,
  );
  return `ENCRYPTED:v2:${encodeBase64(salt)}:${encodeBase64(nonce)}:${
    encodeBase64(new Uint8Array(sealed))
  }`;
}
