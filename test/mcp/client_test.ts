import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { connectMcpServers, mcpToolName, parseMcpServers } from "../../lib/mcp/client.ts";
import type { McpConnections, McpServersConfig } from "../../lib/mcp/client.ts";
import { createAgent } from "../../lib/agent/create_agent.ts";
import { createMockProvider } from "../../lib/providers/mock.ts";
import { parseUrlTool } from "../../lib/tools/parse_url.ts";
import { isAgentError } from "../../lib/errors.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";
import { startFakeMcpHttpServer } from "../_fakes/mcp_server.ts";
import type { FakeMcpHttpServer } from "../_fakes/mcp_server.ts";
import { serveLocal } from "../_utils/serve.ts";

const FAKE = fileURLToPath(new URL("../_fakes/mcp_server.ts", import.meta.url));
const ctx = {
  signal: new AbortController().signal,
  requestedBy: "t",
  sessionKey: "t",
  logger: silentLogger,
};

/** Command and args that run a TypeScript file with the current runtime. */
function runtime(file: string): { command: string; args: string[] } {
  const g = globalThis as { Deno?: unknown };
  return { command: process.execPath, args: g.Deno ? ["run", "-A", "--no-check", file] : [file] };
}

function toolMessage(messages: readonly { role: string; content: string }[]): string {
  return messages.filter((m) => m.role === "tool").map((m) => m.content).join("\n");
}

