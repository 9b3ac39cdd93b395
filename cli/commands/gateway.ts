/** `mikroclaw gateway`: the HTTP gateway and task workers only (no chat channels). */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs, UsageError } from "../_args.ts";
import { loadCliConfig } from "../_context.ts";
import { notBuilt } from "../_not_built.ts";

const args = {
  ...globalArgs,
  port: { type: "string", description: "Port (overrides GATEWAY_PORT)", valueHint: "N" },
  host: { type: "string", description: "Bind address (overrides GATEWAY_BIND)", valueHint: "H" },
} as const;

const gateway = defineCommand({
  meta: {
    name: "gateway",
    description: "Run the HTTP gateway and task workers only (no chat channels)",
  },
  args,
  async run({ args }) {
    if (args.port !== undefined && (!/^\d{1,5}$/.test(args.port) || Number(args.port) > 65535)) {
      throw new UsageError(
        `Invalid value ${JSON.stringify(args.port)} for --port (expected 0-65535)`,
      );
    }
    await loadCliConfig(args);
    notBuilt("gateway", "the gateway server");
  },
});

export default gateway as CommandDef<any>;
