/** `mikroclaw agent`: every configured channel plus the gateway, until SIGINT/SIGTERM. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs } from "../_args.ts";
import { loadCliConfig } from "../_context.ts";
import { runServer } from "../_run_server.ts";

const args = { ...globalArgs } as const;

const agent = defineCommand({
  meta: {
    name: "agent",
    description: "Run the agent: every configured channel, plus the gateway",
  },
  args,
  async run({ args }) {
    const config = await loadCliConfig(args);
    const { checkListenAddress, listenFailure } = await import("../_listen_check.ts");
    await checkListenAddress(config.gateway.bind);
    return await runServer({ config, channels: true }).catch((error: unknown) =>
      listenFailure(config.gateway.bind, error)
    );
  },
});

export default agent as CommandDef<any>;
