/** `mikroclaw gateway`: the HTTP gateway and task workers only (no chat channels). */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs, UsageError } from "../_args.ts";
import { loadCliConfig } from "../_context.ts";
import { runServer } from "../_run_server.ts";

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
    // --host is GATEWAY_BIND: one validation (pairing off only on loopback) for every source.
    const config = await loadCliConfig(args, { GATEWAY_BIND: args.host });
    const { checkListenAddress, listenFailure } = await import("../_listen_check.ts");
    await checkListenAddress(config.gateway.bind);
    return await runServer({
      config,
      channels: false,
      port: args.port === undefined ? undefined : Number(args.port),
    }).catch((error: unknown) => listenFailure(config.gateway.bind, error));
  },
});

export default gateway as CommandDef<any>;
