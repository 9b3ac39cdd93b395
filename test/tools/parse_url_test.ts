import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseUrl, parseUrlTool } from "../../lib/tools/parse_url.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";
import type { ToolContext } from "../../lib/tools/types.ts";

function context(): ToolContext {
  return {
    signal: new AbortController().signal,
    requestedBy: "test",
    sessionKey: "test",
    logger: silentLogger,
  };
}

describe("parseUrlTool()", () => {
  it("offers exactly the seed's name, description and JSON schema", () => {
    const tool = parseUrlTool();
    assert.equal(tool.name, "parse_url");
    assert.equal(tool.description, "Parse URL host/path");
    assert.equal(tool.effect, "read");
    assert.deepEqual(tool.parameters, {
      type: "object",
      properties: { url: { type: "string" } },
      required: ["url"],
    });
  });

  it("returns scheme, host, port, path, query and fragment", async () => {
    const result = await parseUrlTool().call(
      { url: "https://router.lan:8443/rest/ip/address?.proplist=address#top" },
      context(),
    );
    assert.equal(result.isError, false);
    assert.deepEqual(JSON.parse(result.content), {
      scheme: "https",
      host: "router.lan",
      port: 8443,
      path: "/rest/ip/address",
      query: ".proplist=address",
      fragment: "top",
      hasCredentials: false,
    });
  });

  it("fills in the scheme's default port and keeps IPv6 hosts", () => {
    assert.equal(parseUrl("http://example.test/").port, 80);
    assert.equal(parseUrl("https://[::1]/x").host, "[::1]");
    assert.equal(parseUrl("https://[::1]/x").port, 443);
    assert.equal(parseUrl("mailto:a@b.test").port, null);
  });

  it("never echoes credentials back", async () => {
    const result = await parseUrlTool().call(
      { url: "https://admin:hunter2secret@router.lan/" },
      context(),
    );
    assert.equal(result.isError, false);
    assert.ok(!result.content.includes("hunter2secret"));
    assert.ok(!result.content.includes("admin"));
    assert.equal(JSON.parse(result.content).hasCredentials, true);
  });

  it("reports a relative or garbage URL as a readable error result", async () => {
    for (const url of ["/just/a/path", "not a url", "", "http://"]) {
      const result = await parseUrlTool().call({ url }, context());
      assert.equal(result.isError, true, url);
      assert.match(result.content, /Cannot parse URL/);
    }
  });

  it("rejects missing or non-string arguments without throwing", async () => {
    for (const args of [{}, { url: 42 }, null, "https://x.test"]) {
      const result = await parseUrlTool().call(args, context());
      assert.equal(result.isError, true);
      assert.match(result.content, /Invalid arguments/);
    }
  });

  it("refuses oversized URLs", async () => {
    const result = await parseUrlTool().call(
      { url: `https://x.test/${"a".repeat(10_000)}` },
      context(),
    );
    assert.equal(result.isError, true);
    assert.match(result.content, /longer than/);
  });

  it("never throws and always answers JSON, whatever the input (property)", async () => {
    const tool = parseUrlTool();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.webUrl()), async (url) => {
        const result = await tool.call({ url }, context());
        const parsed = JSON.parse(result.content);
        if (result.isError) assert.equal(typeof parsed.error, "string");
        else assert.equal(typeof parsed.host, "string");
      }),
      { numRuns: 100 },
    );
  });
});
