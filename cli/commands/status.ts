/** `mikroclaw status [--json]`: asks a running gateway's /health. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs } from "../_args.ts";
import { loadCliConfig, print, printJson } from "../_context.ts";
import { gatewayUrl } from "../_gateway_client.ts";

const args = {
  ...globalArgs,
  json: { type: "boolean", description: "Print JSON" },
  url: {
    type: "string",
    description: "Gateway URL (default: http://GATEWAY_BIND:GATEWAY_PORT)",
    valueHint: "URL",
  },
} as const;

interface HealthBody {
  status?: string;
  components?: Record<string, boolean>;
  uptime_s?: number;
  version?: string;
}

const status = defineCommand({
  meta: {
    name: "status",
    description: "Ask a running gateway for its components, uptime and version",
  },
  args,
  async run({ args }) {
    const config = await loadCliConfig(args);
    const base = gatewayUrl(config, args.url);
    const token = config.cli.token?.reveal();
    let body: HealthBody;
    try {
      const res = await fetch(`${base}/health`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(5000),
      });
      body = await res.json() as HealthBody;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (args.json) printJson({ up: false, url: base, error: reason });
      else print(`MikroClaw gateway at ${base} is down (${reason})`);
      return 1;
    }
    // A token the gateway accepts always brings uptime and version; without them it refused it.
    const refused = token !== undefined && body.uptime_s === undefined;
    if (args.json) {
      printJson({ up: true, url: base, ...body, ...(refused ? { token: "refused" } : {}) });
      return 0;
    }
    print(`MikroClaw gateway at ${base}: ${body.status ?? "unknown"}`);
    for (const [name, ok] of Object.entries(body.components ?? {})) {
      print(`  ${name.padEnd(9)} ${ok ? "ok" : "down"}`);
    }
    if (body.version) print(`  version   ${body.version}`);
    if (body.uptime_s !== undefined) print(`  uptime    ${body.uptime_s} s`);
    else if (refused) {
      print(
        "  (the gateway refused MIKROCLAW_TOKEN: it is wrong, expired or revoked; pair again with POST /pair)",
      );
    } else print("  (set MIKROCLAW_TOKEN to a gateway token to see uptime and version)");
    return 0;
  },
});

export default status as CommandDef<any>;
