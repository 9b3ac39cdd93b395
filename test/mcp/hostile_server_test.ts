/**
 * Hole 16 of issue #17: a hostile or careless MCP server. Its tools are capped per server and
 * in total (what was skipped is said in `status()`), and every secret value inside
 * `MCP_SERVERS` (header values, env values, URL credentials and query tokens) is scrubbed from
 * tool output, errors and what reaches the model.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  connectMcpServers,
  type McpConnections,
  mcpSecrets,
  parseMcpServers,
} from "../../lib/mcp/client.ts";
import { createAgent } from "../../lib/agent/create_agent.ts";
import { createMockProvider } from "../../lib/providers/mock.ts";
import type { ToolContext } from "../../lib/tools/types.ts";
import { toolContext } from "../tools/_context.ts";
import { type FakeMcpHttpServer, startFakeMcpHttpServer } from "../_fakes/mcp_server.ts";

const TOKEN = "mcp-bearer-Zq8xK2pL9";
const ctx = (): ToolContext => toolContext();

describe("connectMcpServers() against a server offering 3000 tools and echoing its bearer", () => {
  let fake: FakeMcpHttpServer;
  let mcp: McpConnections;
  before(async () => {
    fake = await startFakeMcpHttpServer({ token: TOKEN, extraTools: 3000, echoBearer: true });
    mcp = await connectMcpServers(
      {
        hostile: {
          url: `${fake.url}?api_key=query-token-77aa`,
          headers: { Authorization: `Bearer ${TOKEN}` },
        },
      },
      { timeoutMs: 20_000 },
    );
  });
  after(async () => {
    await mcp?.close();
    await fake?.close();
  });

  it("keeps at most 64 of its tools and says how many were skipped", () => {
    const [status] = mcp.status();
    assert.equal(status!.ok, true, status!.detail);
    assert.equal(mcp.tools.length, 64);
    assert.equal(status!.tools.length, 64);
    assert.ok((status!.skipped ?? 0) >= 3000 - 64, `skipped ${status!.skipped}`);
    assert.match(
      status!.detail,
      /connected \(64 tools\); \d+ more tools skipped \(at most 64 per server, 128 in all\)/,
    );
  });

  it("registers the bearer, the header value and the URL's query token as secrets", () => {
    for (const value of [TOKEN, `Bearer ${TOKEN}`, "query-token-77aa"]) {
      assert.ok(mcp.secrets.includes(value), `${value} is registered`);
    }
  });
});

describe("connectMcpServers() caps tools in total, in MCP_SERVERS order", () => {
  let fakes: FakeMcpHttpServer[] = [];
  let mcp: McpConnections;
  before(async () => {
    fakes = await Promise.all([1, 2, 3].map(() => startFakeMcpHttpServer({ extraTools: 50 })));
    mcp = await connectMcpServers(
      Object.fromEntries(fakes.map((f, i) => [`s${i}`, { url: f.url }])),
      { timeoutMs: 20_000, maxToolsPerServer: 40, maxTools: 100 },
    );
  });
  after(async () => {
    await mcp?.close();
    await Promise.all(fakes.map((f) => f.close()));
  });

  it("the first servers fill the total cap; the last one is told why it got fewer", () => {
    const counts = mcp.status().map((s) => s.tools.length);
    assert.deepEqual(counts, [40, 40, 20]);
    assert.equal(mcp.tools.length, 100);
    assert.match(
      mcp.status()[2]!.detail,
      /35 more tools skipped \(at most 40 per server, 100 in all\)/,
    );
  });
});

describe("tool output and errors of an MCP server are scrubbed of MCP_SERVERS values", () => {
  let fake: FakeMcpHttpServer;
  let mcp: McpConnections;
  before(async () => {
    fake = await startFakeMcpHttpServer({ token: TOKEN, echoBearer: true });
    mcp = await connectMcpServers(
      { echo: { url: fake.url, headers: { Authorization: `Bearer ${TOKEN}` } } },
      { timeoutMs: 20_000 },
    );
  });
  after(async () => {
    await mcp?.close();
    await fake?.close();
  });

  it("a result echoing the bearer comes back redacted", async () => {
    const result = await mcp.tools.find((t) => t.name === "echo__whoami")!.call({}, ctx());
    assert.equal(fake.authorizations.at(-1), `Bearer ${TOKEN}`, "the server did see the bearer");
    assert.doesNotMatch(result.content, new RegExp(TOKEN));
    assert.match(result.content, /you sent: (Bearer )?\[redacted\]/);
  });

  it("an error echoing the bearer comes back redacted", async () => {
    const result = await mcp.tools.find((t) => t.name === "echo__whoami_fail")!.call({}, ctx());
    assert.equal(result.isError, true);
    assert.doesNotMatch(result.content, new RegExp(TOKEN));
  });

  it("the model never sees the bearer, through the agent", async () => {
    const provider = createMockProvider([
      { toolCalls: [{ name: "echo__whoami", arguments: {} }] },
      "done",
    ]);
    const agent = createAgent({ provider, tools: mcp.tools });
    await agent.run({ input: "who am I", sessionKey: "s" });
    assert.doesNotMatch(JSON.stringify(provider.requests), new RegExp(TOKEN));
  });

  it("a stdio server's env values and URL credentials in args are secrets too", async () => {
    const config = await parseMcpServers(JSON.stringify({
      a: { command: "x", env: { GITHUB_TOKEN: "ghp_envtoken123" } },
      b: { url: "https://user:pa55word-x@h.test/mcp?token=tok-in-query" },
    }));
    const secrets = mcpSecrets(config);
    for (const value of ["ghp_envtoken123", "pa55word-x", "tok-in-query"]) {
      assert.ok(secrets.includes(value), value);
    }
  });
});
