/**
 * Client identity: IP parsing, CIDR matching and the rightmost-untrusted `X-Forwarded-For` hop.
 * @module
 */
import { formatIpBytes, parseIpBytes, unmapIp } from "../_internal/ip.ts";

export { isLoopbackHost } from "../_internal/ip.ts";

/** A parsed trusted-proxy entry: an address with a prefix length. */
export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

/**
 * Parses an IPv4 or IPv6 address (brackets and zone ids allowed); IPv4-mapped IPv6
 * addresses become their 4-byte IPv4 form. `undefined` when not an address.
 */
export function parseIp(text: string): Uint8Array | undefined {
  const bytes = parseIpBytes(text);
  return bytes && unmapIp(bytes);
}

/** Canonical text of a parsed address (dotted IPv4 or full lowercase IPv6). */
export const formatIp: (bytes: Uint8Array) => string = formatIpBytes;

/** Parses `10.0.0.0/8`, `::1` or `192.168.1.5`; throws `TypeError` naming a bad entry. */
export function parseCidr(entry: string): Cidr {
  const [addr, len, extra] = entry.trim().split("/");
  const bytes = addr === undefined ? undefined : parseIp(addr);
  if (!bytes || extra !== undefined) {
    throw new TypeError(
      `Cannot parse trusted proxy "${entry}": expected an IP address or CIDR`,
    );
  }
  const max = bytes.length * 8;
  let prefix = max;
  if (len !== undefined) {
    if (!/^\d{1,3}$/.test(len) || Number(len) > max) {
      throw new TypeError(
        `Cannot parse trusted proxy "${entry}": bad prefix length`,
      );
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
  if (!peerIp) {
    return peer === undefined || peer === "" ? "unknown" : peer.slice(0, 64);
  }
  const isTrusted = (ip: Uint8Array) => trusted.some((c) => cidrContains(c, ip));
  if (trusted.length === 0 || forwardedFor === null || !isTrusted(peerIp)) {
    return formatIp(peerIp);
  }
  const hops = forwardedFor.split(",").slice(-32).map((h) => h.trim()).filter(
    Boolean,
  );
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
