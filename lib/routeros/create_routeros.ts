/**
 * `createRouterOS`: the RouterOS v7 REST client (ofetch), with Basic auth, certificate pinning,
 * short read / long command timeouts, one request at a time per router user, and errors that
 * carry the router's own `detail`.
 * @module
 */
import { ofetch } from "ofetch";
import type { RouterOS, RouterOSCall, RouterOSMethod, RouterOSRequestOptions } from "./types.ts";
import { RouterOSError, scriptErrorOf } from "./routeros_error.ts";
import { createPinnedFetch } from "./pinned_fetch.ts";
import { createKeyedLocks, withKeyLock } from "../_internal/keyed_locks.ts";
import { startDeadline } from "../_internal/deadline.ts";

/** Options of {@linkcode createRouterOS}. */
export interface RouterOSOptions {
  /** Full REST base (`ROUTER_URL`), e.g. `http://172.17.0.1/rest`. Wins over `host`. */
  url?: string | undefined;
  /** Router host (`ROUTER_HOST`), giving `https://<host>/rest`. */
  host?: string | undefined;
  /** Router user (`ROUTER_USER`); its group needs the `rest-api` and `api` policies. */
  user: string;
  /** Router password (`ROUTER_PASS`); never logged, never exposed on the client. */
  password: string;
  /** SHA-256 of the router certificate (`ROUTER_TLS_FINGERPRINT`), hex with or without colons. */
  tlsFingerprint?: string | undefined;
  /** Transport for tests and proxies. Not allowed together with `tlsFingerprint`. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Time limit of reads (`GET`, `…/print`). @default {10000} */
  timeoutMs?: number | undefined;
  /**
   * Time limit of everything else: just under the router's own 60 s cut, so a command that does
   * not finish is a clear error here, not a wait for the router's "Session closed". @default {58000}
   */
  commandTimeoutMs?: number | undefined;
}

/** Default time limit of a read. */
export const ROUTEROS_READ_TIMEOUT_MS = 10_000;
/**
 * Default time limit of a command or write: just under the router's 60 s cut of a request.
 * (PROTOCOLS §1.6 suggested ≥ 65 s; issue #23 settled on "just under the cut", so a command that
 * does not finish is our clear error rather than a wait for the router's "Session closed".)
 */
export const ROUTEROS_COMMAND_TIMEOUT_MS = 58_000;

// One queue per router user and base URL, shared by every client in the process: RouterOS runs
// one request per user at a time, and a second one only waits (or dies with "Session closed").
const queues = createKeyedLocks();

function basicAuth(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

function isRead(call: RouterOSCall): boolean {
  return call.method === "GET" ||
    (call.method === "POST" && /\/print$/.test(call.path.split("?")[0]!));
}

function baseUrlOf(options: RouterOSOptions): string {
  if (options.url) {
    const url = new URL(options.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(
        `Cannot use ROUTER_URL "${options.url}": expected http:// or https://`,
      );
    }
    if (url.username || url.password) {
      throw new TypeError(
        "Cannot use ROUTER_URL: put credentials in ROUTER_USER/ROUTER_PASS",
      );
    }
    return url.href.replace(/\/+$/, "");
  }
  if (options.host) {
    if (!/^[A-Za-z0-9.:\-[\]]+$/.test(options.host)) {
      throw new TypeError(
        `Cannot use ROUTER_HOST "${options.host}": not a host name or address`,
      );
    }
    return `https://${options.host}/rest`;
  }
  throw new TypeError(
    "Cannot create the RouterOS client: set ROUTER_URL or ROUTER_HOST",
  );
}

function looksLikeCertificateError(text: string): boolean {
  return /certificate|self[- ]signed|CERT_|UNABLE_TO_VERIFY|CaUsedAsEndEntity|UnknownIssuer/i
    .test(text);
}

function causeText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let i = 0; i < 4 && current; i++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(
        current.message + (typeof code === "string" ? ` (${code})` : ""),
      );
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.filter(Boolean).join(": ");
}

/**
 * Creates the RouterOS REST client.
 *
 * @example Read the router's resources
 * ```ts ignore
 * const router = createRouterOS({ url: "http://172.17.0.1/rest", user: "mikroclaw", password });
 * const resource = await router.get("/system/resource");
 * ```
 */
