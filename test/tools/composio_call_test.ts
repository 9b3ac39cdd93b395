import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { composioCallTool } from "../../lib/tools/composio_call.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";
import type { ToolContext } from "../../lib/tools/types.ts";
import { type FakeComposio, startFakeComposio } from "../_fakes/composio.ts";

function context(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, requestedBy: "test", sessionKey: "test", logger: silentLogger };
}

describe("composioCallTool()", () => {
  let fake: FakeComposio;
  before(async () => {
    fake = await startFakeComposio();
  });
  after(async () => {
    await fake.close();
  });

  function tool(options: Parameters<typeof composioCallTool>[0] = {}) {
    return composioCallTool({
      env: { COMPOSIO_URL: fake.url, COMPOSIO_API_KEY: fake.apiKey },
      ...options,
    });
  }

  it("offers exactly the seed's name, description and JSON schema, as a write", () => {
    const t = composioCallTool({ env: {} });
    assert.equal(t.name, "composio_call");
    assert.equal(t.description, "Call Composio-compatible endpoint");
    assert.equal(t.effect, "write");
    assert.deepEqual(t.parameters, {
      type: "object",
      properties: { tool: { type: "string" }, input: { type: "string" } },
      required: ["tool", "input"],
    });
  });

  it("executes a tool: key only in the x-api-key header, parsed input as arguments", async () => {
    fake.on("GITHUB_CREATE_ISSUE", { data: { id: 7, html_url: "https://github.test/7" } });
    const before = fake.requests.length;
    const result = await tool().call({
      tool: "GITHUB_CREATE_ISSUE",
      input: JSON.stringify({ owner: "acme", repo: "net", title: "CPU high" }),
    }, context());
    assert.equal(result.isError, false, result.content);
    assert.deepEqual(JSON.parse(result.content), { id: 7, html_url: "https://github.test/7" });
    const request = fake.requests[before]!;
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/api/v3/tools/execute/GITHUB_CREATE_ISSUE");
    assert.equal(request.headers["x-api-key"], fake.apiKey);
    assert.ok(!request.body.includes(fake.apiKey), "the key must never be in the body");
    assert.ok(!request.path.includes(fake.apiKey));
    const body = JSON.parse(request.body);
    assert.deepEqual(body.arguments, { owner: "acme", repo: "net", title: "CPU high" });
    assert.equal(body.user_id, "default");
    assert.equal(typeof body.version, "string");
  });

  it("reports a missing configuration clearly, without any request", async () => {
    const before = fake.requests.length;
    for (const env of [{}, { COMPOSIO_URL: fake.url }, { COMPOSIO_API_KEY: "k-123456" }]) {
      const result = await composioCallTool({ env }).call({ tool: "X", input: "{}" }, context());
      assert.equal(result.isError, true);
      assert.match(result.content, /not configured \(set COMPOSIO_URL and COMPOSIO_API_KEY\)/);
    }
    assert.equal(fake.requests.length, before);
  });

  it("reports invalid JSON input and non-object input clearly, without any request", async () => {
    const before = fake.requests.length;
    for (const input of ["{owner: acme}", "[1,2]", "42", '"text"', "null"]) {
      const result = await tool().call({ tool: "GITHUB_CREATE_ISSUE", input }, context());
      assert.equal(result.isError, true, input);
      assert.match(
        JSON.parse(result.content).error,
        /"input" (is not valid JSON|must be a JSON object)/,
      );
    }
    assert.equal(fake.requests.length, before);
  });

  it("refuses tool slugs that could change the request path", async () => {
    const before = fake.requests.length;
    for (const slug of ["../admin", "A/B", "A?x=1", "", "A#b", "A%2fB", "x".repeat(200)]) {
      const result = await tool().call({ tool: slug, input: "{}" }, context());
      assert.equal(result.isError, true, slug);
      assert.match(result.content, /not a valid tool slug/);
    }
    assert.equal(fake.requests.length, before);
  });

  it("turns successful: false into an error result with Composio's message", async () => {
    fake.on("SLACK_SEND", { fail: "channel_not_found" });
    const result = await tool().call({ tool: "SLACK_SEND", input: "{}" }, context());
    assert.equal(result.isError, true);
    assert.match(result.content, /ran but failed: channel_not_found/);
  });

  it("turns HTTP errors into error results with status and message", async () => {
    fake.on("LIMITED", { status: 429, body: { error: { message: "Rate limit exceeded" } } });
    const limited = await tool().call({ tool: "LIMITED", input: "{}" }, context());
    assert.equal(limited.isError, true);
    assert.match(limited.content, /HTTP 429 Rate limit exceeded/);

    const unknown = await tool().call({ tool: "NO_SUCH_TOOL", input: "{}" }, context());
    assert.match(unknown.content, /HTTP 404 Tool NO_SUCH_TOOL not found/);

    const badKey = await tool({ apiKey: "wrong-key-123456" }).call(
      { tool: "SLACK_SEND", input: "{}" },
      context(),
    );
    assert.match(badKey.content, /HTTP 401 Invalid API key/);
  });

  it("scrubs the API key from anything the endpoint echoes back", async () => {
    fake.on("ECHO", { data: { note: `your key is ${fake.apiKey}` } });
    const ok = await tool().call({ tool: "ECHO", input: "{}" }, context());
    assert.ok(!ok.content.includes(fake.apiKey));
    assert.match(ok.content, /\[redacted\]/);
    fake.on("ECHO_ERR", { status: 400, body: { message: `bad key ${fake.apiKey}` } });
    const failed = await tool().call({ tool: "ECHO_ERR", input: "{}" }, context());
    assert.ok(!failed.content.includes(fake.apiKey));
  });

  it("never follows a redirect (it would carry the key elsewhere)", async () => {
    fake.on("MOVED", { redirect: `${fake.url}/tools/execute/ELSEWHERE` });
    fake.on("ELSEWHERE", { data: "followed" });
    const before = fake.requests.length;
    const result = await tool().call({ tool: "MOVED", input: "{}" }, context());
    assert.equal(result.isError, true);
    assert.match(result.content, /redirect/);
    assert.equal(fake.requests.length, before + 1);
  });

  it("caps what it reads and what it returns", async () => {
    fake.on("HUGE", { hugeBytes: 200_000 });
    const refused = await tool({ maxResponseBytes: 50_000 }).call(
      { tool: "HUGE", input: "{}" },
      context(),
    );
    assert.equal(refused.isError, true);
    assert.match(refused.content, /larger than 50000 bytes/);
    const capped = await tool({ maxOutputChars: 1000 }).call(
      { tool: "HUGE", input: "{}" },
      context(),
    );
    assert.equal(capped.isError, false);
    assert.ok(capped.content.length <= 1000);
    assert.match(capped.content, /truncated/);
  });

  it("stops a hanging call on timeout and on cancellation", async () => {
    fake.on("SLOW", { hang: true });
    const timedOut = await tool({ timeoutMs: 50 }).call({ tool: "SLOW", input: "{}" }, context());
    assert.equal(timedOut.isError, true);
    assert.match(timedOut.content, /timed out/);

    const controller = new AbortController();
    const pending = tool().call({ tool: "SLOW", input: "{}" }, context(controller.signal));
    controller.abort();
    const cancelled = await pending;
    assert.equal(cancelled.isError, true);
    assert.match(cancelled.content, /cancelled/);
  });

  it("accepts empty input as no arguments", async () => {
    fake.on("NO_ARGS", { data: { ok: true } });
    const before = fake.requests.length;
    const result = await tool().call({ tool: "NO_ARGS", input: "" }, context());
    assert.equal(result.isError, false);
    assert.deepEqual(JSON.parse(fake.requests[before]!.body).arguments, {});
  });
});
