/**
 * `mikroclaw jobs [list|add|remove ID|run ID|confirm ID|netwatch]`: scheduled jobs of a running
 * gateway; `netwatch --host H` pairs a token for the router and prints its netwatch entry.
 */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs, UsageError } from "../_args.ts";
import { loadCliConfig } from "../_context.ts";
import { gatewayClientArgs, gatewayUrl } from "../_gateway_client.ts";

const ACTIONS = ["list", "add", "remove", "run", "confirm", "netwatch"];

const args = {
  ...globalArgs,
  action: {
    type: "positional",
    required: false,
    description: "list (default), add, remove, run, confirm (a proposed job) or netwatch",
  },
  id: { type: "positional", required: false, description: "Job id (remove, run, confirm)" },
  schedule: {
    type: "string",
    description: 'add: 5-field cron ("0 8 * * 1"), "every 15m" or "at 2026-03-29T08:00"',
    valueHint: "SCHEDULE",
  },
  prompt: { type: "string", description: "add: what the agent is asked", valueHint: "TEXT" },
  recipe: { type: "string", description: "add: investigate or analyze", valueHint: "RECIPE" },
  tz: {
    type: "string",
    description: "add: IANA time zone (default: the router's, else TZ, else UTC)",
    valueHint: "ZONE",
  },
  notify: {
    type: "string",
    description: "add: where results go (telegram:<id>, discord:<id>, slack:<id>)",
    valueHint: "TARGET",
  },
  host: { type: "string", description: "netwatch: the host to watch", valueHint: "HOST" },
  "router-url": {
    type: "string",
    description: "netwatch: the gateway URL as the router reaches it (default: --url)",
    valueHint: "URL",
  },
  ...gatewayClientArgs,
} as const;

const ADD_ONLY = ["schedule", "prompt", "recipe", "tz", "notify"] as const;

/** Pairs a new token (for the router) and prints its `/tool netwatch` entry. */
async function printNetwatch(
  base: string,
  token: string | undefined,
  host: string,
  routerUrl: string,
) {
  const [{ createGatewayCall }, { netwatchScript }] = await Promise.all([
    import("../../lib/changes/client.ts"),
    import("../../lib/deploy/netwatch_script.ts"),
  ]);
  const { code } = await createGatewayCall({ url: base, token })<{ code: string }>(
    "POST",
    "/pair/codes",
  );
  const paired = await fetch(`${base}/pair`, {
    method: "POST",
    headers: { "x-pairing-code": code },
  });
  if (!paired.ok) throw new Error(`Cannot pair a token for the router: HTTP ${paired.status}`);
  const { token: routerToken } = await paired.json() as { token: string };
  const script = netwatchScript({
    host,
    eventsUrl: `${routerUrl.replace(/\/+$/, "")}/watch/events`,
    token: routerToken,
  });
  process.stdout.write(
    `# Paste into the router terminal. It holds a new gateway token for the router only.\n${script}\n`,
  );
}

const jobs = defineCommand({
  meta: { name: "jobs", description: "List, add, remove, run or confirm scheduled jobs" },
  args,
  async run({ args }) {
    const action = args.action ?? "list";
    if (!ACTIONS.includes(action)) {
      throw new UsageError(`Unknown action "${action}" (expected ${ACTIONS.join(", ")})`);
    }
    if ((action === "netwatch") !== (args.host !== undefined)) {
      throw new UsageError(
        action === "netwatch" ? "jobs netwatch needs --host" : '--host is only for "jobs netwatch"',
      );
    }
    const needsId = action === "remove" || action === "run" || action === "confirm";
    if (needsId && args.id === undefined) throw new UsageError(`jobs ${action} needs a job id`);
    if (!needsId && args.id !== undefined) {
      throw new UsageError(`Unexpected argument ${JSON.stringify(args.id)} for "jobs ${action}"`);
    }
    if (action === "add") {
      if (args.schedule === undefined) {
        throw new UsageError('jobs add needs --schedule (e.g. --schedule "0 8 * * 1")');
      }
      if ((args.prompt === undefined) === (args.recipe === undefined)) {
        throw new UsageError("jobs add needs exactly one of --prompt or --recipe");
      }
    } else {
      const stray = ADD_ONLY.find((name) => args[name] !== undefined);
      if (stray) throw new UsageError(`--${stray} is only for "jobs add"`);
    }
    const config = await loadCliConfig(args);
    const token = args.token ?? config.cli.token?.reveal();
    const url = gatewayUrl(config, args.url);
    if (action === "netwatch") {
      try {
        await printNetwatch(url, token, args.host!, args["router-url"] ?? url);
        return 0;
      } catch (error) {
        process.stderr.write(`Cannot make the netwatch entry: ${(error as Error).message}\n`);
        return 1;
      }
    }
    const { processOutput, runJobsCommand } = await import("../_gateway_commands.ts");
    return await runJobsCommand({
      action: action as "list",
      id: args.id,
      json: args.json,
      ...(action === "add"
        ? {
          spec: {
            schedule: args.schedule!,
            ...(args.prompt === undefined ? {} : { prompt: args.prompt }),
            ...(args.recipe === undefined
              ? {}
              : { recipe: args.recipe as "investigate" | "analyze" }),
            ...(args.tz === undefined ? {} : { tz: args.tz }),
            ...(args.notify === undefined ? {} : { notify: args.notify }),
          },
        }
        : {}),
      url,
      token,
      ...processOutput,
    });
  },
});

export default jobs as CommandDef<any>;
