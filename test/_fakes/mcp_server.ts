/**
 * A third-party MCP server built with the official `@modelcontextprotocol/sdk`, for the
 * MCP client tests: over stdio (run this file with the current runtime) or Streamable HTTP
 * (`startFakeMcpHttpServer`, served on 127.0.0.1 with `serveLocal`).
 *
 * Tools: `echo {text}` (returns what it received, as JSON), `lookup {key}` (read-only,
 * annotated `readOnlyHint`), `fail {}` (an `isError` result), `env {}` (the environment
 * variable names it was started with), `slow {}` (never answers).
 *
 * ```ts
 * const fake = await startFakeMcpHttpServer({ token: "t" });  // { url, calls, close }
 * fake.calls                                                  // [{ tool, args }]
 * ```
 * @module
 */
import process from "node:process";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";
import { serveLocal } from "../_utils/serve.ts";

/** One tool call the fake received. */
export interface FakeMcpCall {
  tool: string;
  args: unknown;
}

/** Extra behaviour of a hostile or careless server. */
export interface FakeMcpExtras {
  /** Offers this many more tools (`t0` … `tN`). */
  extraTools?: number;
  /** Adds `whoami {}`, answering (and failing with) the Authorization header it received. */
  whoami?: () => string | null;
}

/** Builds the SDK server; `calls` records every tool call. */
export function createFakeMcpServer(
  calls: FakeMcpCall[] = [],
  extras: FakeMcpExtras = {},
): McpServer {
  const server = new McpServer({ name: "fake-mcp", version: "1.0.0" });
  for (let i = 0; i < (extras.extraTools ?? 0); i++) {
    server.registerTool(`t${i}`, { description: `Extra tool ${i}` }, async () => ({
      content: [{ type: "text", text: `t${i}` }],
    }));
  }
  const whoami = extras.whoami;
  if (whoami) {
    server.registerTool("whoami", { description: "Echo the bearer" }, async () => ({
      content: [{ type: "text", text: `you sent: ${whoami()}` }],
    }));
    server.registerTool("whoami_fail", { description: "Fail with the bearer" }, () => {
      throw new Error(`bad request from ${whoami()}`);
    });
  }
  server.registerTool("echo", {
    description: "Echo the text back",
    inputSchema: { text: z.string() },
  }, async (args) => {
    calls.push({ tool: "echo", args });
    return { content: [{ type: "text", text: JSON.stringify({ received: args }) }] };
  });
  server.registerTool("lookup", {
    description: "Look a key up",
    inputSchema: { key: z.string() },
    annotations: { readOnlyHint: true },
  }, async (args) => {
    calls.push({ tool: "lookup", args });
    return { content: [{ type: "text", text: `value-of-${args.key}` }] };
  });
  server.registerTool("fail", { description: "Always fails" }, async () => {
    calls.push({ tool: "fail", args: {} });
    return { content: [{ type: "text", text: "it broke" }], isError: true };
  });
  server.registerTool("env", { description: "Names of the environment variables" }, async () => {
    return { content: [{ type: "text", text: JSON.stringify(Object.keys(process.env).sort()) }] };
  });
  server.registerTool("slow", { description: "Never answers" }, () => new Promise(() => {}));
  return server;
}

/** A running HTTP fake. */
export interface FakeMcpHttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  url: string;
  calls: FakeMcpCall[];
  /** Authorization headers seen. */
  authorizations: (string | null)[];
  close(): Promise<void>;
}

/** Serves the fake over Streamable HTTP; requests without `Bearer <token>` get 401. */
export async function startFakeMcpHttpServer(
  options: { token?: string; extraTools?: number; echoBearer?: boolean } = {},
): Promise<FakeMcpHttpServer> {
  const calls: FakeMcpCall[] = [];
  const authorizations: (string | null)[] = [];
  const server = createFakeMcpServer(calls, {
    ...(options.extraTools ? { extraTools: options.extraTools } : {}),
    ...(options.echoBearer ? { whoami: () => authorizations.at(-1) ?? null } : {}),
  });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => crypto.randomUUID(),
  });
  await server.connect(transport);
  const local = await serveLocal((request) => {
    authorizations.push(request.headers.get("authorization"));
    if (new URL(request.url).pathname !== "/mcp") return new Response("not found", { status: 404 });
    if (options.token && request.headers.get("authorization") !== `Bearer ${options.token}`) {
      return new Response("unauthorized", { status: 401 });
    }
    return transport.handleRequest(request);
  });
  return {
    url: `${local.url}/mcp`,
    calls,
    authorizations,
    async close() {
      await server.close();
      await local.close();
    },
  };
}

if (import.meta.main) {
  await createFakeMcpServer().connect(new StdioServerTransport());
}
