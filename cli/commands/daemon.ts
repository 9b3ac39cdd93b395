/** `mikroclaw daemon [--stop]`: `agent` detached, with a pid file and a log file. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs } from "../_args.ts";
import { loadCliConfig } from "../_context.ts";
import { notBuilt } from "../_not_built.ts";

const args = {
  ...globalArgs,
  stop: { type: "boolean", description: "Stop the running daemon" },
} as const;

const daemon = defineCommand({
  meta: {
    name: "daemon",
    description: "Run the agent detached (pid and log in MIKROCLAW_STATE_DIR); --stop stops it",
  },
  args,
  async run({ args }) {
    await loadCliConfig(args);
    notBuilt("daemon", "the daemon supervisor");
  },
});

export default daemon as CommandDef<any>;
