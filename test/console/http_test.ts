import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../lib/config/mod.ts";
import { ConfigError } from "../../lib/errors.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import { consoleTransferBytes } from "../../lib/console/mod.ts";

// The policy the issue asks for, spelled out here so a weaker one fails the test.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
  "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const ORIGIN = "http://127.0.0.1:18789";

async function runtimeWith(env: Record<string, string>): Promise<Runtime> {
  const runtime = await createRuntime({ config: await loadConfig({ env }) });
  await runtime.start();
  return runtime;
}

function get(
  runtime: Runtime,
  path: string,
  headers: Record<string, string> = {},
) {
  return runtime.gateway.fetch(new Request(`${ORIGIN}${path}`, { headers }));
}

async function gunzip(bytes: ArrayBuffer): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return await new Response(stream).text();
}

describe("web console over HTTP (GATEWAY_CONSOLE on, the default)", () => {
  let runtime: Runtime;
  before(async () => {
    runtime = await runtimeWith({});
  });
  after(async () => {
    await runtime?.stop();
  });

  it("GET / from a browser redirects to /console/; other clients get a JSON 404", async () => {
    const page = await get(runtime, "/", { accept: HTML });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get("location"), "/console/");
    const bare = await get(runtime, "/console");
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get("location"), "/console/");
    const api = await get(runtime, "/", { accept: "application/json" });
    assert.equal(api.status, 404);
    assert.equal(
      (await api.json() as { error: { code: string } }).error.code,
      "E_NOT_FOUND",
    );
  });

  it("serves the page and its files with the strict policy, no framing, nosniff, no referrer", async () => {
    const types: Record<string, RegExp> = {
      "/console/": /^text\/html/,
      "/console/app.js": /^text\/javascript/,
      "/console/app.css": /^text\/css/,
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await get(runtime, path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type") ?? "", type, path);
      assert.equal(res.headers.get("content-security-policy"), CSP, path);
      assert.equal(res.headers.get("x-frame-options"), "DENY", path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(res.headers.get("referrer-policy"), "no-referrer", path);
      assert.ok((await res.text()).length > 0);
    }
  });

  it("needs no token for the page, but the API it calls still does", async () => {
    assert.equal((await get(runtime, "/console/")).status, 200);
    const api = await get(runtime, "/tasks");
    assert.equal(api.status, 401);
    const unknown = await get(runtime, "/console/../tasks");
    assert.equal(
      unknown.status,
      401,
      "a path that climbs out of /console/ is an API path",
    );
    assert.equal((await get(runtime, "/console/secret.txt")).status, 404);
  });

  it("the page holds no inline script, style or handler; its files come from its own origin", async () => {
    const html = await (await get(runtime, "/console/")).text();
    const scripts = [
      ...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi),
    ];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]![1]!, /\bsrc="app\.js"/);
    assert.equal(scripts[0]![2]!.trim(), "", "no inline script");
    assert.doesNotMatch(html, /<style\b/i);
    assert.doesNotMatch(html, /\sstyle\s*=/i);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
    assert.doesNotMatch(
      html,
      /(?:src|href)="(?:https?:)?\/\//i,
      "nothing from another origin",
    );
  });

  it("answers 304 to a matching ETag and gzips when the browser accepts it", async () => {
    for (const path of ["/console/", "/console/app.js", "/console/app.css"]) {
      const plain = await get(runtime, path);
      const text = await plain.text();
      const etag = plain.headers.get("etag");
      assert.match(etag ?? "", /^"[0-9a-f]{20}"$/);
      assert.equal(plain.headers.get("cache-control"), "no-cache");
      assert.match(plain.headers.get("vary") ?? "", /accept-encoding/i);
      const again = await get(runtime, path, { "if-none-match": etag! });
      assert.equal(again.status, 304);
      assert.equal(await again.text(), "");

      const zipped = await get(runtime, path, {
        "accept-encoding": "gzip, deflate, br",
      });
      assert.equal(zipped.headers.get("content-encoding"), "gzip");
      assert.notEqual(
        zipped.headers.get("etag"),
        etag,
        "each encoding has its own ETag",
      );
      const bytes = await zipped.arrayBuffer();
      assert.ok(bytes.byteLength < new TextEncoder().encode(text).byteLength);
      assert.equal(await gunzip(bytes), text);

      const refused = await get(runtime, path, {
        "accept-encoding": "gzip;q=0",
      });
      assert.equal(refused.headers.get("content-encoding"), null);
    }
  });

  it("weighs a few tens of KB at most over the wire (gzipped)", async () => {
    const bytes = await consoleTransferBytes();
    assert.ok(
      bytes > 1000 && bytes < 30_000,
      `console is ${bytes} bytes gzipped`,
    );
  });

  it("refuses the page to a request from another origin (the gateway's Origin check)", async () => {
    const cross = await get(runtime, "/console/", {
      origin: "http://evil.example",
    });
    assert.equal(cross.status, 403);
    assert.match(
      await cross.text(),
      /Cross-origin browser requests are refused/,
    );
    const site = await get(runtime, "/console/app.js", {
      "sec-fetch-site": "cross-site",
    });
    assert.equal(site.status, 403);
  });
});

describe("web console switched off (GATEWAY_CONSOLE=off)", () => {
  let runtime: Runtime;
  before(async () => {
    runtime = await runtimeWith({ GATEWAY_CONSOLE: "off" });
  });
  after(async () => {
    await runtime?.stop();
  });

  it("answers 404 for / and every console path", async () => {
    for (
      const path of [
        "/",
        "/console",
        "/console/",
        "/console/app.js",
        "/console/app.css",
      ]
    ) {
      const res = await get(runtime, path, { accept: HTML });
      assert.equal(res.status, 404, path);
      assert.equal(
        (await res.json() as { error: { code: string } }).error.code,
        "E_NOT_FOUND",
      );
    }
  });

  it("is a setting: on by default, off/0/false turn it off, other words are refused", async () => {
    assert.equal((await loadConfig({ env: {} })).gateway.console, true);
    for (const word of ["off", "0", "false", "no"]) {
      assert.equal(
        (await loadConfig({ env: { GATEWAY_CONSOLE: word } })).gateway.console,
        false,
      );
    }
    await assert.rejects(
      loadConfig({ env: { GATEWAY_CONSOLE: "maybe" } }),
      (error: unknown) => error instanceof ConfigError && /GATEWAY_CONSOLE/.test(error.message),
    );
  });
});
