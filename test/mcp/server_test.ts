import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import fc from "fast-check";
import { createMcpServer } from "../../lib/mcp/server.ts";
import type { McpServer } from "../../lib/mcp/server.ts";
import { createMcpHttpHandler } from "../../lib/mcp/http.ts";
import { serveMcpStdio } from "../../lib/mcp/stdio.ts";
import { parseUrlTool } from "../../lib/tools/parse_url.ts";
import { defineTool } from "../../lib/tools/define_tool.ts";
import { routerosExecuteTool } from "../../lib/tools/routeros_execute.ts";
import { createRouterOS } from "../../lib/routeros/create_routeros.ts";
import { createRouterOSPolicy } from "../../lib/routeros/policy.ts";
import { createRouterOSExecutor } from "../../lib/routeros/executor.ts";
import type { Tool } from "../../lib/tools/types.ts";
import * as v from "valibot";
import { tmpdir } from "node:os";
import { serveLocal } from "../_utils/serve.ts";
import type { LocalServer } from "../_utils/serve.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

const CLI = fileURLToPath(new URL("../../cli/mikroclaw.ts", import.meta.url));
const TOKEN = "mcp-test-token-123456";

function textOf(result: unknown): string {
  const content = (result as { content: { type: string; text?: string }[] }).content;
  return content.map((c) => c.text ?? "").join("");
}

function isWrite(r: { method: string; path: string }): boolean {
  return r.method === "PUT" || r.method === "PATCH" || r.method === "DELETE" ||
    (r.method === "POST" && !/\/print$/.test(r.path.split("?")[0]!));
}

/** The tools under test: parse_url and routeros_execute (writes off) against the fake. */
function routerTools(router: FakeRouterOS): Tool[] {
  const client = createRouterOS({
    url: router.url,
    user: FAKE_ROUTEROS_USER,
    password: FAKE_ROUTEROS_PASSWORD,
  });
  const executor = createRouterOSExecutor({
    router: client,
    policy: createRouterOSPolicy({ allowWrite: false }),
  });
  return [parseUrlTool(), routerosExecuteTool(executor)];
}

/** Shared assertions for one connected SDK client. */
function clientSuite(
  name: string,
  connect: () => Promise<{ client: Client; router: FakeRouterOS }>,
) {
  describe(name, () => {
    let client: Client;
    let router: FakeRouterOS;
    before(async () => {
      ({ client, router } = await connect());
    });

    it("initialize reports the server's name and tool capability", () => {
      assert.equal(client.getServerVersion()?.name, "mikroclaw");
      assert.ok(client.getServerCapabilities()?.tools);
    });

    it("tools/list returns the tools with their own schemas and true annotations", async () => {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      const parse = byName.get("parse_url");
      assert.ok(parse);
      assert.deepEqual(parse.inputSchema, parseUrlTool().parameters);
      assert.equal(parse.annotations?.readOnlyHint, true);
      assert.equal(parse.annotations?.destructiveHint, false);
      const ros = byName.get("routeros_execute");
      assert.ok(ros);
      assert.deepEqual(ros.inputSchema, {
        type: "object",
        properties: { command: { type: "string" } },
        required: ["command"],
      });
      // Writes are off, so the tool is read-only under the current policy.
      assert.equal(ros.annotations?.readOnlyHint, true);
    });

    it("tools/call parse_url returns the parts", async () => {
      const result = await client.callTool({
        name: "parse_url",
        arguments: { url: "https://example.test:8443/a?b=1#c" },
      });
      assert.equal(result.isError, false);
      const parsed = JSON.parse(textOf(result));
      assert.equal(parsed.host, "example.test");
      assert.equal(parsed.port, 8443);
    });

    it("tools/call with bad arguments is an isError result, not a protocol error", async () => {
      const result = await client.callTool({ name: "parse_url", arguments: { url: 42 } });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /Invalid arguments/);
    });

    it("tools/call of an unknown tool is an isError result", async () => {
      const result = await client.callTool({ name: "no_such_tool", arguments: {} });
      assert.equal(result.isError, true);
    });

    it("routeros_execute reads from the router", async () => {
      const result = await client.callTool({
        name: "routeros_execute",
        arguments: { command: "/system/identity/print" },
      });
      assert.equal(result.isError, false, textOf(result));
      assert.match(textOf(result), /name/);
      assert.ok(
        router.requests.some((r) => r.method === "GET" && r.path.startsWith("/system/identity")),
      );
    });

    it("routeros_execute write with writes off is isError and reaches no router", async () => {
      const before = router.requests.length;
      const result = await client.callTool({
        name: "routeros_execute",
        arguments: { command: "/ip firewall address-list add list=blocked address=203.0.113.9" },
      });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /ROUTEROS_ALLOW_WRITE/);
      const writes = router.requests.slice(before).filter(isWrite);
      assert.deepEqual(writes, []);
      assert.ok(
        !router.items("/ip/firewall/address-list").some((r) => r.address === "203.0.113.9"),
      );
    });

    it("results never carry the router password", async () => {
      const result = await client.callTool({
        name: "parse_url",
        arguments: { url: `https://u:${FAKE_ROUTEROS_PASSWORD}@h.test/${FAKE_ROUTEROS_PASSWORD}` },
      });
      assert.ok(!textOf(result).includes(FAKE_ROUTEROS_PASSWORD));
    });
  });
}

