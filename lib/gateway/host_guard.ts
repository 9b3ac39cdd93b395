/**
 * The `Host` check against DNS rebinding: a page on `http://attacker.example:PORT` whose name
 * is re-pointed at the gateway sends `Host: attacker.example:PORT` from the owner's own browser.
 * The gateway answers only to names that are its own, before rate limiting, pairing lockout
 * accounting and auth, so such a page can neither use the gateway nor spend the owner's pairing
 * attempts. The gateway's guard applies {@linkcode createHostCheck} first.
 * @module
 */
import {
  isLoopbackHost,
  isWildcardHost,
  normalizeHostName,
  parseIpBytes,
} from "../_internal/ip.ts";

/** Options of {@linkcode createHostCheck}. */
export interface HostCheckOptions {
  /** The address the server listens on (`GATEWAY_BIND`). @default {"127.0.0.1"} */
  bindHost?: string;
  /** Further names accepted (`GATEWAY_ALLOWED_HOSTS`), e.g. `mikroclaw.lan`. @default {[]} */
  allowedHosts?: readonly string[];
}

/** The verdict on one `Host` value. */
export type HostVerdict =
  | { ok: true; host: string; loopback: boolean }
  | { ok: false; reason: string };

const PORT = /:(\d{1,5})$/;

/** `Host` values whose verdict is remembered (cleared when full). */
const MAX_REMEMBERED_HOSTS = 256;

/**
 * The host name of a `Host` header value (port dropped, lowercased, IDNA to punycode, trailing
 * dot dropped, IPv6 without brackets); `undefined` when it is not a plain `host[:port]`
 * (userinfo, a path, spaces, an empty or malformed name).
 */
export function hostOfHeader(value: string): string | undefined {
  const text = value.trim();
  if (text === "" || text.length > 300 || /[\s/\\@?#]/.test(text)) return undefined;
  let name = text;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) return undefined;
    const rest = text.slice(close + 1);
    if (rest !== "" && !/^:\d{1,5}$/.test(rest)) return undefined;
    name = text.slice(0, close + 1);
  } else if (text.includes(":")) {
    const m = PORT.exec(text);
    if (!m || text.indexOf(":") !== m.index) return undefined;
    name = text.slice(0, m.index);
  }
  if (name === "" || name.endsWith("..")) return undefined;
  // IP literals by the shared parser (runtimes' URL parsers differ on rare IPv6 spellings).
  const literal = name.startsWith("[") ? name.slice(1, -1) : name;
  if (!literal.includes("%") && parseIpBytes(literal) !== undefined) {
    return normalizeHostName(literal);
  }
  let parsed: URL;
  try {
    parsed = new URL(`http://${name}/`);
  } catch {
    return undefined;
  }
  const host = parsed.hostname.replace(/\.$/, "");
  return host === "" ? undefined : normalizeHostName(host);
}

/**
 * Builds the `Host` rule. Accepted: a loopback name or address (`localhost`, `*.localhost`,
 * `127.0.0.0/8`, `::1`); the bind address; every entry of `allowedHosts`; and, on a wildcard
 * bind (`0.0.0.0`, `::`), any IP literal — a rebinding page needs a DNS name, and a literal
 * names the address the client connected to (the machine's LAN address, a port forward).
 */
export function createHostCheck(options: HostCheckOptions = {}): (value: string) => HostVerdict {
  const bind = options.bindHost ?? "127.0.0.1";
  const wildcard = isWildcardHost(bind);
  const names = new Set<string>();
  if (!wildcard) names.add(normalizeHostName(bind));
  for (const entry of options.allowedHosts ?? []) {
    const host = hostOfHeader(entry);
    if (host === undefined) {
      throw new TypeError(
        `Cannot use allowed host ${JSON.stringify(entry)}: expected a host name or IP address`,
      );
    }
    names.add(host);
  }
  // A client sends the same Host on every request; parsing it is a measurable share of a small
  // request (issue #19). Bounded, since the value is the client's to choose.
  const seen = new Map<string, HostVerdict>();
  return (value) => {
    let verdict = seen.get(value);
    if (verdict === undefined) {
      verdict = judge(value);
      if (seen.size >= MAX_REMEMBERED_HOSTS) seen.clear();
      seen.set(value, verdict);
    }
    return verdict;
  };
  function judge(value: string): HostVerdict {
    const host = hostOfHeader(value);
    if (host === undefined) return { ok: false, reason: "the Host header is malformed" };
    if (isLoopbackHost(host)) return { ok: true, host, loopback: true };
    if (names.has(host) || (wildcard && parseIpBytes(host) !== undefined)) {
      return { ok: true, host, loopback: false };
    }
    return {
      ok: false,
      reason: `${JSON.stringify(host.slice(0, 100))} is not a name of this gateway ` +
        "(add it to GATEWAY_ALLOWED_HOSTS if you reach the gateway by that name)",
    };
  }
}
