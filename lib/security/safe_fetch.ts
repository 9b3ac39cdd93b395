/**
 * `createSafeFetch`: fetch for URLs the model chose. Every hop (the first request and each
 * redirect) passes the SSRF guard; the body is streamed and cut at a byte cap; the whole
 * exchange has a time limit.
 *
 * DNS rebinding: the Web `fetch` API cannot be told which address to connect to, so the
 * runtime resolves the host again itself. After the response headers arrive the host is
 * re-resolved and the response is thrown away (never shown to the model) if any address is
 * now denied. Residual risk: a resolver that answers a public address to our lookups and a
 * private one to the runtime's in between can still make the request itself reach an internal
 * host; only its answer is withheld. Run the agent where that is acceptable (a container
 * whose outbound traffic the router filters is the real boundary).
 * @module
 */
import { AgentError, ErrorCode, PolicyError } from "../errors.ts";
import { createSsrfGuard, type Resolver, type SsrfGuard } from "./ssrf.ts";

/** Options of {@linkcode createSafeFetch}. */
export interface SafeFetchOptions {
  /** DNS resolver; tests inject one. @default {node:dns lookup} */
  resolve?: Resolver;
  /** The transport. @default {globalThis.fetch} */
  fetch?: typeof globalThis.fetch;
  /** Largest body kept, in bytes; the stream is cancelled beyond it. @default {1048576} */
  maxBytes?: number;
  /** Time limit of the whole exchange, redirects included. @default {15000} */
  timeoutMs?: number;
  /** Redirects followed at most. @default {5} */
  maxRedirects?: number;
  /** More destinations to refuse (IPs, CIDRs, host names), e.g. the router's own address. */
  extraDenied?: readonly string[];
}

/** Request options of a {@linkcode SafeFetch} call. */
export interface SafeRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** A fully read (and possibly cut) response. */
export interface SafeResponse {
  /** The final URL, after redirects. */
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  /** At most `maxBytes` bytes. */
  readonly body: Uint8Array;
  /** True when the body was longer than `maxBytes` and was cut. */
  readonly truncated: boolean;
  /** The body decoded as UTF-8. */
  text(): string;
}

/** A guarded fetch; also exposes its guard so callers can check a URL without fetching it. */
export interface SafeFetch {
  (url: string | URL, init?: SafeRequestInit): Promise<SafeResponse>;
  readonly guard: SsrfGuard;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function readCapped(
  response: Response,
  maxBytes: number,
): Promise<{ body: Uint8Array; truncated: boolean }> {
  if (!response.body) return { body: new Uint8Array(0), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      size = maxBytes;
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { body, truncated };
}

/** Builds a {@linkcode SafeFetch}. */
export function createSafeFetch(options: SafeFetchOptions = {}): SafeFetch {
  const guard = createSsrfGuard({
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...(options.extraDenied ? { extraDenied: options.extraDenied } : {}),
  });
  const maxBytes = options.maxBytes ?? 1_048_576;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxRedirects = options.maxRedirects ?? 5;

  async function safeFetch(input: string | URL, init: SafeRequestInit = {}): Promise<SafeResponse> {
    const doFetch = options.fetch ?? globalThis.fetch;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const signal = init.signal
      ? AbortSignal.any([init.signal, controller.signal])
      : controller.signal;
    let method = (init.method ?? "GET").toUpperCase();
    let body = init.body;
    let headers: Record<string, string> = { ...init.headers };
    let current = String(input);
    try {
      for (let hop = 0;; hop++) {
        const checked = await guard.check(current);
        const response = await doFetch(checked.url.href, {
          method,
          headers,
          redirect: "manual",
          signal,
          ...(body !== undefined ? { body } : {}),
        });
        // Re-resolve and compare: an answer that changed to a denied address is discarded.
        const isName = !checked.addresses.includes(
          checked.url.hostname.replace(/^\[|\]$/g, "").toLowerCase(),
        );
        if (isName) {
          try {
            await guard.check(checked.url);
          } catch (error) {
            await response.body?.cancel().catch(() => {});
            throw new PolicyError(
              `Cannot fetch "${checked.url.href}": the host's addresses changed to a denied one during the request (DNS rebinding)`,
              { cause: error },
            );
          }
        }
        const location = response.headers.get("location");
        if (REDIRECTS.has(response.status) && location) {
          await response.body?.cancel().catch(() => {});
          if (hop >= maxRedirects) {
            throw new AgentError(
              `Cannot fetch "${String(input)}": more than ${maxRedirects} redirects`,
              { code: ErrorCode.ToolExecution },
            );
          }
          const next = new URL(location, checked.url);
          if (next.origin !== checked.url.origin) {
            // Never carry credentials to another origin.
            headers = Object.fromEntries(
              Object.entries(headers).filter(([k]) =>
                !["authorization", "cookie", "proxy-authorization"].includes(k.toLowerCase())
              ),
            );
          }
          if (
            response.status === 303 ||
            ((response.status === 301 || response.status === 302) && method === "POST")
          ) {
            method = "GET";
            body = undefined;
          }
          current = next.href;
          continue;
        }
        const read = await readCapped(response, maxBytes);
        return {
          url: checked.url.href,
          status: response.status,
          headers: response.headers,
          body: read.body,
          truncated: read.truncated,
          text: () => new TextDecoder().decode(read.body),
        };
      }
    } catch (error) {
      if (controller.signal.aborted && !(error instanceof PolicyError)) {
        throw new AgentError(`Cannot fetch "${String(input)}": timed out after ${timeoutMs} ms`, {
          code: ErrorCode.ToolTimeout,
          cause: error,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
  return Object.assign(safeFetch, { guard });
}
