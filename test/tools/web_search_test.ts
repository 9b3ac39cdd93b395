import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { webSearchTool } from "../../lib/tools/web_search.ts";
import { type SearchFake, startSearchFake } from "../_fakes/search.ts";
import { toolContext } from "./_context.ts";

describe("web_search", () => {
  let fake: SearchFake;
  before(async () => {
    fake = await startSearchFake({ brave: "brave-key", tavily: "tvly-key" });
  });
  after(() => fake.close());

  const EXPECTED =
    "1. REST API - RouterOS\n   https://help.mikrotik.com/docs/display/ROS/REST+API\n" +
    "   The REST API lets you manage RouterOS.\n2. Container\n" +
    "   https://help.mikrotik.com/docs/display/ROS/Container\n   Containers on RouterOS.";

  it("says clearly when no provider is configured", async () => {
    const r = await webSearchTool().call({ query: "x" }, toolContext());
    assert.equal(r.isError, true);
    assert.match(
      JSON.parse(r.content).error,
      /set WEB_SEARCH_PROVIDER to brave \(with BRAVE_API_KEY\)/,
    );
    const noKey = await webSearchTool({ provider: "tavily" }).call({ query: "x" }, toolContext());
    assert.match(JSON.parse(noKey.content).error, /TAVILY_API_KEY is not set/);
  });

  it("searches Brave with the subscription token header", async () => {
    const tool = webSearchTool({
      provider: "brave",
      braveApiKey: "brave-key",
      braveBaseUrl: fake.braveBase,
    });
    const r = await tool.call({ query: "mikrotik rest api" }, toolContext());
    assert.deepEqual(r, { content: EXPECTED, isError: false });
    const sent = fake.requests.at(-1)!;
    assert.equal(sent.path, "/brave/res/v1/web/search");
    assert.equal(sent.query.q, "mikrotik rest api");
    assert.equal(sent.query.count, "5");
    assert.equal(sent.headers["x-subscription-token"], "brave-key");
  });

  it("reports a bad Brave token (422) and a rate limit (429) clearly", async () => {
    const bad = webSearchTool({ braveApiKey: "wrong", braveBaseUrl: fake.braveBase });
    const r = await bad.call({ query: "x" }, toolContext());
    assert.equal(r.isError, true);
    assert.match(
      JSON.parse(r.content).error,
      /HTTP 422 The provided subscription token is invalid\. \(check BRAVE_API_KEY\)/,
    );
    fake.failNext("brave", {
      status: 429,
      body: {
        type: "ErrorResponse",
        error: { status: 429, code: "RATE_LIMITED", detail: "Request rate limit exceeded" },
      },
      headers: { "X-RateLimit-Remaining": "0, 14000" },
    });
    const limited = await webSearchTool({ braveApiKey: "brave-key", braveBaseUrl: fake.braveBase })
      .call(
        { query: "x" },
        toolContext(),
      );
    assert.match(
      JSON.parse(limited.content).error,
      /HTTP 429 Request rate limit exceeded \(rate or usage limit/,
    );
  });

  it("searches Tavily with a bearer key (not in the body) and reports 401 and 432", async () => {
    const tool = webSearchTool({
      provider: "tavily",
      tavilyApiKey: "tvly-key",
      tavilyBaseUrl: fake.tavilyBase,
    });
    const r = await tool.call({ query: "RouterOS container" }, toolContext());
    assert.deepEqual(r, { content: EXPECTED, isError: false });
    const sent = fake.requests.at(-1)!;
    assert.equal(sent.headers.authorization, "Bearer tvly-key");
    assert.equal(JSON.parse(sent.body).api_key, undefined);
    assert.equal(JSON.parse(sent.body).query, "RouterOS container");
    const bad = await webSearchTool({ tavilyApiKey: "nope", tavilyBaseUrl: fake.tavilyBase }).call(
      { query: "x" },
      toolContext(),
    );
    assert.match(
      JSON.parse(bad.content).error,
      /HTTP 401 Unauthorized: missing or invalid API key\. \(check TAVILY_API_KEY\)/,
    );
    fake.failNext("tavily", {
      status: 432,
      body: { detail: { error: "Key usage limit exceeded" } },
    });
    const limit = await tool.call({ query: "x" }, toolContext());
    assert.match(JSON.parse(limit.content).error, /HTTP 432 Key usage limit exceeded/);
  });

  it("searches SearXNG with format=json and explains a 403", async () => {
    const tool = webSearchTool({ provider: "searxng", searxngUrl: fake.searxngBase + "/" });
    const r = await tool.call({ query: "mikrotik" }, toolContext());
    assert.deepEqual(r, { content: EXPECTED, isError: false });
    assert.equal(fake.requests.at(-1)!.query.format, "json");
    fake.searxngJson = false;
    try {
      const denied = await tool.call({ query: "mikrotik" }, toolContext());
      assert.match(JSON.parse(denied.content).error, /HTTP 403 .*enable the json format/);
    } finally {
      fake.searxngJson = true;
    }
  });

  it("caps the output and handles no results", async () => {
    const saved = fake.results;
    fake.results = Array.from({ length: 20 }, (_, i) => ({
      title: "T".repeat(1000),
      url: `https://example.com/${i}`,
      snippet: "S".repeat(5000),
    }));
    try {
      const tool = webSearchTool({
        braveApiKey: "brave-key",
        braveBaseUrl: fake.braveBase,
        maxResults: 20,
      });
      const r = await tool.call({ query: "x" }, toolContext());
      assert.equal(r.isError, false);
      assert.ok(r.content.length <= 16_000, String(r.content.length));
      assert.match(r.content, /^1\. T{199}…\n/);
      fake.results = [];
      const none = await tool.call({ query: "nothing" }, toolContext());
      assert.equal(none.content, 'No results for "nothing"');
    } finally {
      fake.results = saved;
    }
  });
});
