/**
 * Where the CLI finds a running gateway (`--url`, else the configured bind and port).
 * @module
 */
import type { Config } from "../lib/config/types.ts";
import { UsageError } from "./_args.ts";

/** `--json`, `--url` and `--token`: the flags of commands that call a running gateway. */
export const gatewayClientArgs: {
  readonly json: { readonly type: "boolean"; readonly description: string };
  readonly url: {
    readonly type: "string";
    readonly description: string;
    readonly valueHint: string;
  };
  readonly token: {
    readonly type: "string";
    readonly description: string;
    readonly valueHint: string;
  };
} = {
  json: { type: "boolean", description: "Print JSON" },
  url: {
    type: "string",
    description: "Gateway URL (default: the local gateway)",
    valueHint: "URL",
  },
  token: {
    type: "string",
    description: "Gateway bearer token (default: MIKROCLAW_TOKEN)",
    valueHint: "TOKEN",
  },
};

/** Base URL of the gateway without a trailing slash. */
export function gatewayUrl(config: Config, url: string | undefined): string {
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(
        `Invalid value ${JSON.stringify(url)} for --url (e.g. http://127.0.0.1:18789)`,
      );
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new UsageError(
        `Invalid value ${JSON.stringify(url)} for --url (expected http:// or https://)`,
      );
    }
    return parsed.href.replace(/\/+$/, "");
  }
  const bind = config.gateway.bind;
  const host = bind === "0.0.0.0"
    ? "127.0.0.1"
    : bind === "::"
    ? "[::1]"
    : bind.includes(":")
    ? `[${bind}]`
    : bind;
  return `http://${host}:${config.gateway.port}`;
}
