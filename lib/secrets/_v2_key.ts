/** Master-key handling of `ENCRYPTED:v2` (see `encrypt_value.ts` for the format). */
import { decodeBase64 } from "./_base64.ts";

/** PBKDF2-SHA256 iterations for passphrase keys (OWASP 2023 guidance for PBKDF2-HMAC-SHA256). */
export const PBKDF2_ITERATIONS = 600_000;
const PBKDF2_SALT = "mikroclaw/ENCRYPTED:v2/pbkdf2-sha256";
/** HKDF `info` for the per-value AES key. */
export const HKDF_INFO = "mikroclaw/ENCRYPTED:v2/aes-256-gcm";
/** AES-GCM additional data: binds the ciphertext to the format version. */
export const V2_AAD = "ENCRYPTED:v2";
/** Minimum length of `MIKROCLAW_SECRET_KEY`. */
export const MIN_KEY_LENGTH = 32;

const cache = new Map<string, Promise<CryptoKey>>();

/** How a key text is used: 32 raw bytes (hex or base64) or a passphrase. */
export function keyKind(text: string): "raw" | "passphrase" | "short" {
  if (rawKeyBytes(text)) return "raw";
  return text.length >= MIN_KEY_LENGTH ? "passphrase" : "short";
}

function rawKeyBytes(text: string): Uint8Array | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  if (text.length === 43 || text.length === 44) {
    let b64 = text.replaceAll("-", "+").replaceAll("_", "/");
    if (b64.length === 43) b64 += "=";
    const bytes = decodeBase64(b64);
    if (bytes?.length === 32) return bytes;
  }
  return undefined;
}

/**
 * The HKDF master key for `text`, derived once per process and key (PBKDF2 is slow on
 * purpose), then cached. The caller has checked `keyKind(text) !== "short"`.
 */
export function masterKey(text: string): Promise<CryptoKey> {
  let key = cache.get(text);
  if (!key) {
    key = deriveMaster(text);
    cache.set(text, key);
    key.catch(() => cache.delete(text));
  }
  return key;
}

async function deriveMaster(text: string): Promise<CryptoKey> {
  const subtle = crypto.subtle;
  let ikm: Uint8Array | ArrayBuffer | undefined = rawKeyBytes(text);
  if (!ikm) {
    const pass = await subtle.importKey(
      "raw",
      new TextEncoder().encode(text),
      "PBKDF2",
      false,
      ["deriveBits"],
    );
    ikm = await subtle.deriveBits(
      {
        name: "PBKDF2",
        hash: "SHA-256",
        salt: new TextEncoder().encode(PBKDF2_SALT),
        iterations: PBKDF2_ITERATIONS,
      },
      pass,
      256,
    );
  }
  return subtle.importKey("raw", ikm as BufferSource, "HKDF", false, ["deriveKey"]);
}

/** The AES-256-GCM key of one value, from the master key and that value's salt. */
export function valueKey(master: CryptoKey, salt: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: salt as BufferSource,
      info: new TextEncoder().encode(HKDF_INFO),
    },
    master,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}
