/**
 * The one IP-address primitive every layer uses: strict parsing of IPv4 / IPv6 literals, and
 * what "loopback" and "wildcard" mean for a listen address or a `Host` header. The gateway's
 * client identity, the SSRF guard and the configuration checks all build on it, so they can
 * never disagree about an address.
 * @module
 */

/**
 * Parses an IP literal: strict dotted-quad decimal IPv4 without leading zeros (the only form
 * WHATWG URLs and DNS produce), or IPv6 in any textual form with optional brackets and zone id (`fe80::1%eth0`).
 * Returns 4 bytes for IPv4 and 16 for IPv6 (IPv4-mapped addresses stay 16 bytes; see
 * {@linkcode unmapIp}); `undefined` for anything else, including `127.1` or `0x7f.0.0.1`.
 */
export function parseIpBytes(text: string): Uint8Array | undefined {
  let s = text.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  if (s.length === 0 || s.length > 64) return undefined;
  return s.includes(":") ? parseV6(s) : parseV4(s);
}

/** An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as its 4 IPv4 bytes; others unchanged. */
export function unmapIp(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== 16) return bytes;
  const mapped = bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** Canonical text of parsed bytes: dotted IPv4, or the eight lowercase IPv6 groups. */
export function formatIpBytes(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  }
  return groups.join(":");
}

/** Whether parsed bytes are a loopback address: `127.0.0.0/8`, `::1`, or mapped `127/8`. */
export function isLoopbackIp(bytes: Uint8Array): boolean {
  const ip = unmapIp(bytes);
  if (ip.length === 4) return ip[0] === 127;
  return ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1;
}

/** Whether parsed bytes are the unspecified ("any") address: `0.0.0.0`, `::`, `::ffff:0.0.0.0`. */
export function isUnspecifiedIp(bytes: Uint8Array): boolean {
  return unmapIp(bytes).every((b) => b === 0);
}

/**
 * A host name in comparable form: lowercase, no brackets, no trailing dot. IP literals become
 * their canonical text ({@linkcode formatIpBytes} of the unmapped bytes, zone id dropped).
 */
export function normalizeHostName(host: string): string {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(
    /\.$/,
    "",
  );
  const ip = parseIpBytes(h);
  return ip ? formatIpBytes(unmapIp(ip)) : h;
}

/**
 * Whether a listen address or host name means this machine only: an address in `127.0.0.0/8`,
 * `::1` (also IPv4-mapped), `localhost` or a name under `.localhost` (RFC 6761: always loopback).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(
    /\.$/,
    "",
  );
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const ip = parseIpBytes(h);
  return ip !== undefined && isLoopbackIp(ip);
}

/** Whether a listen address is a wildcard (every interface): `0.0.0.0` or `::`. */
export function isWildcardHost(host: string): boolean {
  const ip = parseIpBytes(host);
  return ip !== undefined && isUnspecifiedIp(ip);
}

// --- Internal helpers ---

function parseV4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    // No leading zeros: inet_aton and WHATWG URLs read `010` as octal 8.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseV6(text: string): Uint8Array | undefined {
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) {
    // A zone id names an interface: letters, digits and a few punctuation marks.
    if (!/^[\w.~-]{1,32}$/.test(s.slice(zone + 1))) return undefined;
    s = s.slice(0, zone);
  }
  let tail: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    tail = parseV4(s.slice(lastColon + 1));
    if (!tail) return undefined;
    s = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : halves[0]!.split(":");
  const rest = halves.length === 2 ? (halves[1] === "" ? [] : halves[1]!.split(":")) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [
    ...head,
    ...Array<string>(halves.length === 2 ? missing : 0).fill("0"),
    ...rest,
  ];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}
