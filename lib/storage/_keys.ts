/**
 * Key encoding shared by every StateStore backend.
 *
 * unstorage normalises keys (`/` and `\` become `:`, anything after `?` is dropped, empty
 * segments collapse) and the fs driver maps `:` to directories, so raw keys would collide
 * (`a/b` = `a:b`) or escape the base directory. Each `:`-separated segment is therefore
 * percent-encoded down to `[A-Za-z0-9_-]` (so no `.`, `..`, `/`, NUL, `?` or `$` survive),
 * an empty segment becomes `%`, and an over-long segment becomes `~<sha256>` (its original
 * key is kept in the stored envelope as `k`). The last segment ends with `=`, which no other
 * segment does, so on fs a key (`a`) and a "directory" (`a:b`) never need the same path.
 * @module
 */

/** Segments beyond this many are folded (colons encoded) into the last one. */
const MAX_SEGMENTS = 8;
/** Longest encoded segment kept readable; longer ones are hashed (fs names max 255 bytes). */
const MAX_SEGMENT_CHARS = 150;
const SAFE = /^[A-Za-z0-9_-]$/;
const HEX = "0123456789ABCDEF";

/** An encoded key; `hashed` means the original cannot be decoded from `raw` alone. */
export interface EncodedKey {
  raw: string;
  hashed: boolean;
}

/** Encodes a StateStore key into a storage-safe key. Throws `TypeError` on a malformed key. */
export async function encodeKey(key: string): Promise<EncodedKey> {
  if (typeof key !== "string") {
    throw new TypeError("Cannot use state key: it must be a string");
  }
  if (!key.isWellFormed()) {
    throw new TypeError("Cannot use state key: it contains a lone surrogate");
  }
  const { segments, hashed } = await encodeSegments(splitSegments(key));
  return { raw: segments.join(":") + LEAF, hashed };
}

/** Decodes a raw storage key; `undefined` for a hashed or foreign key (e.g. a temp file). */
export function decodeKey(raw: string): string | undefined {
  if (!raw.endsWith(LEAF)) return undefined;
  const out: string[] = [];
  for (const segment of raw.slice(0, -LEAF.length).split(":")) {
    if (segment === "%") {
      out.push("");
      continue;
    }
    if (segment === "" || segment.startsWith("~")) return undefined;
    const decoded = decodeSegment(segment);
    if (decoded === undefined) return undefined;
    out.push(decoded);
  }
  return out.join(":");
}

/** True when the raw key holds a hashed segment (look up the original in the envelope). */
export function isHashedKey(raw: string): boolean {
  return raw.endsWith(LEAF) && raw.split(":").some((s) => s.startsWith("~"));
}

/**
 * The raw storage base covering every key that starts with `prefix` (its complete
 * segments), so a listing need not scan everything.
 */
export async function prefixBase(prefix: string): Promise<string> {
  const segments = prefix.split(":");
  segments.pop();
  const complete = segments.slice(0, MAX_SEGMENTS - 1);
  if (complete.length === 0) return "";
  return (await encodeSegments(complete)).segments.join(":");
}

// --- Internal helpers ---

const LEAF = "=";

async function encodeSegments(
  parts: string[],
): Promise<{ segments: string[]; hashed: boolean }> {
  let hashed = false;
  const segments: string[] = [];
  for (const part of parts) {
    const encoded = encodeSegment(part);
    if (encoded.length > MAX_SEGMENT_CHARS) {
      hashed = true;
      segments.push("~" + (await sha256Hex(part)));
    } else {
      segments.push(encoded);
    }
  }
  return { segments, hashed };
}

function splitSegments(key: string): string[] {
  const parts = key.split(":");
  if (parts.length <= MAX_SEGMENTS) return parts;
  return [
    ...parts.slice(0, MAX_SEGMENTS - 1),
    parts.slice(MAX_SEGMENTS - 1).join(":"),
  ];
}

function encodeSegment(segment: string): string {
  if (segment === "") return "%";
  let out = "";
  for (const char of segment) {
    if (SAFE.test(char)) {
      out += char;
      continue;
    }
    for (const byte of new TextEncoder().encode(char)) {
      out += "%" + HEX[byte >> 4] + HEX[byte & 15];
    }
  }
  return out;
}

function decodeSegment(segment: string): string | undefined {
  if (!/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/.test(segment)) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