describe("parseMcpServers()", () => {
  it("reads the mcpServers shape, bare or wrapped", async () => {
    const bare = await parseMcpServers(
      '{"fs": {"command": "npx", "args": ["-y", "x"], "env": {"A": "1"}}, "web": {"url": "https://h.test/mcp", "headers": {"Authorization": "Bearer t"}}}',
    );
    assert.deepEqual(bare, {
      fs: { command: "npx", args: ["-y", "x"], env: { A: "1" } },
      web: { url: "https://h.test/mcp", headers: { Authorization: "Bearer t" } },
    });
    const wrapped = await parseMcpServers(
      '{"mcpServers": {"a": {"type": "http", "url": "http://127.0.0.1:1/mcp"}}}',
    );
    assert.deepEqual(wrapped, { a: { url: "http://127.0.0.1:1/mcp" } });
  });

  it("reads a file holding {mcpServers}", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcp-"));
    try {
      const file = join(dir, "mcp.json");
      await writeFile(file, JSON.stringify({ mcpServers: { x: { command: "run-x" } } }));
      assert.deepEqual(await parseMcpServers(file), { x: { command: "run-x" } });
      await writeFile(file, JSON.stringify({ x: { command: "run-x" } }));
      await assert.rejects(parseMcpServers(file), /mcpServers/);
      await assert.rejects(parseMcpServers(join(dir, "missing.json")), /cannot read the file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const BAD: [string, RegExp][] = [
    ['{"bad name": {"command": "x"}}', /must match/],
    ['{"a": {"command": "x", "url": "http://h"}}', /exactly one/],
    ['{"a": {}}', /exactly one/],
    ['{"a": {"command": ""}}', /command must not be empty/],
    ['{"a": {"url": "file:///etc/passwd"}}', /http/],
    ['{"a": {"url": "not a url"}}', /absolute URL/],
    ['{"a": {"command": "x", "args": "-y"}}', /args/],
    ['{"a": {"command": "x", "env": {"A": 1}}}', /env/],
    ['{"a": {"command": "x", "shell": true}}', /shell/],
    ['{"a": ', /not valid JSON/],
    ["[]", /path|read/],
    ['{"mcpServers": []}', /must be an object/],
    ["", /must be JSON/],
  ];
  for (const [text, message] of BAD) {
    it(`refuses ${JSON.stringify(text)} with a ConfigError naming MCP_SERVERS`, async () => {
      await assert.rejects(parseMcpServers(text), (error: unknown) => {
        assert.ok(isAgentError(error));
        assert.match((error as Error).message, /^MCP_SERVERS: /);
        assert.match((error as Error).message, message);
        return true;
      });
    });
  }

  it("hostile JSON either parses to valid entries or fails with a ConfigError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string(), fc.jsonValue()), async (servers) => {
        try {
          const config = await parseMcpServers(JSON.stringify({ mcpServers: servers }));
          for (const [name, entry] of Object.entries(config)) {
            assert.match(name, /^[a-zA-Z0-9_-]+$/);
            assert.ok(
              "command" in entry ? typeof entry.command === "string" : /^https?:/i.test(entry.url),
            );
          }
        } catch (error) {
          assert.ok(isAgentError(error), String(error));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("mcpToolName()", () => {
  it("sanitises to [a-z0-9_], starts with a letter, stays unique and short", () => {
    const used = new Set<string>();
    assert.equal(mcpToolName("Fake", "Echo-Tool", used), "fake__echo_tool");
    assert.equal(mcpToolName("fake", "echo.tool", used), "fake__echo_tool_2");
    assert.equal(mcpToolName("1x", "t", used), "mcp_1x__t");
    fc.assert(fc.property(fc.string(), fc.string(), (server, tool) => {
      const name = mcpToolName(server, tool, used);
      assert.match(name, /^[a-z][a-z0-9_]*$/);
      assert.ok(name.length <= 64);
    }));
  });
});

describe("connectMcpServers() with an official-SDK server over stdio", () => {
  let mcp: McpConnections;
  before(async () => {
    process.env.MIKROCLAW_TEST_PARENT_SECRET = "parent-secret-value";
    mcp = await connectMcpServers(
      { fake: { ...runtime(FAKE), env: { OWN_VAR: "1" } } },
      { timeoutMs: 20_000, toolTimeoutMs: 3000 },
    );
  });
  after(async () => {
    delete process.env.MIKROCLAW_TEST_PARENT_SECRET;
    await mcp?.close();
  });

  it("offers the remote tools as <name>__<tool> with their schemas and effects", () => {
    assert.deepEqual(mcp.status(), [{
      name: "fake",
      ok: true,
      detail: "connected (5 tools)",
      tools: ["fake__echo", "fake__lookup", "fake__fail", "fake__env", "fake__slow"],
    }]);
    const echo = mcp.tools.find((t) => t.name === "fake__echo")!;
    assert.equal(echo.effect, "write");
    assert.deepEqual((echo.parameters as any).properties, { text: { type: "string" } });
    assert.match(echo.description, /^\[MCP server "fake"\] Echo the text back/);
    assert.equal(mcp.tools.find((t) => t.name === "fake__lookup")!.effect, "read");
  });

  it("the agent calls fake__echo, the server receives the arguments, the result returns to the model", async () => {
    const provider = createMockProvider([
      { toolCalls: [{ name: "fake__echo", arguments: { text: "hello router" } }] },
      "done",
    ]);
    const agent = createAgent({ provider, tools: [parseUrlTool(), ...mcp.tools] });
    const result = await agent.run({ input: "echo it", sessionKey: "t" });
    assert.equal(result.text, "done");
    const seen = toolMessage(provider.requests[1]!.messages);
    assert.match(seen, /<tool_output tool="fake__echo" untrusted="true">/);
    assert.match(seen, /"received":\{"text":"hello router"\}/);
  });

  it("starts the server with a scrubbed environment plus its own env", async () => {
    const result = await mcp.tools.find((t) => t.name === "fake__env")!.call({}, ctx);
    const names: string[] = JSON.parse(result.content);
    assert.ok(names.includes("OWN_VAR"));
    assert.ok(!names.includes("MIKROCLAW_TEST_PARENT_SECRET"));
    for (const name of names) {
      assert.ok(["PATH", "HOME", "LANG", "OWN_VAR"].includes(name), `unexpected variable ${name}`);
    }
  });

  it("a remote isError result stays an error", async () => {
    const result = await mcp.tools.find((t) => t.name === "fake__fail")!.call({}, ctx);
    assert.deepEqual(result, { content: "it broke", isError: true });
  });

  it("a remote tool that never answers is cut at our timeout", async () => {
    const slow = mcp.tools.find((t) => t.name === "fake__slow")!;
    const quick = { ...ctx };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await slow.call({}, { ...quick, signal: controller.signal });
    assert.equal(result.isError, true);
    assert.match(result.content, /cancelled/);
  });

  it("non-object arguments are refused before reaching the server", async () => {
    const result = await mcp.tools.find((t) => t.name === "fake__echo")!.call([1], ctx);
    assert.equal(result.isError, true);
  });
});

describe("connectMcpServers() with an official-SDK server over Streamable HTTP", () => {
  let fake: FakeMcpHttpServer;
  let mcp: McpConnections;
  before(async () => {
    fake = await startFakeMcpHttpServer({ token: "remote-token-123" });
    mcp = await connectMcpServers(
      { remote: { url: fake.url, headers: { Authorization: "Bearer remote-token-123" } } },
      { timeoutMs: 5000 },
    );
  });
  after(async () => {
    await mcp?.close();
    await fake?.close();
  });

  it("sends the configured headers and lists the tools", () => {
    assert.equal(mcp.status()[0]!.ok, true, mcp.status()[0]!.detail);
    assert.ok(fake.authorizations.every((a) => a === "Bearer remote-token-123"));
    assert.ok(mcp.tools.some((t) => t.name === "remote__lookup"));
  });

  it("the agent calls remote__lookup and the answer reaches the model", async () => {
    const provider = createMockProvider([
      { toolCalls: [{ name: "remote__lookup", arguments: { key: "k1" } }] },
      "ok",
    ]);
    const agent = createAgent({ provider, tools: mcp.tools });
    await agent.run({ input: "look up k1", sessionKey: "t" });
    assert.deepEqual(fake.calls.at(-1), { tool: "lookup", args: { key: "k1" } });
    assert.match(toolMessage(provider.requests[1]!.messages), /value-of-k1/);
  });

  it("a wrong token is reported as not connected", async () => {
    const bad = await connectMcpServers({ remote: { url: fake.url } }, { timeoutMs: 5000 });
    try {
      const [status] = bad.status();
      assert.equal(status!.ok, false);
      assert.match(status!.detail, /401/);
      assert.deepEqual(bad.tools, []);
    } finally {
      await bad.close();
    }
  });
});

describe("connectMcpServers() with servers that are down", () => {
  it("reports each failure in status() and leaves the agent working", async () => {
    const closed = await serveLocal(() => new Response("gone", { status: 503 }));
    await closed.close();
    const config: McpServersConfig = {
      missing: { command: "/nonexistent/mikroclaw-no-such-binary" },
      refused: { url: `${closed.url}/mcp` },
      // Starts but never speaks MCP: cut by the timeout and stopped.
      silent: { command: process.execPath, args: runtimeEval("setInterval(() => {}, 1000)") },
    };
    const mcp = await connectMcpServers(config, { timeoutMs: 1500 });
    try {
      const status = mcp.status();
      assert.deepEqual(status.map((s) => [s.name, s.ok]), [
        ["missing", false],
        ["refused", false],
        ["silent", false],
      ]);
      assert.match(status[0]!.detail, /Cannot start/);
      assert.match(status[2]!.detail, /no answer within 1500 ms|did not answer/);
      assert.deepEqual(mcp.tools, []);
      const provider = createMockProvider([
        { toolCalls: [{ name: "parse_url", arguments: { url: "https://a.test" } }] },
        "still working",
      ]);
      const agent = createAgent({ provider, tools: [parseUrlTool(), ...mcp.tools] });
      assert.equal((await agent.run({ input: "x", sessionKey: "t" })).text, "still working");
    } finally {
      await mcp.close();
    }
  });

  it("an empty config connects nothing", async () => {
    const mcp = await connectMcpServers({});
    assert.deepEqual(mcp.status(), []);
    await mcp.close();
  });
});

/** Args that make the current runtime evaluate `code`. */
function runtimeEval(code: string): string[] {
  const g = globalThis as { Deno?: unknown };
  return g.Deno ? ["eval", code] : ["-e", code];
}
