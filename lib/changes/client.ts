/**
 * `createChangesClient`: the change records of a running gateway (CONTRACT §2, §6), over
 * `createGatewayCall`, the one JSON call to a gateway that the jobs client shares. Returns data
 * and throws {@linkcode ChangesClientError}; what `mikroclaw changes` prints lives in `cli/`.
 * @module
 */
import { AgentError, ErrorCode, errorMessage } from "../errors.ts";
import type { ChangeRecord, ChangeSummary } from "./types.ts";

/** Default gateway URL of the CLI. */
export const DEFAULT_GATEWAY_URL = "http://127.0.0.1:18789";

/** Options of {@linkcode createChangesClient}. */
export interface ChangesClientOptions {
  /** Gateway base URL. @default {"http://127.0.0.1:18789"} */
  url?: string | undefined;
  /** Bearer token (`--token` / `MIKROCLAW_TOKEN`); never printed. */
  token?: string | undefined;
  fetch?: typeof globalThis.fetch | undefined;
  /** @default {15000} */
  timeoutMs?: number | undefined;
}

/** A refused or failed gateway call; `status` is the HTTP status (0 when unreachable). */
export class ChangesClientError extends AgentError {
  /** HTTP status, 0 when the gateway did not answer. */
  readonly status: number;
  constructor(message: string, status: number, options: { cause?: unknown } = {}) {
    super(message, { code: ErrorCode.NotConfigured, cause: options.cause });
    this.name = "ChangesClientError";
    this.status = status;
  }
}

/** The client. */
export interface ChangesClient {
  /** Every record, newest first (`GET /changes`). */
  list(): Promise<ChangeSummary[]>;
  /** One record. */
  show(id: string): Promise<ChangeRecord>;
  /** Approves a pending change (the gateway applies it). */
  approve(id: string): Promise<ChangeRecord>;
  /** Denies a pending change. */
  deny(id: string): Promise<ChangeRecord>;
  /** Keeps an applied change (disarms its auto-revert). */
  confirm(id: string): Promise<ChangeRecord>;
  /** Undoes an applied change; `force` even if the router item changed since. */
  revert(id: string, force?: boolean): Promise<ChangeRecord>;
}

const ID = /^[A-Za-z0-9]{1,64}$/;

/**
 * One JSON call to a running gateway with the bearer token; throws a
 * {@linkcode ChangesClientError} with the gateway's error message (shared by `jobs`).
 */
export type GatewayCall = <T>(
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: unknown,
) => Promise<T>;

/** Builds a {@linkcode GatewayCall}; throws `TypeError` for a URL that is not http(s). */
export function createGatewayCall(options: ChangesClientOptions = {}): GatewayCall {
  const base = (options.url ?? DEFAULT_GATEWAY_URL).replace(/\/+$/, "");
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new TypeError(`Cannot use gateway URL ${JSON.stringify(base)}: not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`Cannot use gateway URL ${base}: use http:// or https://`);
  }
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;

  return async function call<T>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    body?: unknown,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await doFetch(base + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ChangesClientError(
        `Cannot reach the gateway at ${base}: ${errorMessage(error)}`,
        0,
        { cause: error },
      );
    }
    const text = await response.text();
    let data: unknown;
    try {
      data = text === "" ? undefined : JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (!response.ok) {
      const message = (data as { error?: { message?: unknown } } | undefined)?.error?.message;
      const reason = typeof message === "string" ? message : `HTTP ${response.status}`;
      const hint = response.status === 401
        ? " (pass --token or set MIKROCLAW_TOKEN to a paired token)"
        : "";
      throw new ChangesClientError(reason + hint, response.status);
    }
    if (data === undefined) {
      throw new ChangesClientError(
        `Cannot read the gateway's answer to ${method} ${path}: not JSON`,
        response.status,
      );
    }
    return data as T;
  };
}

/** Builds the client. */
export function createChangesClient(options: ChangesClientOptions = {}): ChangesClient {
  const call = createGatewayCall(options);
  const one = (id: string): string => {
    if (!ID.test(id)) {
      throw new ChangesClientError(`Cannot use change id ${JSON.stringify(id).slice(0, 70)}`, 400);
    }
    return `/changes/${id}`;
  };
  return {
    list: () => call("GET", "/changes"),
    show: (id) => call("GET", one(id)),
    approve: (id) => call("POST", `${one(id)}/approve`),
    deny: (id) => call("POST", `${one(id)}/deny`),
    confirm: (id) => call("POST", `${one(id)}/confirm`),
    revert: (id, force) => call("POST", `${one(id)}/revert`, force ? { force: true } : {}),
  };
}
