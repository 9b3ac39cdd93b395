/**
 * The `parse_url` tool: splits a URL into its parts, without any network access.
 * @module
 */
import * as v from "valibot";
import { builtinTool } from "./_tool.ts";
import type { Tool } from "./types.ts";

/** Longest URL `parse_url` accepts. */
const MAX_URL_LENGTH = 8192;

const DEFAULT_PORTS: Record<string, number> = {
  "http:": 80,
  "https:": 443,
  "ws:": 80,
  "wss:": 443,
  "ftp:": 21,
};

/** The parts of a URL, as `parse_url` returns them. */
export interface ParsedUrl {
  /** Without the colon, e.g. `https`. */
  scheme: string;
  /** Host name (IDN in punycode, IPv6 in brackets); empty for URLs without one. */
  host: string;
  /** The explicit port, else the scheme's default, else `null`. */
  port: number | null;
  path: string;
  /** Without the leading `?`. */
  query: string;
  /** Without the leading `#`. */
  fragment: string;
  /** The URL carries a user name or password (never echoed back). */
  hasCredentials: boolean;
}

/** Parses an absolute URL; throws a `TypeError` saying why when it is not one. */
export function parseUrl(url: string): ParsedUrl {
  if (url.length > MAX_URL_LENGTH) {
    throw new TypeError(`Cannot parse URL: longer than ${MAX_URL_LENGTH} characters`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new TypeError("Cannot parse URL: not an absolute URL (expected e.g. https://host/path)");
  }
  const port = parsed.port ? Number(parsed.port) : DEFAULT_PORTS[parsed.protocol] ?? null;
  return {
    scheme: parsed.protocol.replace(/:$/, ""),
    host: parsed.hostname,
    port,
    path: parsed.pathname,
    query: parsed.search.replace(/^\?/, ""),
    fragment: parsed.hash.replace(/^#/, ""),
    hasCredentials: parsed.username !== "" || parsed.password !== "",
  };
}

/** `parse_url` {url}: "Parse URL host/path" (scheme, host, port, path, query, fragment). */
export function parseUrlTool(): Tool {
  return builtinTool({
    name: "parse_url",
    description: "Parse URL host/path",
    input: v.object({ url: v.string() }),
    timeoutMs: 1000,
    maxOutputChars: 16_000,
    run: async ({ url }) => parseUrl(url),
  });
}
