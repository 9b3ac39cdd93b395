/** Strict standard base64 (with padding), on every runtime via `atob`/`btoa`. */

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes canonical padded base64, or returns `undefined` for anything else. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!B64.test(text)) return undefined;
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  // Non-canonical forms (unused trailing bits set) decode to the same bytes: refuse them.
  return encodeBase64(out) === text ? out : undefined;
}

/** Encodes bytes as padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!);
  return btoa(bin);
}
