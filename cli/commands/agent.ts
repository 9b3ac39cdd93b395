/** `mikroclaw agent`: every configured channel plus the gateway, until SIGINT/SIGTERM. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs } from "../_args.ts";
import { loadCliConfig } from "../_context.ts";
import { notBuilt } from "../_not_built.ts";

const args = { ...globalArgs } as const;

const agent = defineCommand({
  meta: {
    name: "agent",
    description: "Run the agent: every configured channel, plus the gateway",
  },
  args,
  async run({ args }) {
    await loadCliConfig(args);
    notBuilt("agent", "the agent runner (channels + gateway wiring)");
  },
});

export default agent as CommandDef<any>;
