/** `mikroclaw channel [telegram|discord|slack] [--send TEXT --to ID]`: tests channel credentials. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs, UsageError } from "../_args.ts";
import { loadCliConfig } from "../_context.ts";
import { notBuilt } from "../_not_built.ts";

const CHANNELS = ["telegram", "discord", "slack"];

const args = {
  ...globalArgs,
  name: {
    type: "positional",
    required: false,
    description: "telegram, discord or slack (default: every configured channel)",
  },
  send: { type: "string", description: "Also send this text", valueHint: "TEXT" },
  to: { type: "string", description: "Recipient id for --send", valueHint: "ID" },
} as const;

const channel = defineCommand({
  meta: {
    name: "channel",
    description: "Test channel credentials (getMe / identity calls), optionally send a message",
  },
  args,
  async run({ args }) {
    if (args.name !== undefined && !CHANNELS.includes(args.name)) {
      throw new UsageError(`Unknown channel "${args.name}" (expected ${CHANNELS.join(", ")})`);
    }
    if ((args.send === undefined) !== (args.to === undefined)) {
      throw new UsageError("Options --send and --to go together");
    }
    await loadCliConfig(args);
    notBuilt("channel", "the channel check");
  },
});

export default channel as CommandDef<any>;
