/**
 * A `fetch` that accepts the router's (usually self-signed) certificate only when its SHA-256
 * fingerprint equals the pinned one. Built on `node:tls` + `node:https`, which Node, Deno and Bun
 * all provide; the certificate is checked after the handshake and before a single byte of the
 * request (credentials included) is written.
 * @module
 */
import { RouterOSError } from "./routeros_error.ts";
import { constantTimeEqual } from "../secrets/secret.ts";

/** Whether this runtime can pin the router certificate, for `doctor`. */
export interface PinningSupport {
  supported: boolean;
  /** Runtime and mechanism, or why pinning is impossible here. */
  detail: string;
}

/** Largest response body the pinned fetch buffers. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** The runtime's name: `node`, `deno`, `bun` or `unknown`. */
export function runtimeName(): string {
  const g = globalThis as {
    Deno?: unknown;
    Bun?: unknown;
    process?: { versions?: { node?: string } };
  };
  if (g.Deno !== undefined) return "deno";
  if (g.Bun !== undefined) return "bun";
  if (g.process?.versions?.node) return "node";
  return "unknown";
}

/** Whether the router certificate can be pinned on this runtime (Node, Deno and Bun can). */
export function pinningSupport(): PinningSupport {
  const runtime = runtimeName();
  if (runtime === "unknown") {
    return {
      supported: false,
      detail:
        "Cannot pin the router certificate on this runtime: node:tls is not available; use ROUTER_URL with http:// on a trusted link or run on Node, Deno or Bun",
    };
  }
  return {
    supported: true,
    detail: `${runtime}: node:tls peer certificate SHA-256 checked before the request is sent`,
  };
}

/**
 * Normalises a SHA-256 fingerprint (hex, with or without colons, any case) to 64 lowercase hex
 * digits. Throws `TypeError` on anything else.
 */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.trim().replace(/^sha-?256[:=\s]*/i, "").replace(
    /[:\s]/g,
    "",
  )
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new TypeError(
      "Cannot use ROUTER_TLS_FINGERPRINT: expected a SHA-256 fingerprint, 64 hex digits with or without colons",
    );
  }
  return hex;
}

function colonHex(hex: string): string {
  return hex.toUpperCase().match(/../g)?.join(":") ?? hex;
}

type FetchLike = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/**
 * Builds a `fetch` for `https:` URLs that pins the server certificate to `fingerprint`
 * (SHA-256). A mismatching certificate, or one whose fingerprint cannot be read, is refused
 * before anything is sent.
 */
export function createPinnedFetch(fingerprint: string): FetchLike {
  const pin = normalizeFingerprint(fingerprint);
  const support = pinningSupport();
  return async function pinnedFetch(input, init) {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol !== "https:") {
      throw new TypeError(
        `Cannot pin the router certificate: ${url.protocol} is not https:`,
      );
    }
    if (!support.supported) throw new RouterOSError(support.detail);
    let tls: typeof import("node:tls");
    let https: typeof import("node:https");
    let crypto: typeof import("node:crypto");
    let net: typeof import("node:net");
    try {
      [tls, https, crypto, net] = await Promise.all([
        import("node:tls"),
        import("node:https"),
        import("node:crypto"),
        import("node:net"),
      ]);
    } catch (error) {
      throw new RouterOSError(
        `Cannot pin the router certificate on ${runtimeName()}: node:tls is not available`,
        { cause: error },
      );
    }
    const signal = request.signal;
    signal.throwIfAborted();
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    if (body) headers["content-length"] = String(body.byteLength);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(url.port || 443);

    return await new Promise<Response>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      const agent = new https.Agent({ keepAlive: false });
      // The request only gets its socket once the certificate has been checked.
      (agent as unknown as { createConnection: unknown }).createConnection = (
        _options: unknown,
        callback: (error: Error | null, socket?: unknown) => void,
      ) => {
        const socket = tls.connect({
          host,
          port,
          ...(net.isIP(host) ? {} : { servername: host }),
          rejectUnauthorized: false,
          ALPNProtocols: ["http/1.1"],
        });
        socket.once("error", (error) => callback(error));
        socket.once("secureConnect", () => {
          const cert = socket.getPeerCertificate(true) as { raw?: Uint8Array };
          if (!cert?.raw || cert.raw.byteLength === 0) {
            socket.destroy();
            callback(
              new RouterOSError(
                `Cannot pin the router certificate on ${runtimeName()}: the peer certificate is not readable`,
              ),
            );
            return;
          }
          const actual = crypto.createHash("sha256").update(cert.raw).digest(
            "hex",
          );
          if (!constantTimeEqual(actual, pin)) {
            socket.destroy();
            callback(
              new RouterOSError(
                `Cannot connect to the router: its certificate fingerprint ${
                  colonHex(actual)
                } does not match ROUTER_TLS_FINGERPRINT`,
              ),
            );
            return;
          }
          callback(null, socket);
        });
        return undefined;
      };
      const req = https.request({
        protocol: "https:",
        host,
        port,
        method: request.method,
        path: url.pathname + url.search,
        headers,
        agent,
      }, (res) => {
        const chunks: Uint8Array[] = [];
        let size = 0;
        res.on("data", (chunk: Uint8Array) => {
          size += chunk.byteLength;
          if (size > MAX_BODY_BYTES) {
            req.destroy(
              new RouterOSError(
                "Cannot read the router reply: larger than 32 MiB",
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on("error", fail);
        res.on("end", () => {
          if (settled) return;
          settled = true;
          signal.removeEventListener("abort", onAbort);
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(res.headers)) {
            if (Array.isArray(value)) {
              for (const v of value) responseHeaders.append(key, v);
            } else if (value !== undefined) {
              responseHeaders.set(key, String(value));
            }
          }
          const status = res.statusCode ?? 502;
          const nullBody = status === 204 || status === 205 || status === 304;
          const bytes = new Uint8Array(size);
          let offset = 0;
          for (const chunk of chunks) {
            bytes.set(chunk, offset);
            offset += chunk.byteLength;
          }
          resolve(
            new Response(nullBody ? null : bytes, {
              status,
              statusText: res.statusMessage ?? "",
              headers: responseHeaders,
            }),
          );
        });
      });
      const onAbort = (): void => {
        req.destroy();
        fail(
          signal.reason ??
            new DOMException("The operation was aborted", "AbortError"),
        );
      };
      signal.addEventListener("abort", onAbort, { once: true });
      req.on("error", (error) => {
        signal.removeEventListener("abort", onAbort);
        fail(error);
      });
      req.on("close", () => agent.destroy());
      req.end(body);
    });
  };
}
