/**
 * `decryptValue`: reads `ENCRYPTED:v1:` (the C original's format) and `ENCRYPTED:v2:` values.
 * Any failure is an `AgentError` (code `E_SECRET`) naming the variable; the value itself, its
 * plaintext and its parts never appear in the message.
 * @module
 */
import { decodeBase64 } from "./_base64.ts";
import { isEncryptedValue } from "./encrypted_prefix.ts";
export { containsEncryptedValue, isEncryptedValue } from "./encrypted_prefix.ts";
import { keyKind, masterKey, MIN_KEY_LENGTH, V2_AAD, valueKey } from "./_v2_key.ts";
import { isSecret, type Secret } from "./secret.ts";
import { AgentError, ErrorCode } from "../errors.ts";

/** Longest `ENCRYPTED:` text accepted, in characters (hostile input guard). */
export const MAX_ENCRYPTED_LENGTH = 32_768;

/** The keys `decryptValue` may use. */
export interface SecretKeys {
  /** `MIKROCLAW_SECRET_KEY`: the key of `ENCRYPTED:v2:` values. */
  secretKey?: string | Secret | undefined;
  /** `MEMU_ENCRYPTION_KEY`: the C original's key of `ENCRYPTED:v1:` values (read only). */
  legacyKey?: string | Secret | undefined;
}

/** Options of {@linkcode decryptValue}. */
export interface DecryptOptions {
  /** The variable the value came from, named in errors. @default {"value"} */
  name?: string;
}

/**
 * Decrypts an `ENCRYPTED:v1:` or `ENCRYPTED:v2:` value.
 *
 * v1 is the C original's format: `ENCRYPTED:v1:<nonce>:<ciphertext>:<tag>` (base64), AES-256-GCM
 * with key SHA-256(`MEMU_ENCRYPTION_KEY` text), 12-byte nonce, 16-byte tag, no additional data.
 * v2 is described in `encrypt_value.ts`.
 *
 * @throws {AgentError} code `E_SECRET`: malformed value, missing or wrong key, bad tag
 * @example
 * ```ts
 * await decryptValue("ENCRYPTED:v1:fr/AgJyGDAb7cPqZ:w28zWDuJJ37L:6HpXk20TkapXdCr70m13/w==",
 *   { legacyKey: "test-key" }); // "sk-secret"
 * ```
 */
export async function decryptValue(
  text: string,
  keys: SecretKeys,
  options: DecryptOptions = {},
): Promise<string> {
  const name = options.name ?? "value";
  const fail = (reason: string, cause?: unknown): never => {
    throw new AgentError(`Cannot decrypt ${name}: ${reason}`, { code: ErrorCode.Secret, cause });
  };
  if (typeof text !== "string") return fail("value is not a string");
  if (text.length > MAX_ENCRYPTED_LENGTH) {
    return fail(`value is longer than ${MAX_ENCRYPTED_LENGTH} characters`);
  }
  if (!isEncryptedValue(text)) return fail("value does not start with ENCRYPTED:");
  const parts = text.split(":");
  const version = (parts[1] ?? "").toLowerCase();
  if (version !== "v1" && version !== "v2") {
    const shown = /^[a-z0-9]{1,8}$/i.test(version) ? `"ENCRYPTED:${version}:"` : "this prefix";
    return fail(`unknown format ${shown} (supported: ENCRYPTED:v1:, ENCRYPTED:v2:)`);
  }
  const shape = version === "v1"
    ? "ENCRYPTED:v1:<nonce>:<ciphertext>:<tag>"
    : "ENCRYPTED:v2:<salt>:<nonce>:<ciphertext+tag>";
  if (parts.length !== 5) return fail(`malformed value (expected ${shape} in base64)`);
  const bytes = parts.slice(2).map((p) => decodeBase64(p));
  if (bytes.some((b) => b === undefined)) {
    return fail(`malformed value (a part is not valid base64; expected ${shape})`);
  }
  const [a, b, c] = bytes as [Uint8Array, Uint8Array, Uint8Array];

  let key: CryptoKey;
  let nonce: Uint8Array;
  let sealed: Uint8Array;
  let aad: Uint8Array | undefined;
  if (version === "v1") {
    const keyText = reveal(keys.legacyKey);
    if (!keyText) return fail("MEMU_ENCRYPTION_KEY is not set (needed for ENCRYPTED:v1: values)");
    if (a.length !== 12) return fail("malformed value (the nonce must be 12 bytes)");
    if (c.length !== 16) return fail("malformed value (the tag must be 16 bytes)");
    nonce = a;
    sealed = concat(b, c);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(keyText));
    key = await crypto.subtle.importKey("raw", digest, "AES-GCM", false, ["decrypt"]);
  } else {
    const keyText = reveal(keys.secretKey);
    if (!keyText) return fail("MIKROCLAW_SECRET_KEY is not set (needed for ENCRYPTED:v2: values)");
    if (keyKind(keyText) === "short") {
      return fail(`MIKROCLAW_SECRET_KEY must be at least ${MIN_KEY_LENGTH} characters`);
    }
    if (a.length !== 16) return fail("malformed value (the salt must be 16 bytes)");
    if (b.length !== 12) return fail("malformed value (the nonce must be 12 bytes)");
    if (c.length < 16) return fail("malformed value (the ciphertext is shorter than its tag)");
    nonce = b;
    sealed = c;
    aad = new TextEncoder().encode(V2_AAD);
    key = await valueKey(await masterKey(keyText), a);
  }

  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      aad
        ? { name: "AES-GCM", iv: nonce as BufferSource, additionalData: aad as BufferSource }
        : { name: "AES-GCM", iv: nonce as BufferSource },
      key,
      sealed as BufferSource,
    );
  } catch (error) {
    return fail("wrong key or corrupted value (authentication failed)", errorName(error));
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(plain);
  } catch {
    return fail("the decrypted value is not UTF-8 text");
  }
}

function reveal(key: string | Secret | undefined): string | undefined {
  return isSecret(key) ? key.reveal() : key;
}

function concat(x: Uint8Array, y: Uint8Array): Uint8Array {
  const out = new Uint8Array(x.length + y.length);
  out.set(x, 0);
  out.set(y, x.length);
  return out;
}

/** Only the error's name goes into `cause`: runtimes may quote inputs in messages. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "Error";
}
