/** `mikroclaw mcp`: serves MikroClaw's tools over MCP on stdin/stdout. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs } from "../_args.ts";
import { loadCliConfig } from "../_context.ts";
import { notBuilt } from "../_not_built.ts";

const args = { ...globalArgs } as const;

const mcp = defineCommand({
  meta: { name: "mcp", description: "Serve MikroClaw's tools over MCP on stdin/stdout" },
  args,
  async run({ args }) {
    await loadCliConfig(args);
    notBuilt("mcp", "the MCP server");
  },
});

export default mcp as CommandDef<any>;
