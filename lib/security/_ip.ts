/**
 * IP address parsing and the deny list of the SSRF guard (internal).
 * @module
 */
import { parseIpBytes } from "../_internal/ip.ts";

/** A parsed address: IPv4 as one 32-bit number, IPv6 as eight 16-bit groups. */
export type ParsedIp =
  | { readonly version: 4; readonly v4: number }
  | { readonly version: 6; readonly v6: readonly number[] };

/** A CIDR block. */
export interface Cidr {
  readonly ip: ParsedIp;
  readonly bits: number;
}

/** Strict dotted-quad decimal IPv4 (the canonical form WHATWG URL and DNS produce). */
export function parseIPv4(text: string): number | undefined {
  if (text.includes(":") || text.includes("[") || text !== text.trim()) {
    return undefined;
  }
  const bytes = parseIpBytes(text);
  return bytes?.length === 4
    ? ((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) +
      bytes[3]!
    : undefined;
}

/** IPv6 in any textual form (`::`, embedded IPv4, optional brackets and zone id). */
export function parseIPv6(text: string): number[] | undefined {
  if (!text.includes(":") || text !== text.trim()) return undefined;
  const bytes = parseIpBytes(text);
  if (bytes?.length !== 16) return undefined;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  return groups;
}

/** Parses an IPv4 or IPv6 literal; `undefined` for anything else (a DNS name). */
export function parseIp(text: string): ParsedIp | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { version: 4, v4 };
  const v6 = parseIPv6(text);
  if (v6) return { version: 6, v6 };
  return undefined;
}

/** Parses `a.b.c.d`, `a.b.c.d/n`, `x::y` or `x::y/n`. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const ip = parseIp(slash >= 0 ? text.slice(0, slash) : text);
  if (!ip) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  if (slash < 0) return { ip, bits: max };
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  return bits <= max ? { ip, bits } : undefined;
}

function bitsOf(ip: ParsedIp): number[] {
  const out: number[] = [];
  if (ip.version === 4) {
    for (let i = 31; i >= 0; i--) out.push(Math.floor(ip.v4 / 2 ** i) % 2);
  } else {
    for (const g of ip.v6) for (let i = 15; i >= 0; i--) out.push((g >> i) & 1);
  }
  return out;
}

/** Whether `ip` lies inside `cidr` (same family only). */
export function inCidr(ip: ParsedIp, cidr: Cidr): boolean {
  if (ip.version !== cidr.ip.version) return false;
  const a = bitsOf(ip);
  const b = bitsOf(cidr.ip);
  for (let i = 0; i < cidr.bits; i++) if (a[i] !== b[i]) return false;
  return true;
}

function table(
  rows: readonly (readonly [string, string])[],
): readonly [Cidr, string][] {
  return rows.map(([cidr, why]) => [parseCidr(cidr)!, why] as [Cidr, string]);
}

const DENIED_V4 = table([
  ["0.0.0.0/8", "an unspecified/this-network address"],
  ["10.0.0.0/8", "a private (RFC 1918) address"],
  ["100.64.0.0/10", "a carrier-grade NAT (RFC 6598) address"],
  ["127.0.0.0/8", "a loopback address"],
  ["169.254.0.0/16", "a link-local / cloud metadata address"],
  ["172.16.0.0/12", "a private (RFC 1918) address"],
  ["192.0.0.0/24", "an IETF protocol assignment address"],
  ["192.0.2.0/24", "a documentation address"],
  ["192.88.99.0/24", "a 6to4 relay address"],
  ["192.168.0.0/16", "a private (RFC 1918) address"],
  ["198.18.0.0/15", "a benchmarking address"],
  ["198.51.100.0/24", "a documentation address"],
  ["203.0.113.0/24", "a documentation address"],
  ["224.0.0.0/4", "a multicast address"],
  ["240.0.0.0/4", "a reserved or broadcast address"],
  ["168.63.129.16/32", "a cloud metadata address"],
]);

const DENIED_V6 = table([
  ["::/128", "the unspecified address"],
  ["::1/128", "a loopback address"],
  ["::ffff:0:0/96", "an IPv4-mapped address"],
  ["::/96", "an IPv4-compatible address"],
  ["64:ff9b::/96", "a NAT64 address"],
  ["64:ff9b:1::/48", "a NAT64 address"],
  ["100::/64", "a discard-only address"],
  ["2001::/32", "a Teredo address"],
  ["2001::/23", "an IETF protocol assignment address"],
  ["2001:db8::/32", "a documentation address"],
  ["2002::/16", "a 6to4 address"],
  ["3fff::/20", "a documentation address"],
  ["fc00::/7", "a unique local (ULA) address"],
  ["fe80::/10", "a link-local address"],
  ["fec0::/10", "a site-local address"],
  ["ff00::/8", "a multicast address"],
]);

const GLOBAL_UNICAST_V6 = parseCidr("2000::/3")!;

/** Why `address` must not be contacted, or `undefined` when it is a public unicast address. */
export function deniedReason(address: string | ParsedIp): string | undefined {
  const ip = typeof address === "string" ? parseIp(address) : address;
  if (!ip) return "not an IP address";
  const rows = ip.version === 4 ? DENIED_V4 : DENIED_V6;
  for (const [cidr, why] of rows) if (inCidr(ip, cidr)) return why;
  if (ip.version === 6 && !inCidr(ip, GLOBAL_UNICAST_V6)) {
    return "not a global unicast address";
  }
  return undefined;
}
