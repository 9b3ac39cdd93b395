/**
 * `mikroclaw config --dump [--json]`: the effective configuration, secrets only as set/unset;
 * `config --list [--json]`: every known setting with its default and description;
 * `config --routeros-script [--legacy]`: the router-side setup script from the same settings.
 */
import { type CommandDef, defineCommand } from "citty";
import { describeConfig } from "../../lib/config/load_config.ts";
import { SETTINGS } from "../../lib/config/settings.ts";
import { globalArgs, UsageError } from "../_args.ts";
import { loadCliConfig, print, printJson } from "../_context.ts";

const args = {
  ...globalArgs,
  dump: { type: "boolean", description: "Print the effective configuration" },
  json: { type: "boolean", description: "As JSON (with --dump or --list)" },
  list: { type: "boolean", description: "List every setting with its default and description" },
  "routeros-script": {
    type: "boolean",
    description:
      "Print the RouterOS .rsc that sets up the container, user and envs from these settings",
  },
  legacy: {
    type: "boolean",
    description: "With --routeros-script: syntax for RouterOS before 7.20",
  },
  image: {
    type: "string",
    description:
      "With --routeros-script: the image tar on the router's disk (e.g. mikroclaw-bun-arm64.tar); default: the Node image for the router's architecture-name",
  },
} as const;

const config = defineCommand({
  meta: {
    name: "config",
    description: "Print the effective configuration; every secret only as set / unset",
  },
  args,
  async run({ args }) {
    if (args.list && !args.dump) {
      if (args.json) return void printJson(SETTINGS);
      const width = Math.max(...SETTINGS.map((s) => s.name.length));
      return void print(
        SETTINGS.map((s) =>
          `${s.name.padEnd(width)}  ${s.description}${s.secret ? " (secret)" : ""}${
            s.default === undefined ? "" : ` [default: ${s.default}]`
          }`
        ).join("\n"),
      );
    }
    if (args["routeros-script"]) {
      const image = typeof args.image === "string" ? args.image : undefined;
      if (image !== undefined && !/^[A-Za-z0-9._-]+\.tar$/.test(image)) {
        throw new UsageError(
          `--image "${image}" is not an image file name; use one that npm run image builds, e.g. --image mikroclaw-bun-arm64.tar`,
        );
      }
      const loaded = await loadCliConfig(args);
      const { routerosSetupScript } = await import("../../lib/deploy/routeros_script.ts");
      return void print(
        routerosSetupScript(loaded, {
          env: process.env,
          legacy: args.legacy === true,
          imageFile: image,
        }),
      );
    }
    if (!args.dump || args.list) {
      throw new UsageError(
        "config needs --dump, --list or --routeros-script (run mikroclaw config --help)",
      );
    }
    const loaded = await loadCliConfig(args);
    const described = describeConfig(loaded);
    if (args.json) return void printJson(described);
    const lines: string[] = [];
    if (loaded.file) lines.push(`# file: ${loaded.file}`);
    let group = "";
    for (const setting of SETTINGS) {
      if (setting.group !== group) {
        group = setting.group;
        lines.push(`${lines.length > 0 ? "\n" : ""}# ${group}`);
      }
      const value = described[setting.name];
      const text = value === null || value === undefined
        ? "(unset)"
        : Array.isArray(value)
        ? value.join(",")
        : String(value);
      lines.push(`${setting.name}=${text}`);
    }
    print(lines.join("\n"));
  },
});

export default config as CommandDef<any>;