export function createRouterOS(options: RouterOSOptions): RouterOS {
  const url = baseUrlOf(options);
  if (typeof options.user !== "string" || options.user === "") {
    throw new TypeError(
      "Cannot create the RouterOS client: ROUTER_USER is empty",
    );
  }
  const readTimeout = options.timeoutMs ?? ROUTEROS_READ_TIMEOUT_MS;
  const commandTimeout = options.commandTimeoutMs ??
    ROUTEROS_COMMAND_TIMEOUT_MS;
  let transport: typeof globalThis.fetch | undefined = options.fetch;
  if (options.tlsFingerprint) {
    if (!url.startsWith("https:")) {
      throw new TypeError(
        "Cannot pin the router certificate: ROUTER_TLS_FINGERPRINT is set but the REST URL is not https://",
      );
    }
    if (options.fetch) {
      throw new TypeError(
        "Cannot pin the router certificate through a custom fetch",
      );
    }
    transport = createPinnedFetch(
      options.tlsFingerprint,
    ) as typeof globalThis.fetch;
  }
  const authorization = basicAuth(options.user, options.password);
  const http = ofetch.create(
    { baseURL: url, retry: 0, ignoreResponseError: true },
    transport ? { fetch: transport } : {},
  );
  const queueKey = `${url}\n${options.user}`;

  async function send<T>(
    call: RouterOSCall,
    requestOptions: RouterOSRequestOptions,
  ): Promise<T> {
    const command = requestOptions.command ?? `${call.method} ${call.path}`;
    const timeoutMs = requestOptions.timeoutMs ??
      (isRead(call) ? readTimeout : commandTimeout);
    if (
      !call.path.startsWith("/") || call.path.includes("..") ||
      /[\s#]/.test(call.path)
    ) {
      throw new RouterOSError(
        `Cannot run "${command}": bad REST path "${call.path}"`,
        {
          command,
        },
      );
    }
    const deadline = startDeadline(
      timeoutMs,
      `no reply within ${timeoutMs} ms`,
      requestOptions.signal,
    );
    const signal = deadline.signal;
    try {
      return await withKeyLock(queues, queueKey, async () => {
        let response;
        try {
          response = await http.raw(call.path, {
            method: call.method,
            headers: { authorization, accept: "application/json" },
            ...(call.body !== undefined ? { body: call.body } : {}),
            signal,
          });
        } catch (error) {
          throw transportError(error);
        }
        const data = response._data as unknown;
        if (response.status >= 400) {
          throw httpError(response.status, response.statusText, data);
        }
        if (response.status === 204 || data === "") return undefined as T;
        const failed = scriptFailure(data);
        if (failed) {
          throw new RouterOSError(`Cannot run "${command}": the script failed: ${failed}`, {
            status: response.status,
            detail: failed,
            command,
          });
        }
        return data as T;
      }, signal);
    } catch (error) {
      if (error instanceof RouterOSError) throw error;
      throw transportError(error);
    } finally {
      deadline.clear();
    }

    /** `/execute` with `as-string` answers 200 even when the script failed; the text says so. */
    function scriptFailure(data: unknown): string | undefined {
      if (
        call.method !== "POST" || call.path !== "/execute" ||
        call.body?.["as-string"] === undefined
      ) return undefined;
      const ret = (data as { ret?: unknown } | null)?.ret;
      return typeof ret === "string" ? scriptErrorOf(ret) : undefined;
    }

    function transportError(error: unknown): RouterOSError {
      if (error instanceof RouterOSError) return error;
      if (deadline.expired()) {
        return new RouterOSError(
          `Cannot run "${command}": no reply from the router within ${timeoutMs} ms ` +
            "(RouterOS ends a REST request at 60 s; the command did not finish in time)",
          { command, cause: error },
        );
      }
      if (requestOptions.signal?.aborted) {
        return new RouterOSError(`Cannot run "${command}": cancelled`, {
          command,
          cause: error,
        });
      }
      // Never chain ofetch's FetchError itself: its `options` carry the Authorization header.
      const inner = (error as { cause?: unknown })?.cause ?? error;
      if (inner instanceof RouterOSError) return inner;
      const text = causeText(inner);
      const hint = looksLikeCertificateError(text)
        ? "; the router certificate is not trusted: pin it with ROUTER_TLS_FINGERPRINT (its SHA-256)"
        : "";
      return new RouterOSError(
        `Cannot reach the router at ${url} for "${command}": ${text}${hint}`,
        { command, cause: inner },
      );
    }

    function httpError(
      status: number,
      statusText: string,
      data: unknown,
    ): RouterOSError {
      const body = (typeof data === "object" && data !== null ? data : {}) as {
        detail?: unknown;
        message?: unknown;
      };
      const detail = typeof body.detail === "string" ? body.detail : undefined;
      const routerMessage = typeof body.message === "string" ? body.message : undefined;
      let reason = detail ?? routerMessage ?? statusText ?? "error";
      if (status === 401) {
        reason =
          "the router refused the credentials; check ROUTER_USER/ROUTER_PASS and that the user's group has the rest-api and api policies";
      } else if (status === 403 && !detail) {
        reason = "REST is disabled for this protocol on the router (/ip/service www or www-ssl)";
      } else if (status === 400 && detail === "Session closed") {
        reason =
          "the router ended the request at its 60 s limit (Session closed): the command did not finish in time";
      } else if (status === 415) {
        reason = "the router wants Content-Type: application/json";
      }
      return new RouterOSError(
        `Cannot run "${command}": ${reason} (HTTP ${status})`,
        {
          status,
          detail,
          routerMessage,
          command,
        },
      );
    }
  }

  function withQuery(
    path: string,
    query: Record<string, string> | undefined,
  ): string {
    if (!query || Object.keys(query).length === 0) return path;
    const search = Object.entries(query).map(([k, v]) =>
      `${encodeURIComponent(k)}=${encodeURIComponent(v)}`
    ).join("&");
    return `${path}${path.includes("?") ? "&" : "?"}${search}`;
  }

  const client: RouterOS = {
    url,
    user: options.user,
    call<T>(
      call: RouterOSCall,
      requestOptions: RouterOSRequestOptions = {},
    ): Promise<T> {
      return send<T>(call, requestOptions);
    },
    get<T>(
      path: string,
      query?: Record<string, string>,
      o: RouterOSRequestOptions = {},
    ) {
      return send<T>({ method: "GET", path: withQuery(path, query) }, o);
    },
    put<T>(
      path: string,
      body: Record<string, unknown>,
      o: RouterOSRequestOptions = {},
    ) {
      return send<T>({ method: "PUT", path, body }, o);
    },
    patch<T>(
      path: string,
      body: Record<string, unknown>,
      o: RouterOSRequestOptions = {},
    ) {
      return send<T>({ method: "PATCH", path, body }, o);
    },
    async remove(path: string, o: RouterOSRequestOptions = {}): Promise<void> {
      await send<unknown>({ method: "DELETE", path }, o);
    },
    post<T>(
      path: string,
      body: Record<string, unknown> = {},
      o: RouterOSRequestOptions = {},
    ) {
      return send<T>({ method: "POST" as RouterOSMethod, path, body }, o);
    },
  };
  return client;
}
