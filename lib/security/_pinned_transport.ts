/**
 * The transport of the safe fetch: one HTTP(S) exchange that connects only to addresses the
 * SSRF guard has checked (internal; loaded with the first fetch).
 *
 * The Web `fetch` API cannot be told where to connect, so this uses `node:http` / `node:https`
 * `request`, which Node, Deno and Bun all provide, with a `lookup` that answers with the checked
 * addresses and never asks DNS again. The request keeps the URL's host name, so the `Host`
 * header, the TLS server name (SNI) and the certificate check all use the name, not the IP.
 * Verified on Node 24, Deno 2.9 and Bun 1.4 (`test/security/safe_fetch_pinning_test.ts`):
 * each calls the `lookup`, sends SNI = host name and refuses a certificate for another name.
 * As a second line, a socket whose remote address is not a checked one is destroyed before
 * its answer is read (a runtime that ignored `lookup` would fail closed, not open).
 * Bun's `fetch` `tls` options and undici's dispatcher could pin too, but only on one runtime
 * each; `node:http(s)` is the one mechanism all three share. Residual: this transport does not
 * go through `HTTP(S)_PROXY` (a proxy would resolve the name itself, which is the hole).
 * @module
 */
import { PolicyError } from "../errors.ts";
import { runtimeName } from "../routeros/pinned_fetch.ts";
import { parseIp } from "./_ip.ts";
import type { CheckedUrl } from "./ssrf.ts";

/** One request of the pinned transport. */
export interface PinnedInit {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
  /** Certificate authorities (PEM) trusted instead of the runtime's; tests pass their own. */
  ca?: string | undefined;
}

/** Sends one request to `checked.url`, connecting only to `checked.addresses`. */
export type Transport = (checked: CheckedUrl, init: PinnedInit) => Promise<Response>;

type LookupCallback = (
  error: Error | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;

/** A canonical text of an IP address, so `::ffff:…` spellings compare equal. */
function canonical(address: string): string {
  const ip = parseIp(address.replace(/^::ffff:(?=\d+\.)/i, ""));
  if (!ip) return address.toLowerCase();
  return ip.version === 4 ? `4:${ip.v4}` : `6:${ip.v6.join(":")}`;
}

/**
 * The pinned transport: `node:http(s)` with a `lookup` limited to the checked addresses.
 * Resolves with a Web `Response` whose body streams.
 */
export async function pinnedTransport(checked: CheckedUrl, init: PinnedInit): Promise<Response> {
  const url = checked.url;
  const secure = url.protocol === "https:";
  let http: typeof import("node:http") | typeof import("node:https");
  try {
    http = secure ? await import("node:https") : await import("node:http");
  } catch (error) {
    throw new PolicyError(
      `Cannot fetch "${url.href}" on ${runtimeName()}: node:http is not available, so the connection cannot be pinned to the checked address`,
      { cause: error },
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const isLiteral = parseIp(host) !== undefined;
  const allowed = new Set(checked.addresses.map(canonical));
  const entries = checked.addresses.map((address) => ({
    address,
    family: address.includes(":") ? 6 : 4,
  }));
  function lookup(_name: string, options: unknown, callback: LookupCallback): void {
    const opts = (typeof options === "object" && options !== null ? options : {}) as {
      all?: boolean;
      family?: number;
    };
    const family = opts.family === 4 || opts.family === 6 ? opts.family : 0;
    const usable = family ? entries.filter((e) => e.family === family) : entries;
    const first = usable[0];
    if (!first) {
      callback(new Error(`no checked IPv${family} address`), "", family);
      return;
    }
    if (opts.all) callback(null, usable);
    else callback(null, first.address, first.family);
  }
  const signal = init.signal;
  signal.throwIfAborted();
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(init.headers)) {
    // The body is read as is: ask for no content coding (node:http does not decode it).
    if (key.toLowerCase() !== "accept-encoding") headers[key] = value;
  }
  headers["accept-encoding"] = "identity";
  const body = init.body === undefined ? undefined : new TextEncoder().encode(init.body);
  if (body) headers["content-length"] = String(body.byteLength);

  return await new Promise<Response>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      reject(error);
    };
    const req = http.request({
      protocol: url.protocol,
      hostname: host,
      port: url.port ? Number(url.port) : secure ? 443 : 80,
      method: init.method,
      path: url.pathname + url.search,
      headers,
      agent: false, // a fresh connection per hop: no pooled socket to another address
      ...(isLiteral ? {} : { lookup }),
      ...(secure && !isLiteral ? { servername: host } : {}),
      ...(secure && init.ca ? { ca: init.ca } : {}),
    });
    const onAbort = (): void => {
      const reason = signal.reason ?? new DOMException("The operation was aborted", "AbortError");
      req.destroy(reason instanceof Error ? reason : new Error(String(reason)));
      fail(reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", fail);
    req.on("response", (res) => {
      const remote = res.socket?.remoteAddress;
      if (typeof remote === "string" && remote !== "" && !allowed.has(canonical(remote))) {
        res.destroy();
        req.destroy();
        fail(
          new PolicyError(
            `Cannot fetch "${url.href}": the connection went to ${remote}, not to an address the SSRF guard checked`,
          ),
        );
        return;
      }
      const responseHeaders = new Headers();
      const raw = res.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        try {
          responseHeaders.append(raw[i]!, raw[i + 1]!);
        } catch {
          // a header value the Headers class refuses is dropped
        }
      }
      const status = res.statusCode ?? 502;
      const nullBody = init.method === "HEAD" || status === 204 || status === 205 ||
        status === 304 || status < 200;
      const stream = nullBody ? null : new ReadableStream<Uint8Array>({
        start(controller) {
          res.on("data", (chunk: Uint8Array) => {
            controller.enqueue(new Uint8Array(chunk));
            if ((controller.desiredSize ?? 1) <= 0) res.pause();
          });
          res.on("end", () => {
            signal.removeEventListener("abort", onAbort);
            try {
              controller.close();
            } catch {
              // already cancelled
            }
          });
          res.on("error", (error) => {
            try {
              controller.error(error);
            } catch {
              // already cancelled
            }
          });
          signal.addEventListener("abort", () => {
            try {
              controller.error(signal.reason);
            } catch {
              // already closed
            }
          }, { once: true });
        },
        pull() {
          res.resume();
        },
        cancel() {
          res.destroy();
          req.destroy();
        },
      });
      if (nullBody) res.resume();
      settled = true;
      resolve(
        new Response(stream, {
          status: status < 200 || status > 599 ? 502 : status,
          statusText: res.statusMessage ?? "",
          headers: responseHeaders,
        }),
      );
    });
    req.end(body);
  });
}
