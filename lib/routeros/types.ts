/**
 * Contracts of the RouterOS module: the REST client, REST calls and console-line plans.
 * @module
 */

/** HTTP methods the RouterOS REST API uses. */
export type RouterOSMethod = "GET" | "PUT" | "PATCH" | "DELETE" | "POST";

/** One REST call. `path` is relative to the REST base (`/ip/address?interface=ether1`). */
export interface RouterOSCall {
  /** HTTP method. */
  method: RouterOSMethod;
  /** Path under the REST base, starting with `/`, query string included for `GET` filters. */
  path: string;
  /** JSON body (values are strings, as the router sends them). */
  body?: Record<string, unknown>;
}

/** Per-request options of {@linkcode RouterOS.call}. */
export interface RouterOSRequestOptions {
  /** Cancels the call. */
  signal?: AbortSignal | undefined;
  /** The console line this call belongs to; named in errors. */
  command?: string | undefined;
  /** Overrides the read/command timeout for this call. */
  timeoutMs?: number | undefined;
}

/** A RouterOS REST client (see `createRouterOS`). */
export interface RouterOS {
  /** REST base URL without a trailing slash, e.g. `https://192.168.88.1/rest`. */
  readonly url: string;
  /** The router user requests run as (never the password). */
  readonly user: string;
  /** Runs one REST call, serialised with every other call of the same router user. */
  call<T = unknown>(
    call: RouterOSCall,
    options?: RouterOSRequestOptions,
  ): Promise<T>;
  /** `GET path` with exact-match filters. */
  get<T = unknown>(
    path: string,
    query?: Record<string, string>,
    options?: RouterOSRequestOptions,
  ): Promise<T>;
  /** `PUT path` (console `add`): returns the created record. */
  put<T = Record<string, string>>(
    path: string,
    body: Record<string, unknown>,
    options?: RouterOSRequestOptions,
  ): Promise<T>;
  /** `PATCH path` (console `set`): returns the updated record. */
  patch<T = Record<string, string>>(
    path: string,
    body: Record<string, unknown>,
    options?: RouterOSRequestOptions,
  ): Promise<T>;
  /** `DELETE path` (console `remove`). */
  remove(path: string, options?: RouterOSRequestOptions): Promise<void>;
  /** `POST path` (any console command). */
  post<T = unknown>(
    path: string,
    body?: Record<string, unknown>,
    options?: RouterOSRequestOptions,
  ): Promise<T>;
}

/** What a console line does, for the policy. */
export type RouterOSPlanKind = "read" | "write" | "command" | "execute";

/** A `[find …]`, item name or `where` lookup that turns into `*ID`s before the calls run. */
export interface RouterOSLookup {
  /** Which placeholder the ids fill: `{.id}` or `{destination}`. */
  field: ".id" | "destination";
  /** The console text that named the items, e.g. `[find comment="x"]` or `ether2`. */
  source: string;
  /** The read that finds them (a `GET` filter or a `POST …/print` with `.query`). */
  call: RouterOSCall;
  /** Substring tests (`~`) applied to the rows the call returns. */
  match?: RouterOSMatch[];
  /** Exactly one item must match (e.g. a `move` destination). */
  single?: boolean;
}

/** A literal `~` test: RouterOS regular expressions reduced to substring, prefix, suffix. */
export interface RouterOSMatch {
  /** The property tested. */
  key: string;
  /** The literal text looked for. */
  text: string;
  /** The text must start the value (`^`). */
  anchorStart: boolean;
  /** The text must end the value (`$`). */
  anchorEnd: boolean;
  /** The test is negated (`!`). */
  negate: boolean;
}

/** A console line translated to REST calls. */
export interface RouterOSPlan {
  /** What the line does: read, write, command or execute. */
  kind: RouterOSPlanKind;
  /** Menu path, e.g. `/ip/firewall/address-list` (`/` for root commands such as `/ping`). */
  menu: string;
  /** Console verb or command, e.g. `add`, `print`, `reboot`, `ping`, `execute`. */
  verb: string;
  /** The REST calls; contain `{.id}` / `{destination}` placeholders until resolved. */
  calls: RouterOSCall[];
  /** The console line as given. */
  line: string;
  /** Named arguments as typed (`k=v`; flags as `""`), for the policy and change records. */
  args: Record<string, string>;
  /** Lookups still to run; empty once resolved. */
  lookups: RouterOSLookup[];
  /** Row filters (`~`) applied to a `print` result. */
  match?: RouterOSMatch[];
  /** For `print`: the user asked for these properties, keep them in compact output. */
  proplist?: string[];
  /** For `print`: counters were asked for (`stats`), keep them in compact output. */
  keepCounters?: boolean;
  /** The `*ID`s the calls act on, once resolved. */
  ids?: string[];
  /** What the translation added or capped to bound the command (told to the model). */
  notes?: string[];
}
