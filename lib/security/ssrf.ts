/**
 * The SSRF guard: decides whether a URL the model chose may be fetched, by scheme, credentials,
 * host name and every address the host resolves to.
 * @module
 */
import { PolicyError } from "../errors.ts";
import { type Cidr, deniedReason, inCidr, parseCidr, parseIp } from "./_ip.ts";

/** Resolves a host name to every IP address it has. */
export type Resolver = (hostname: string) => Promise<readonly string[]>;

/** Options of {@linkcode createSsrfGuard}. */
export interface SsrfGuardOptions {
  /** DNS resolver; tests inject one. @default {node:dns lookup with `all: true`} */
  resolve?: Resolver | undefined;
  /**
   * More destinations to refuse: IP addresses, CIDR blocks or host names (the router's own
   * address, for example). Host names are refused by name and by every address they resolve to.
   */
  extraDenied?: readonly string[] | undefined;
}

/** A URL that passed the guard, with the addresses its host resolved to. */
export interface CheckedUrl {
  /** The parsed URL. */
  readonly url: URL;
  /** The addresses its host resolved to, all allowed. */
  readonly addresses: readonly string[];
}

/** Checks URLs before anything fetches them. */
export interface SsrfGuard {
  /** Resolves to the checked URL, or rejects with a {@linkcode PolicyError} saying why. */
  check(url: string | URL): Promise<CheckedUrl>;
  /** Why `address` is refused, or `undefined` when it may be contacted. */
  addressDenied(address: string): string | undefined;
}

const DENIED_NAMES = ["localhost", "metadata", "metadata.google.internal", "instance-data"];
const DENIED_SUFFIXES = [".localhost", ".internal", ".local", ".localdomain", ".home.arpa"];

/** The default resolver: `node:dns` `lookup` with every address, imported lazily. */
export async function systemResolve(hostname: string): Promise<readonly string[]> {
  const dns = await import("node:dns");
  const found = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

function refuse(url: string, why: string): PolicyError {
  return new PolicyError(`Cannot fetch "${url}": ${why}`);
}

/** Builds an {@linkcode SsrfGuard}. */
export function createSsrfGuard(options: SsrfGuardOptions = {}): SsrfGuard {
  const resolve = options.resolve ?? systemResolve;
  const deniedCidrs: Cidr[] = [];
  const deniedHosts: string[] = [];
  for (const entry of options.extraDenied ?? []) {
    const text = entry.trim();
    if (!text) continue;
    const cidr = parseCidr(text);
    if (cidr) deniedCidrs.push(cidr);
    else deniedHosts.push(text.toLowerCase().replace(/\.$/, ""));
  }
  let extraResolved: Promise<Cidr[]> | undefined;
  // Host names in `extraDenied` are resolved once, lazily; a failed lookup denies nothing more.
  const extraAddresses = (): Promise<Cidr[]> => {
    extraResolved ??= Promise.all(
      deniedHosts.map((host) => resolve(host).catch(() => [] as readonly string[])),
    ).then((lists) => lists.flat().map((a) => parseCidr(a)).filter((c): c is Cidr => !!c));
    return extraResolved;
  };

  function addressDenied(address: string, extra: readonly Cidr[] = []): string | undefined {
    const ip = parseIp(address);
    if (!ip) return "not an IP address";
    const builtIn = deniedReason(ip);
    if (builtIn) return builtIn;
    for (const cidr of [...deniedCidrs, ...extra]) {
      if (inCidr(ip, cidr)) {
        return "a denied address (the router itself or an operator-denied network)";
      }
    }
    return undefined;
  }

  return {
    addressDenied: (address) => addressDenied(address),
    async check(input) {
      const shown = String(input).slice(0, 200);
      let url: URL;
      try {
        url = new URL(String(input));
      } catch {
        throw refuse(shown, "not a valid absolute URL");
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw refuse(shown, `scheme "${url.protocol}" is not allowed (only http and https)`);
      }
      if (url.username || url.password) {
        throw refuse(shown, "URLs with credentials are not allowed");
      }
      // WHATWG URL has already normalised numeric hosts (0x7f000001, 2130706433, 127.1, …).
      const host = url.hostname.toLowerCase();
      const bare = host.startsWith("[") ? host.slice(1, -1) : host.replace(/\.$/, "");
      const extra = await extraAddresses();
      const literal = parseIp(bare);
      if (literal) {
        const why = addressDenied(bare, extra);
        if (why) throw refuse(shown, `host ${host} is ${why}`);
        return { url, addresses: [bare] };
      }
      if (
        DENIED_NAMES.includes(bare) || DENIED_SUFFIXES.some((s) => bare.endsWith(s)) ||
        deniedHosts.includes(bare)
      ) {
        throw refuse(shown, `host "${bare}" is a local or denied name`);
      }
      let addresses: readonly string[];
      try {
        addresses = await resolve(bare);
      } catch (error) {
        throw new PolicyError(`Cannot fetch "${shown}": host "${bare}" does not resolve`, {
          cause: error,
        });
      }
      if (addresses.length === 0) throw refuse(shown, `host "${bare}" has no addresses`);
      for (const address of addresses) {
        const why = addressDenied(address, extra);
        if (why) throw refuse(shown, `host "${bare}" resolves to ${address}, ${why}`);
      }
      return { url, addresses };
    },
  };
}
