/** `mikroclaw integrations [list|info NAME]`: providers, channels, tools and services. */
import { type CommandDef, defineCommand } from "citty";
import { AgentError, ErrorCode } from "../../lib/errors.ts";
import { globalArgs } from "../_args.ts";
import { type ActionSpec, checkAction } from "../_action.ts";
import { loadCliConfig, print, printJson } from "../_context.ts";
import { findIntegrations, listIntegrations } from "../_integrations.ts";

const args = {
  ...globalArgs,
  action: { type: "positional", required: false, description: "list (default) or info" },
  name: { type: "positional", required: false, description: "Integration name (with info)" },
  json: { type: "boolean", description: "Print JSON" },
} as const;

const ACTION: ActionSpec = {
  command: "integrations",
  actions: ["list", "info"],
  expected: "list or info NAME",
  operand: "a NAME",
};

const integrations = defineCommand({
  meta: {
    name: "integrations",
    description: "List providers, channels, tools and services: configured or not, what each needs",
  },
  args,
  async run({ args }) {
    // An empty NAME counts as none.
    const action = checkAction(ACTION, args.action, args.name || undefined);
    const config = await loadCliConfig(args);
    if (action === "list") {
      const rows = listIntegrations().map((i) => ({
        name: i.name,
        kind: i.kind,
        configured: i.configured(config),
        needs: i.needs,
        description: i.description,
      }));
      if (args.json) return void printJson(rows);
      const lines: string[] = [];
      let kind = "";
      for (const row of rows) {
        if (row.kind !== kind) {
          kind = row.kind;
          lines.push(`${lines.length > 0 ? "\n" : ""}${kind}s:`);
        }
        lines.push(
          `  ${row.configured ? "[x]" : "[ ]"} ${row.name.padEnd(18)} ${row.description}${
            row.needs.length > 0 ? ` (needs ${row.needs.join(", ")})` : ""
          }`,
        );
      }
      return void print(lines.join("\n"));
    }
    const found = findIntegrations(args.name!);
    if (found.length === 0) {
      throw new AgentError(
        `Cannot show integration "${
          args.name!.slice(0, 40)
        }": unknown name (run mikroclaw integrations list)`,
        { code: ErrorCode.NotConfigured },
      );
    }
    const infos = await Promise.all(found.map(async (i) => ({
      name: i.name,
      kind: i.kind,
      description: i.description,
      configured: i.configured(config),
      needs: i.needs,
      ...(i.details ? { details: await i.details(config) } : {}),
    })));
    if (args.json) return void printJson(infos.length === 1 ? infos[0] : infos);
    print(
      infos.map((i) =>
        [
          `${i.name} (${i.kind}): ${i.description}`,
          `  configured:     ${i.configured ? "yes" : "no"}`,
          `  needs:          ${i.needs.length > 0 ? i.needs.join(", ") : "nothing"}`,
          ...Object.entries(i.details ?? {}).map(([k, v]) => `  ${(k + ":").padEnd(15)} ${v}`),
        ].join("\n")
      ).join("\n\n"),
    );
  },
});

export default integrations as CommandDef<any>;
