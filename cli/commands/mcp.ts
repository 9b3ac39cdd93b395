/** `mikroclaw mcp`: serves MikroClaw's tools over MCP on stdin/stdout. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs } from "../_args.ts";
import { loadCliConfig } from "../_context.ts";
import { configureLogger, logger } from "../_logger.ts";

const args = { ...globalArgs } as const;

const mcp = defineCommand({
  meta: { name: "mcp", description: "Serve MikroClaw's tools over MCP on stdin/stdout" },
  args,
  async run({ args }) {
    // Nothing but JSON-RPC may reach stdout: every log line goes to stderr.
    const config = await loadCliConfig(args);
    const { createRuntime } = await import("../../lib/runtime/mod.ts");
    const { createMcpServer, serveMcpStdio } = await import("../../lib/mcp/mod.ts");
    const runtime = await createRuntime({ config, logger });
    configureLogger({ secrets: runtime.secrets }); // with the values inside MCP_SERVERS
    try {
      const server = createMcpServer({
        tools: (await runtime.agentParts()).tools,
        secrets: runtime.secrets,
        requestedBy: "mcp:stdio",
        logger,
      });
      await serveMcpStdio({ server, requestedBy: "mcp:stdio", logger });
      return 0;
    } finally {
      await runtime.stop();
    }
  },
});

export default mcp as CommandDef<any>;
