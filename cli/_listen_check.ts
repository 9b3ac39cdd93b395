/**
 * The listen address checks `agent` and `gateway` run before serving: the address must be one
 * this machine has (or a wildcard / loopback), and a failure to listen becomes one line naming
 * the setting instead of a raw `getaddrinfo` / `EADDRNOTAVAIL` error.
 * @module
 */
import { ConfigError } from "../lib/errors.ts";
import {
  formatIpBytes,
  isLoopbackHost,
  isWildcardHost,
  parseIpBytes,
  unmapIp,
} from "../lib/_internal/ip.ts";

const WHERE = "GATEWAY_BIND or --host";

function notHere(host: string, detail: string): ConfigError {
  return new ConfigError([{
    key: "GATEWAY_BIND",
    message: `cannot listen on ${
      JSON.stringify(host)
    } (${WHERE}): ${detail}; use an address of this machine, 127.0.0.1, or 0.0.0.0 for every interface`,
  }]);
}

/** Throws a `ConfigError` when `host` is not a wildcard, loopback, or an address of this machine. */
export async function checkListenAddress(host: string): Promise<void> {
  if (isWildcardHost(host) || isLoopbackHost(host)) return;
  const bytes = parseIpBytes(host);
  if (!bytes) throw notHere(host, "not an IP address");
  const { networkInterfaces } = await import("node:os");
  const wanted = formatIpBytes(unmapIp(bytes));
  const mine = Object.values(networkInterfaces()).flat().flatMap((i) => {
    const b = i ? parseIpBytes(i.address) : undefined;
    return b ? [formatIpBytes(unmapIp(b))] : [];
  });
  if (!mine.includes(wanted)) {
    const shown = mine.filter((a) => !isLoopbackHost(a)).slice(0, 4).join(", ");
    throw notHere(host, `this machine has no such address${shown ? ` (it has ${shown})` : ""}`);
  }
}

/** Maps "no such address" from the listen call to a `ConfigError`; rethrows anything else. */
export function listenFailure(host: string, error: unknown): never {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | undefined;
  const text = `${e?.code ?? ""} ${e?.name ?? ""} ${e?.message ?? ""}`;
  if (/EADDRNOTAVAIL|AddrNotAvailable|cannot assign requested address/i.test(text)) {
    throw notHere(host, "this machine has no such address");
  }
  throw error;
}
