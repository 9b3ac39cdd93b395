/** `mikroclaw status [--json]`: asks a running gateway's /health. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs } from "../_args.ts";
import { loadCliConfig } from "../_context.ts";
import { notBuilt } from "../_not_built.ts";

const args = {
  ...globalArgs,
  json: { type: "boolean", description: "Print JSON" },
  url: {
    type: "string",
    description: "Gateway URL (default: http://GATEWAY_BIND:GATEWAY_PORT)",
    valueHint: "URL",
  },
} as const;

const status = defineCommand({
  meta: {
    name: "status",
    description: "Ask a running gateway for its components, uptime and version",
  },
  args,
  async run({ args }) {
    await loadCliConfig(args);
    notBuilt("status", "the status client");
  },
});

export default status as CommandDef<any>;
