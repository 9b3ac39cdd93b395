/**
 * `netwatchScript`: the RouterOS `/tool netwatch` entry whose down and up scripts post the
 * host's state to the gateway's `POST /watch/events` (CONTRACT §8) with a gateway token, so
 * the router itself tells MikroClaw when a host goes down.
 * @module
 */
import { quoteRouterOS } from "./routeros_script.ts";

/** Options of {@linkcode netwatchScript}. */
export interface NetwatchScriptOptions {
  /** The host netwatch pings (an IP address or a name). */
  host: string;
  /** The gateway's events URL as the router reaches it, e.g. `http://172.17.0.2:18789/watch/events`. */
  eventsUrl: string;
  /** A gateway bearer token for the router (pair one for it: it can be revoked alone). */
  token: string;
  /** @default {"30s"} */
  interval?: string;
}

/** The `/tool netwatch add …` line; throws `TypeError` for a value that cannot be used. */
export function netwatchScript(options: NetwatchScriptOptions): string {
  const { host, eventsUrl, token } = options;
  const interval = options.interval ?? "30s";
  if (!/^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/.test(host)) {
    throw new TypeError(
      `Cannot use host ${JSON.stringify(host.slice(0, 80))}: not a host name or IP`,
    );
  }
  if (!/^https?:\/\/[^\s"]+$/.test(eventsUrl) || !URL.canParse(eventsUrl)) {
    throw new TypeError(`Cannot use events URL ${JSON.stringify(eventsUrl.slice(0, 200))}`);
  }
  if (!/^[A-Za-z0-9_-]{16,200}$/.test(token)) {
    throw new TypeError("Cannot use the token: not a gateway token");
  }
  if (!/^\d{1,5}[smh]$/.test(interval)) throw new TypeError(`Cannot use interval ${interval}`);
  const post = (status: "down" | "up") =>
    `/tool fetch url=${quoteRouterOS(eventsUrl)} http-method=post http-header-field=${
      quoteRouterOS(`Authorization: Bearer ${token},Content-Type: application/json`)
    } http-data=${
      quoteRouterOS(JSON.stringify({ source: "netwatch", subject: host, status }))
    } output=none`;
  return `/tool netwatch add host=${host} interval=${interval} comment="mikroclaw watch" down-script=${
    quoteRouterOS(post("down"))
  } up-script=${quoteRouterOS(post("up"))}`;
}
