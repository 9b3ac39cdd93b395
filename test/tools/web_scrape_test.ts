import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  htmlToText,
  webScrapeTool,
  type WebScrapeToolOptions,
} from "../../lib/tools/web_scrape.ts";
import { routingFetch, type ScrapeFake, startScrapeFake } from "../_fakes/scrape.ts";
import { toolContext } from "./_context.ts";

describe("web_scrape", () => {
  let fake: ScrapeFake;
  let base: WebScrapeToolOptions;
  const dns: Record<string, string[]> = {
    "www.example.com": ["93.184.216.34"],
    "intranet.example": ["192.168.88.1"],
  };
  const resolve = (host: string): Promise<string[]> =>
    dns[host] ? Promise.resolve(dns[host]) : Promise.reject(new Error("ENOTFOUND"));

  before(async () => {
    fake = await startScrapeFake({ jina: "jina_key", firecrawl: "fc-key" });
    base = {
      jinaBaseUrl: fake.jinaBase,
      firecrawlBaseUrl: fake.firecrawlBase,
      jinaApiKey: "jina_key",
      firecrawlApiKey: "fc-key",
      resolve,
      fetch: routingFetch({
        "www.example.com": fake.server.url,
        "intranet.example": fake.server.url,
      }),
      timeoutMs: 2000,
    };
  });
  after(() => fake.close());

  const run = async (options: Partial<WebScrapeToolOptions>, url: string) =>
    await webScrapeTool({ ...base, ...options }).call({ url }, toolContext());
  const error = (content: string): string => JSON.parse(content).error;

  it("says clearly when no service is configured or one is unknown", async () => {
    const r = await run({}, "https://www.example.com/");
    assert.match(error(r.content), /set WEBSCRAPE_SERVICES \(e\.g\. "jina,direct"/);
    const unknown = await run({ services: ["jina", "scrapingbee"] }, "https://www.example.com/");
    assert.match(error(unknown.content), /unknown service scrapingbee/);
  });

  it("scrapes through Jina with the optional key", async () => {
    const r = await run({ services: ["jina"] }, "https://www.example.com/docs?page=1#top");
    assert.equal(r.isError, false, r.content);
    assert.match(
      r.content,
      /^Source: https:\/\/www\.example\.com\/docs\?page=1#top \(via jina\)\n\nTitle: Example Domain/,
    );
    const sent = fake.requests.at(-1)!;
    assert.equal(sent.path, "/jina/https://www.example.com/docs?page=1%23top");
    assert.equal(sent.headers.authorization, "Bearer jina_key");
  });

  it("falls to the next service on failure: Jina 429 -> Firecrawl 402 -> direct", async () => {
    fake.jinaFailNext = 429;
    fake.firecrawlOutOfCredits = true;
    const before = fake.requests.length;
    try {
      const r = await run(
        { services: ["jina", "firecrawl", "direct"] },
        "http://www.example.com/origin/page",
      );
      assert.equal(r.isError, false, r.content);
      assert.equal(
        r.content,
        "Source: http://www.example.com/origin/page (via direct)\n\nRouter & Friends\n\nHello\n\nFirst paragraph here.\n\none\n\ntwo – 2",
      );
      assert.deepEqual(fake.requests.slice(before).map((q) => q.service), [
        "jina",
        "firecrawl",
        "origin",
      ]);
    } finally {
      fake.firecrawlOutOfCredits = false;
    }
  });

  it("scrapes through Firecrawl with the bearer key", async () => {
    const r = await run({ services: ["firecrawl"] }, "https://www.example.com/x");
    assert.equal(
      r.content,
      "Source: https://www.example.com/x (via firecrawl)\n\n# Firecrawl\nScraped https://www.example.com/x",
    );
    const sent = fake.requests.at(-1)!;
    assert.equal(sent.headers.authorization, "Bearer fc-key");
    assert.deepEqual(JSON.parse(sent.body).formats, ["markdown"]);
    const noKey = await run(
      { services: ["firecrawl"], firecrawlApiKey: undefined },
      "https://www.example.com/x",
    );
    assert.match(error(noKey.content), /firecrawl needs FIRECRAWL_API_KEY/);
  });

  it("checks the URL with the SSRF guard before any service sees it", async () => {
    const before = fake.requests.length;
    for (
      const [url, pattern] of [
        ["http://127.0.0.1/", /loopback/],
        ["http://[::1]/", /loopback/],
        ["http://0x7f000001/", /loopback/],
        ["http://2130706433/", /loopback/],
        ["http://169.254.169.254/latest/meta-data/", /link-local/],
        ["http://100.64.0.1/", /carrier-grade/],
        ["http://[::ffff:10.0.0.1]/", /IPv4-mapped/],
        ["http://intranet.example/", /192\.168\.88\.1/],
        ["http://www.example.com/", /denied address/],
        ["file:///etc/passwd", /scheme/],
      ] as const
    ) {
      const r = await run({
        services: ["jina", "firecrawl", "direct"],
        extraDenied: ["93.184.216.34"],
      }, url);
      assert.equal(r.isError, true, url);
      assert.match(error(r.content), pattern, url);
    }
    assert.equal(fake.requests.length, before, "a service was asked to fetch a refused URL");
  });

  it("refuses a redirect from an allowed host to a private one (direct)", async () => {
    fake.redirectTarget = "http://intranet.example/origin/secret";
    const r = await run({ services: ["direct"] }, "http://www.example.com/origin/redirect");
    assert.equal(r.isError, true);
    assert.match(
      error(r.content),
      /direct: Cannot fetch "http:\/\/intranet\.example\/origin\/secret": .*192\.168\.88\.1/,
    );
    fake.redirectTarget = `${fake.originBase}/secret`;
    const loop = await run({ services: ["direct"] }, "http://www.example.com/origin/redirect");
    assert.match(error(loop.content), /loopback/);
    assert.equal(fake.requests.filter((q) => q.path.startsWith("/origin/secret")).length, 0);
  });

  it("caps oversized pages and refuses binary content", async () => {
    const r = await run(
      { services: ["direct"], maxChars: 500, maxBytes: 10_000 },
      "http://www.example.com/origin/big",
    );
    assert.equal(r.isError, false);
    assert.ok(r.content.length < 700, String(r.content.length));
    assert.match(r.content, /truncated/);
    const bin = await run({ services: ["direct"] }, "http://www.example.com/origin/binary");
    assert.match(error(bin.content), /unsupported content type "application\/octet-stream"/);
    const missing = await run({ services: ["direct"] }, "http://www.example.com/origin/missing");
    assert.match(
      error(missing.content),
      /every service failed; direct: direct fetch answered HTTP 404/,
    );
  });

  it("htmlToText() strips scripts, styles, comments and tags", () => {
    const text = htmlToText(
      "<html><head><title>T</title><script>evil()</script></head><body><style>x{}</style>" +
        "<p>a&lt;b&gt;  &#x41;&amp;</p><!-- c --><script>unterminated",
    );
    assert.equal(text, "T\n\na<b> A&");
  });
});
