/** `mikroclaw doctor [--json]`: checks configuration and each configured service. */
import { type CommandDef, defineCommand } from "citty";
import { globalArgs } from "../_args.ts";
import { loadCliConfig, print, printJson } from "../_context.ts";
import { PROBES, runDoctor } from "../_doctor.ts";
import { NETWORK_PROBES } from "../_doctor_network.ts";

const args = {
  ...globalArgs,
  json: { type: "boolean", description: "Print JSON" },
  offline: { type: "boolean", description: "Skip checks that use the network" },
} as const;

const doctor = defineCommand({
  meta: {
    name: "doctor",
    description: "Check the configuration and each configured service; print a fix per problem",
  },
  args,
  async run({ args }) {
    const config = await loadCliConfig(args);
    const checks = await runDoctor(config, [...PROBES, ...NETWORK_PROBES], {
      offline: args.offline === true,
    });
    const ok = checks.every((c) => c.ok);
    if (args.json) printJson({ ok, checks });
    else {
      const lines = checks.map((c) =>
        `${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}${
          !c.ok && c.fix ? `\n     fix: ${c.fix}` : ""
        }`
      );
      lines.push(
        ok ? "All checks passed" : `${checks.filter((c) => !c.ok).length} problem(s) found`,
      );
      print(lines.join("\n"));
    }
    return ok ? 0 : 1;
  },
});

export default doctor as CommandDef<any>;
