/**
 * `createSafeFetch`: fetch for URLs the model chose. Every hop (the first request and each
 * redirect) passes the SSRF guard; the body is streamed and cut at a byte cap; the whole
 * exchange has a time limit.
 *
 * DNS rebinding: the connection of every hop goes to an address the guard has just checked.
 * The Web `fetch` API cannot be told where to connect (it resolves the name again itself), so
 * the default transport is `node:http(s)` `request` with a `lookup` that answers only with the
 * checked addresses (`_pinned_transport.ts`); `Host`, SNI and the certificate check keep the
 * URL's host name. Node, Deno and Bun all honour that `lookup` (tested on each). Residual
 * risk: none from DNS for the default transport; an injected `fetch` (tests, proxies) cannot be
 * pinned, so for it the host is re-resolved after the answer and the answer is discarded when
 * an address changed to a denied one (the request itself has then already been sent).
 * @module
 */
import { AgentError, ErrorCode, PolicyError } from "../errors.ts";
import { startDeadline } from "../_internal/deadline.ts";
import { type CheckedUrl, createSsrfGuard, type Resolver, type SsrfGuard } from "./ssrf.ts";
import type { PinnedInit, Transport } from "./_pinned_transport.ts";

/** Options of {@linkcode createSafeFetch}. */
export interface SafeFetchOptions {
  /** DNS resolver; tests inject one. @default {node:dns lookup} */
  resolve?: Resolver | undefined;
  /**
   * An unpinned transport (tests, proxies): it resolves the host itself, so only the answer,
   * not the request, is withheld after a rebinding. @default {the pinned node:http(s) transport}
   */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * The transport of each checked hop; it must connect only to `checked.addresses`.
   * @default {the pinned node:http(s) transport, loaded with the first fetch}
   */
  transport?: Transport;
  /** Certificate authorities (PEM) trusted instead of the runtime's (tests with their own CA). */
  ca?: string | undefined;
  /** Largest body kept, in bytes; the stream is cancelled beyond it. @default {1048576} */
  maxBytes?: number;
  /** Time limit of the whole exchange, redirects included. @default {15000} */
  timeoutMs?: number;
  /** Redirects followed at most. @default {5} */
  maxRedirects?: number;
  /** More destinations to refuse (IPs, CIDRs, host names), e.g. the router's own address. */
  extraDenied?: readonly string[] | undefined;
}

/** Request options of a {@linkcode SafeFetch} call. */
export interface SafeRequestInit {
  /** HTTP method. @default {"GET"} */
  method?: string;
  /** Request headers. */
  headers?: Record<string, string>;
  /** Request body. */
  body?: string;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/** A fully read (and possibly cut) response. */
export interface SafeResponse {
  /** The final URL, after redirects. */
  readonly url: string;
  /** HTTP status of the final response. */
  readonly status: number;
  /** Headers of the final response. */
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
  /** The guard every hop passes. */
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
  const guard = createSsrfGuard({ resolve: options.resolve, extraDenied: options.extraDenied });
  const maxBytes = options.maxBytes ?? 1_048_576;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxRedirects = options.maxRedirects ?? 5;
  const injected = options.fetch;
  let pinned: Promise<Transport> | undefined;
  const transport = async (checked: CheckedUrl, init: PinnedInit): Promise<Response> => {
    if (options.transport) return await options.transport(checked, init);
    if (injected) {
      return await injected(checked.url.href, {
        method: init.method,
        headers: init.headers,
        redirect: "manual",
        signal: init.signal,
        ...(init.body !== undefined ? { body: init.body } : {}),
      });
    }
    pinned ??= import("./_pinned_transport.ts").then((m) => m.pinnedTransport);
    return await (await pinned)(checked, init);
  };

  async function safeFetch(input: string | URL, init: SafeRequestInit = {}): Promise<SafeResponse> {
    const deadline = startDeadline(timeoutMs, `timed out after ${timeoutMs} ms`, init.signal);
    const signal = deadline.signal;
    let method = (init.method ?? "GET").toUpperCase();
    let body = init.body;
    let headers: Record<string, string> = { ...init.headers };
    let current = String(input);
    try {
      for (let hop = 0;; hop++) {
        const checked = await guard.check(current);
        const response = await transport(checked, {
          method,
          headers,
          signal,
          body,
          ca: options.ca,
        });
        // An injected fetch resolved the name itself: re-resolve, and discard an answer whose
        // host changed to a denied address.
        const isName = !checked.addresses.includes(
          checked.url.hostname.replace(/^\[|\]$/g, "").toLowerCase(),
        );
        if (injected && !options.transport && isName) {
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
      if (deadline.expired() && !(error instanceof PolicyError)) {
        throw new AgentError(`Cannot fetch "${String(input)}": timed out after ${timeoutMs} ms`, {
          code: ErrorCode.ToolTimeout,
          cause: error,
        });
      }
      throw error;
    } finally {
      deadline.clear();
    }
  }
  return Object.assign(safeFetch, { guard });
}
