import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createSafeFetch } from "../../lib/security/safe_fetch.ts";
import { routingFetch, type ScrapeFake, startScrapeFake } from "../_fakes/scrape.ts";

describe("createSafeFetch()", () => {
  let fake: ScrapeFake;
  const dns: Record<string, string[]> = {
    "www.example.com": ["93.184.216.34"],
    "other.example.com": ["93.184.216.35"],
    "internal.example": ["10.0.0.5"],
  };
  const resolve = (host: string): Promise<string[]> =>
    dns[host] ? Promise.resolve(dns[host]) : Promise.reject(new Error("ENOTFOUND"));
  let fetch: typeof globalThis.fetch;

  before(async () => {
    fake = await startScrapeFake({ firecrawl: "fc-key" });
    fetch = routingFetch({
      "www.example.com": fake.server.url,
      "other.example.com": fake.server.url,
      "internal.example": fake.server.url,
    });
  });
  after(() => fake.close());

  function secretRequests(): number {
    return fake.requests.filter((r) => r.path.startsWith("/origin/secret")).length;
  }

  it("fetches a public page", async () => {
    const safe = createSafeFetch({ resolve, fetch });
    const response = await safe("http://www.example.com/origin/text");
    assert.equal(response.status, 200);
    assert.equal(response.text(), "plain text body");
    assert.equal(response.truncated, false);
  });

  it("follows a redirect to an allowed host", async () => {
    const safe = createSafeFetch({ resolve, fetch });
    fake.redirectTarget = "http://other.example.com/origin/text";
    const response = await safe("http://www.example.com/origin/redirect");
    assert.equal(response.url, "http://other.example.com/origin/text");
    assert.equal(response.text(), "plain text body");
  });

  it("does not carry credentials across origins on a redirect", async () => {
    const safe = createSafeFetch({ resolve, fetch });
    fake.redirectTarget = "http://other.example.com/origin/text";
    const before = fake.requests.length;
    await safe("http://www.example.com/origin/redirect", {
      headers: { Authorization: "Bearer s3cret-token", Accept: "text/plain" },
    });
    const sent = fake.requests.slice(before);
    assert.equal(sent.length, 2);
    assert.equal(sent[0]!.headers.authorization, "Bearer s3cret-token");
    assert.equal(sent[1]!.headers.authorization, undefined);
    assert.equal(sent[1]!.headers.accept, "text/plain");
  });

  it("refuses a redirect from an allowed host to a loopback address", async () => {
    const safe = createSafeFetch({ resolve, fetch });
    fake.redirectTarget = `${fake.originBase}/secret`;
    await assert.rejects(safe("http://www.example.com/origin/redirect"), /loopback/);
    assert.equal(secretRequests(), 0);
  });

  it("refuses a redirect to a name resolving to a private address, and to metadata", async () => {
    const safe = createSafeFetch({ resolve, fetch });
    fake.redirectTarget = "http://internal.example/origin/secret";
    await assert.rejects(safe("http://www.example.com/origin/redirect"), /10\.0\.0\.5, a private/);
    fake.redirectTarget = "http://169.254.169.254/latest/meta-data/";
    await assert.rejects(safe("http://www.example.com/origin/redirect"), /link-local/);
    assert.equal(secretRequests(), 0);
  });

  it("stops after maxRedirects", async () => {
    const safe = createSafeFetch({ resolve, fetch, maxRedirects: 3 });
    await assert.rejects(safe("http://www.example.com/origin/loop"), /more than 3 redirects/);
  });

  it("cuts an oversized body at maxBytes", async () => {
    const safe = createSafeFetch({ resolve, fetch, maxBytes: 1000 });
    const response = await safe("http://www.example.com/origin/big");
    assert.equal(response.truncated, true);
    assert.equal(response.body.byteLength, 1000);
  });

  it("gives up after timeoutMs", async () => {
    const safe = createSafeFetch({ resolve, fetch, timeoutMs: 50 });
    await assert.rejects(safe("http://www.example.com/origin/slow"), /timed out after 50 ms/);
  });

  it("discards the answer when the host re-resolves to a denied address (DNS rebinding)", async () => {
    let calls = 0;
    const rebinding = (host: string): Promise<string[]> => {
      calls++;
      return Promise.resolve(
        host === "www.example.com" && calls > 1 ? ["127.0.0.1"] : ["93.184.216.34"],
      );
    };
    const safe = createSafeFetch({ resolve: rebinding, fetch });
    await assert.rejects(safe("http://www.example.com/origin/text"), /DNS rebinding/);
  });
});
