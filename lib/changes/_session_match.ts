/**
 * Whether a firewall rule matches MikroClaw's own REST traffic, and the small RouterOS value
 * helpers that needs (IPv4 ranges and prefixes, `!` negation, port lists, booleans).
 * @module
 */
import type { SessionPath } from "./lockout.ts";

/** Properties of a firewall rule that are not match conditions. */
export const NOT_MATCH: ReadonlySet<string> = new Set([
  ".id",
  "chain",
  "action",
  "comment",
  "disabled",
  "log",
  "log-prefix",
  "reject-with",
  "jump-target",
  "place-before",
  "numbers",
  "bytes",
  "packets",
  "dynamic",
  "invalid",
  "copy-from",
]);

/** A RouterOS boolean that is on (`true` or `yes`). */
export function truthy(value: unknown): boolean {
  return value === true || value === "true" || value === "yes";
}

// --- IPv4 helpers (anything else is treated as "may match") ---

/** An IPv4 address as a 32-bit number; `undefined` for anything else. */
export function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** Whether `spec` (an address, `a.b.c.d/n` or `a-b` range) contains `ip`; `undefined` if unknown. */
export function contains(spec: string, ip: string): boolean | undefined {
  const addr = ipv4(ip);
  if (addr === undefined) return undefined;
  const range = /^([\d.]+)-([\d.]+)$/.exec(spec);
  if (range) {
    const a = ipv4(range[1]!);
    const b = ipv4(range[2]!);
    if (a === undefined || b === undefined) return undefined;
    return addr >= a && addr <= b;
  }
  const [base, bits] = spec.split("/");
  const net = ipv4(base ?? "");
  const n = bits === undefined ? 32 : Number(bits);
  if (net === undefined || !Number.isInteger(n) || n < 0 || n > 32) return undefined;
  if (n === 0) return true;
  const mask = (0xffffffff << (32 - n)) >>> 0;
  return ((addr & mask) >>> 0) === ((net & mask) >>> 0);
}

/** The prefix length of `a.b.c.d/n` (32 without one). */
export function prefixLength(spec: string): number {
  const bits = spec.split("/")[1];
  return bits === undefined ? 32 : Number(bits);
}

/** `!x` negation, RouterOS style. */
function negatable(value: string, test: (v: string) => boolean | undefined): boolean {
  const negated = value.startsWith("!");
  const result = test(negated ? value.slice(1) : value);
  if (result === undefined) return true; // unknown: assume it matches us (refuse more, not less)
  return negated ? !result : result;
}

function portIn(list: string, port: number): boolean {
  return list.split(",").some((part) => {
    const [a, b] = part.split("-").map((p) => Number(p.trim()));
    if (a === undefined || Number.isNaN(a)) return false;
    return b === undefined || Number.isNaN(b) ? port === a : port >= a && port <= b;
  });
}

/** Whether an input-chain rule would match MikroClaw's REST traffic (unknown tests count as matching). */
export function ruleMatchesSession(
  rule: Readonly<Record<string, string>>,
  session: SessionPath,
): boolean {
  for (const [key, value] of Object.entries(rule)) {
    if (NOT_MATCH.has(key)) continue;
    switch (key) {
      case "src-address":
        if (
          session.sourceAddress && !negatable(value, (v) => contains(v, session.sourceAddress!))
        ) return false;
        break;
      case "dst-address":
        if (!negatable(value, (v) => contains(v, session.host))) return false;
        break;
      case "protocol":
        if (!negatable(value, (v) => v === "tcp" || v === "6")) return false;
        break;
      case "dst-port":
        if (!negatable(value, (v) => portIn(v, session.port))) return false;
        break;
      case "in-interface":
        if (!negatable(value, (v) => session.interfaces.includes(v))) return false;
        break;
      case "connection-state":
        if (!negatable(value, (v) => /\b(established|new)\b/.test(v))) return false;
        break;
      default:
        // src-address-list, in-interface-list, src-port, … : cannot tell, assume it matches
        break;
    }
  }
  return true;
}
