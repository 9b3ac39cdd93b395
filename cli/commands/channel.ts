/** `mikroclaw channel [telegram|discord|slack] [--send TEXT --to ID]`: tests channel credentials. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs, UsageError } from "../_args.ts";
import { loadCliConfig, print } from "../_context.ts";
import { logger } from "../_logger.ts";

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

/** What a channel needs, from the integrations registry (`A|B` read as "A or B"). */
async function channelNeeds(name: string): Promise<string> {
  const { findIntegrations } = await import("../_integrations.ts");
  const found = findIntegrations(name).find((i) => i.kind === "channel");
  return (found?.needs ?? []).map((n) => n.replaceAll("|", " or ")).join(", ");
}

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
    const config = await loadCliConfig(args);
    const { configuredChannels } = await import("../../lib/runtime/channels.ts");
    // `check` and `sendTest` never run the agent; a channel object just needs one to exist.
    const idle = {
      run: () => Promise.reject(new Error("not used")),
      stream: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error("not used")) }),
      }),
      reset: () => {},
    };
    const channels = (await configuredChannels({ config, agent: idle, logger }))
      .filter((c) => args.name === undefined || c.name === args.name);
    if (channels.length === 0) {
      print(
        args.name
          ? `Channel ${args.name} is not configured (set ${await channelNeeds(args.name)})`
          : "No channel is configured (set BOT_TOKEN, DISCORD_BOT_TOKEN or SLACK_BOT_TOKEN)",
      );
      return 1;
    }
    let failed = false;
    for (const channel of channels) {
      const result = await channel.check();
      print(`${channel.name}: ${result.ok ? "ok" : "FAILED"} ${result.detail}`);
      if (!result.ok) failed = true;
      else if (args.send !== undefined && args.to !== undefined) {
        const sent = await channel.sendTest(args.to, args.send);
        print(`${channel.name}: ${sent.ok ? "sent" : "send FAILED"} ${sent.detail}`);
        if (!sent.ok) failed = true;
      }
    }
    return failed ? 1 : 0;
  },
});

export default channel as CommandDef<any>;
