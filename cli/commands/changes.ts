/** `mikroclaw changes [list|show ID|approve ID|deny ID|confirm ID|revert ID]`: router change records. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs } from "../_args.ts";
import { type ActionSpec, checkAction } from "../_action.ts";
import { loadCliConfig } from "../_context.ts";
import { gatewayClientArgs, gatewayUrl } from "../_gateway_client.ts";

const ACTIONS = ["list", "show", "approve", "deny", "confirm", "revert"];

const args = {
  ...globalArgs,
  action: {
    type: "positional",
    required: false,
    description: "list (default), show, approve, deny, confirm or revert",
  },
  id: { type: "positional", required: false, description: "Change id (all actions but list)" },
  ...gatewayClientArgs,
  force: { type: "boolean", description: "revert even if the router item changed since" },
} as const;

const ACTION: ActionSpec = {
  command: "changes",
  actions: ACTIONS,
  expected: ACTIONS.join(", "),
  operand: "a change id",
};

const changes = defineCommand({
  meta: {
    name: "changes",
    description: "List, show, approve, deny, confirm or revert router change records",
  },
  args,
  async run({ args }) {
    const action = checkAction(ACTION, args.action, args.id);
    const config = await loadCliConfig(args);
    const token = args.token ?? config.cli.token?.reveal();
    const { processOutput, runChangesCommand } = await import("../_gateway_commands.ts");
    return await runChangesCommand({
      action: action as "list",
      id: args.id,
      json: args.json,
      force: args.force,
      url: gatewayUrl(config, args.url),
      token,
      ...processOutput,
    });
  },
});

export default changes as CommandDef<any>;
