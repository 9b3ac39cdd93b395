/**
 * Client identity: IP parsing, CIDR matching and the rightmost-untrusted `X-Forwarded-For` hop.
 * @module
 */

/** A parsed trusted-proxy entry: an address with a prefix length. */
export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIPv6(text: string): Uint8Array | undefined {
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  let tail: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.slice(lastColon + 1).includes(".")) {
    tail = parseIPv4(s.slice(lastColon + 1));
    if (!tail) return undefined;
    s = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : halves[0]!.split(":");
  const rest = halves.length === 2 ? (halves[1] === "" ? [] : halves[1]!.split(":")) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
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

/**
 * Parses an IPv4 or IPv6 address (brackets and zone ids allowed); IPv4-mapped IPv6
 * addresses become their 4-byte IPv4 form. `undefined` when not an address.
 */
export function parseIp(text: string): Uint8Array | undefined {
  let s = text.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  if (s.length === 0 || s.length > 64) return undefined;
  if (!s.includes(":")) return parseIPv4(s);
  const v6 = parseIPv6(s);
  if (!v6) return undefined;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

/** Canonical text of a parsed address (dotted IPv4 or full lowercase IPv6). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(":");
}

/** Parses `10.0.0.0/8`, `::1` or `192.168.1.5`; throws `TypeError` naming a bad entry. */
export function parseCidr(entry: string): Cidr {
  const [addr, len, extra] = entry.trim().split("/");
  const bytes = addr === undefined ? undefined : parseIp(addr);
  if (!bytes || extra !== undefined) {
    throw new TypeError(`Cannot parse trusted proxy "${entry}": expected an IP address or CIDR`);
  }
  const max = bytes.length * 8;
  let prefix = max;
  if (len !== undefined) {
    if (!/^\d{1,3}$/.test(len) || Number(len) > max) {
      throw new TypeError(`Cannot parse trusted proxy "${entry}": bad prefix length`);
    }
    // An IPv4-mapped IPv6 CIDR (::ffff:10.0.0.0/104) was shortened to IPv4 by parseIp.
    prefix = addr!.includes(":") && bytes.length === 4 ? Number(len) - 96 : Number(len);
    if (prefix < 0) prefix = 0;
  }
  return { bytes, prefix };
}

/** Whether `ip` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  if (cidr.bytes.length !== ip.length) return false;
  let bits = cidr.prefix;
  for (let i = 0; i < ip.length && bits > 0; i++) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.bytes[i]! & mask) !== (ip[i]! & mask)) return false;
    bits -= 8;
  }
  return true;
}

/** Whether an address or host name is loopback (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const ip = parseIp(h);
  if (!ip) return false;
  if (ip.length === 4) return ip[0] === 127;
  return ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1;
}

/**
 * The client's address: the peer, or (only when the peer is a trusted proxy) the rightmost
 * `X-Forwarded-For` hop that is not itself trusted. `"unknown"` when the peer is unknown.
 */
export function resolveClient(
  peer: string | undefined,
  forwardedFor: string | null,
  trusted: readonly Cidr[],
): string {
  const peerIp = peer === undefined ? undefined : parseIp(peer);
  if (!peerIp) return peer === undefined || peer === "" ? "unknown" : peer.slice(0, 64);
  const isTrusted = (ip: Uint8Array) => trusted.some((c) => cidrContains(c, ip));
  if (trusted.length === 0 || forwardedFor === null || !isTrusted(peerIp)) {
    return formatIp(peerIp);
  }
  const hops = forwardedFor.split(",").slice(-32).map((h) => h.trim()).filter(Boolean);
  let client = peerIp;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseIp(hops[i]!);
    // A malformed hop behind a trusted proxy: stop at the last address we can vouch for.
    if (!hop) break;
    client = hop;
    if (!isTrusted(hop)) break;
  }
  return formatIp(client);
}
