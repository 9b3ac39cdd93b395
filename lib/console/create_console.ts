/**
 * `createConsole`: serves the web console's three files (`/console/`, `/console/app.js`,
 * `/console/app.css`) with a strict Content-Security-Policy, no framing, an ETag and gzip when
 * the browser accepts it. Loaded only when the console is first requested.
 * @module
 */
import { sha256Hex } from "../gateway/_crypto.ts";
import { consoleClient } from "./_client.ts";
import { consoleDom } from "./_client_dom.ts";
import { consoleChat } from "./_client_chat.ts";
import { consoleTasks } from "./_client_tasks.ts";
import { consoleChanges } from "./_client_changes.ts";
import { consoleJobs } from "./_client_jobs.ts";
import { consoleHealth } from "./_client_health.ts";
import { CONSOLE_CSS, CONSOLE_HTML } from "./_page.ts";

/**
 * The console's policy: its own scripts, styles and API only; no inline code, no framing, no
 * form posts, no `<base>`.
 */
export const CONSOLE_CSP: string = "default-src 'none'; script-src 'self'; style-src 'self'; " +
  "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'";

/**
 * The console's browser script, one file: the client function's own text, run once with the
 * DOM helpers and its views (each also a function's own text).
 */
export const CONSOLE_JS: string = `"use strict";(${String(consoleClient)})((${
  String(consoleDom)
})(), { chat: ${String(consoleChat)}, tasks: ${String(consoleTasks)}, changes: ${
  String(consoleChanges)
}, jobs: ${String(consoleJobs)}, health: ${String(consoleHealth)} });\n`;

/** Serves the console's files; anything else under `/console/` is a JSON 404. */
export interface ConsoleHandler {
  fetch(request: Request): Promise<Response>;
}

interface Asset {
  type: string;
  plain: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  etag: string;
}

const SOURCES: Record<string, { type: string; text: string }> = {
  "/console/": { type: "text/html; charset=utf-8", text: CONSOLE_HTML },
  "/console/app.js": {
    type: "text/javascript; charset=utf-8",
    text: CONSOLE_JS,
  },
  "/console/app.css": { type: "text/css; charset=utf-8", text: CONSOLE_CSS },
};

async function gzip(
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function buildAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [path, { type, text }] of Object.entries(SOURCES)) {
    const plain = new TextEncoder().encode(text);
    assets.set(path, {
      type,
      plain,
      gzip: await gzip(plain),
      etag: (await sha256Hex(text)).slice(0, 20),
    });
  }
  return assets;
}

function notFound(): Response {
  return Response.json(
    { error: { code: "E_NOT_FOUND", message: "Not found" } },
    { status: 404 },
  );
}

/** Whether the `Accept-Encoding` header allows gzip (and does not refuse it with `q=0`). */
function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** The total gzipped bytes of the console's three files (for the README and tests). */
export async function consoleTransferBytes(): Promise<number> {
  let total = 0;
  for (const asset of (await buildAssets()).values()) {
    total += asset.gzip.byteLength;
  }
  return total;
}

/** Creates the console's file handler; the files are encoded on the first request. */
export function createConsole(): ConsoleHandler {
  let assets: Promise<Map<string, Asset>> | undefined;
  return {
    async fetch(request) {
      const asset = (await (assets ??= buildAssets())).get(
        new URL(request.url).pathname,
      );
      if (!asset) return notFound();
      const gzipped = acceptsGzip(request.headers.get("accept-encoding"));
      const etag = `"${asset.etag}${gzipped ? "-gz" : ""}"`;
      const headers = new Headers({
        "content-type": asset.type,
        "content-security-policy": CONSOLE_CSP,
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
        "cache-control": "no-cache",
        vary: "Accept-Encoding",
        etag,
      });
      const match = request.headers.get("if-none-match");
      if (
        match &&
        match.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)
      ) {
        return new Response(null, { status: 304, headers });
      }
      if (gzipped) headers.set("content-encoding", "gzip");
      const body = gzipped ? asset.gzip : asset.plain;
      headers.set("content-length", String(body.byteLength));
      return new Response(request.method === "HEAD" ? null : body, { headers });
    },
  };
}
