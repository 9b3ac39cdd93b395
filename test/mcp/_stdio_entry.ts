/**
 * A tiny `mikroclaw mcp` stand-in for the stdio tests: `parse_url`, plus `routeros_execute`
 * against the router named by `FAKE_ROUTER_URL` (writes off unless `ROUTEROS_ALLOW_WRITE=1`).
 * Run with the current runtime's executable.
 * @module
 */
import process from "node:process";
import { createMcpServer } from "../../lib/mcp/server.ts";
import { serveMcpStdio } from "../../lib/mcp/stdio.ts";
import { parseUrlTool } from "../../lib/tools/parse_url.ts";
import { routerosExecuteTool } from "../../lib/tools/routeros_execute.ts";
import { createRouterOS } from "../../lib/routeros/create_routeros.ts";
import { createRouterOSPolicy } from "../../lib/routeros/policy.ts";
import { createRouterOSExecutor } from "../../lib/routeros/executor.ts";
import type { Tool } from "../../lib/tools/types.ts";

const tools: Tool[] = [parseUrlTool()];
const url = process.env.FAKE_ROUTER_URL;
if (url) {
  const router = createRouterOS({
    url,
    user: process.env.FAKE_ROUTER_USER ?? "",
    password: process.env.FAKE_ROUTER_PASSWORD ?? "",
  });
  const policy = createRouterOSPolicy({ allowWrite: process.env.ROUTEROS_ALLOW_WRITE === "1" });
  tools.push(routerosExecuteTool(createRouterOSExecutor({ router, policy })));
}
// A log line on stderr proves logs never reach stdout.
process.stderr.write("mcp stdio entry ready\n");
await serveMcpStdio({
  server: createMcpServer({ tools, requestedBy: "mcp:stdio", secrets: ["s3cret-pass"] }),
});