describe("mikroclaw mcp (stdio) with the official SDK client", () => {
  let router: FakeRouterOS;
  let client: Client;
  let stderr = "";
  before(async () => {
    router = await startFakeRouterOS();
  });
  after(async () => {
    await client?.close();
    await router?.close();
  });

  clientSuite("stdio", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...runtimeArgs(CLI), "mcp"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: tmpdir(),
        LOG_LEVEL: "info",
        ROUTER_URL: router.url,
        ROUTER_USER: FAKE_ROUTEROS_USER,
        ROUTER_PASS: FAKE_ROUTEROS_PASSWORD,
      },
      stderr: "pipe",
    });
    transport.stderr?.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
    client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(transport);
    return { client, router };
  });

  it("offers the agent's 14 tools; logs go to stderr, stdout carries only JSON-RPC", async () => {
    const { tools } = await client.listTools();
    assert.equal(tools.length, 14);
    assert.doesNotMatch(stderr, /jsonrpc/);
  });
});

describe("createMcpHttpHandler() with the official SDK client", () => {
  let router: FakeRouterOS;
  let http: LocalServer;
  let client: Client;
  const seen: { requestedBy: string }[] = [];
  before(async () => {
    router = await startFakeRouterOS();
    const whoami = defineTool({
      name: "whoami",
      description: "Says who asked",
      input: v.object({}),
      run: async (_input, ctx) => {
        seen.push({ requestedBy: ctx.requestedBy });
        return ctx.requestedBy;
      },
    });
    const server = createMcpServer({
      tools: [...routerTools(router), whoami],
      secrets: [FAKE_ROUTEROS_PASSWORD],
    });
    const handler = createMcpHttpHandler({ server });
    // Stands in for the gateway: bearer auth first, then the handler with the caller's id.
    http = await serveLocal((request) => {
      if (new URL(request.url).pathname !== "/mcp") return new Response("no", { status: 404 });
      if (request.headers.get("authorization") !== `Bearer ${TOKEN}`) {
        return new Response(JSON.stringify({ error: { code: "unauthorized", message: "no" } }), {
          status: 401,
        });
      }
      return handler(request, { requestedBy: "gateway:tok1" });
    });
  });
  after(async () => {
    await client?.close();
    await http?.close();
    await router?.close();
  });

  clientSuite("http", async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
    });
    client = new Client({ name: "test", version: "1.0.0" });
    await client.connect(transport);
    return { client, router };
  });

  it("passes the gateway's caller id to tools as requestedBy", async () => {
    const result = await client.callTool({ name: "whoami", arguments: {} });
    assert.equal(textOf(result), "gateway:tok1");
    assert.deepEqual(seen.at(-1), { requestedBy: "gateway:tok1" });
  });

  it("/mcp without a token -> 401 (behind the gateway's auth)", async () => {
    const response = await fetch(`${http.url}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    await response.body?.cancel();
    assert.equal(response.status, 401);
  });

  it("refuses a cross-origin request with 403", async () => {
    const response = await fetch(`${http.url}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${TOKEN}`,
        origin: "https://evil.example",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    await response.body?.cancel();
    assert.equal(response.status, 403);
  });

  it("GET (server-to-client stream) is 405", async () => {
    const response = await fetch(`${http.url}/mcp`, {
      headers: { authorization: `Bearer ${TOKEN}`, accept: "text/event-stream" },
    });
    await response.body?.cancel();
    assert.equal(response.status, 405);
  });
});

describe("serveMcpStdio() with in-memory streams", () => {
  function lines(...messages: unknown[]): AsyncIterable<string> {
    return (async function* () {
      for (const m of messages) yield typeof m === "string" ? m : JSON.stringify(m) + "\n";
    })();
  }
  async function run(server: McpServer, input: AsyncIterable<string>): Promise<unknown[]> {
    let text = "";
    await serveMcpStdio({ server, stdin: input, stdout: { write: (t) => (text += t) } });
    assert.ok(text === "" || text.endsWith("\n"));
    return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  }
  const init = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "t", version: "1" },
    },
  };

  it("answers initialize, tools/list and tools/call, one JSON line each", async () => {
    const server = createMcpServer({ tools: [parseUrlTool()] });
    const out = await run(
      server,
      lines(
        init,
        { jsonrpc: "2.0", method: "notifications/initialized" },
        { jsonrpc: "2.0", id: 2, method: "tools/list" },
        {
          jsonrpc: "2.0",
          id: 3,
          method: "tools/call",
          params: { name: "parse_url", arguments: { url: "http://a.test" } },
        },
      ),
    );
    assert.equal(out.length, 3);
    const byId = new Map(out.map((m) => [(m as { id: number }).id, m as Record<string, any>]));
    assert.equal(byId.get(1)!.result.serverInfo.name, "mikroclaw");
    assert.equal(byId.get(2)!.result.tools[0].name, "parse_url");
    assert.equal(byId.get(3)!.result.isError, false);
  });

  it("answers an unknown method with -32601 and bad JSON with -32700", async () => {
    const server = createMcpServer({ tools: [] });
    const out = await run(
      server,
      lines(init, { jsonrpc: "2.0", id: 2, method: "nope/nope" }, "{not json\n"),
    ) as Record<string, any>[];
    assert.equal(out.find((m) => m.id === 2)!.error.code, -32601);
    assert.equal(out.find((m) => m.id === null)!.error.code, -32700);
  });

  it("a throwing tool becomes an isError result", async () => {
    const bad: Tool = {
      name: "bad",
      description: "throws",
      parameters: { type: "object" },
      effect: "write",
      timeoutMs: 1000,
      maxOutputChars: 100,
      call: () => {
        throw new Error("boom");
      },
    };
    const server = createMcpServer({ tools: [bad] });
    const result = await server.callTool("bad", {});
    assert.equal(result.isError, true);
    assert.match(result.content[0]!.text, /boom/);
    assert.equal(server.tools[0]!.annotations.destructiveHint, true);
    assert.equal(server.tools[0]!.annotations.readOnlyHint, false);
  });

  it("a tool that never finishes is cut at its timeout", async () => {
    const hang: Tool = {
      name: "hang",
      description: "hangs",
      parameters: { type: "object" },
      effect: "read",
      timeoutMs: 20,
      maxOutputChars: 100,
      call: () => new Promise(() => {}),
    };
    const result = await createMcpServer({ tools: [hang] }).callTool("hang", {});
    assert.equal(result.isError, true);
  });

  it("a blocking beforeToolCall gate stops the call before the tool runs", async () => {
    let ran = false;
    const tool = defineTool({
      name: "t",
      description: "t",
      input: v.object({}),
      run: async () => (ran = true),
    });
    const server = createMcpServer({
      tools: [tool],
      beforeToolCall: async () => ({ block: true, reason: "nope" }),
    });
    const result = await server.callTool("t", {});
    assert.equal(result.isError, true);
    assert.match(result.content[0]!.text, /Blocked by policy: nope/);
    assert.equal(ran, false);
  });

  it("hostile lines never crash the server and every request line gets one answer", async () => {
    const server = createMcpServer({ tools: [parseUrlTool()] });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.string().map((s) => s.replace(/\n/g, " ")),
            fc.json(),
            fc.record({
              jsonrpc: fc.constant("2.0"),
              id: fc.nat(),
              method: fc.constantFrom("tools/call", "tools/list", "ping", "x"),
              params: fc.anything(),
            }).map((r) => JSON.stringify(r)),
          ),
          { maxLength: 8 },
        ),
        async (input) => {
          const out = await run(server, lines(init, ...input.map((l) => l + "\n")));
          for (const m of out) assert.equal((m as { jsonrpc: string }).jsonrpc, "2.0");
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a tools/call without a name is -32602", async () => {
    const server = createMcpServer({ tools: [parseUrlTool()] });
    const out = await run(server, lines(init, { jsonrpc: "2.0", id: 2, method: "tools/call" }));
    assert.equal((out.find((m) => (m as { id: number }).id === 2) as any).error.code, -32602);
  });

  it("refuses tools given twice", () => {
    assert.throws(
      () => createMcpServer({ tools: [parseUrlTool(), parseUrlTool()] }),
      TypeError,
    );
  });
});

/** Arguments that run a TypeScript file with the current runtime's executable. */
function runtimeArgs(file: string): string[] {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno) return ["run", "-A", "--no-check", file];
  return [file];
}
