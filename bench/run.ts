/**
 * `npm run bench`: runs every benchmark script in its own process (`--json`), prints one
 * table and writes `bench/RESULTS.md` (date, machine, runtime versions, every figure with
 * min/median/max, its baseline from the same run, the ratio and the target, and the method).
 *
 * `--quick` shrinks every count so the whole run takes under a minute (CI proves the scripts
 * work); it prints the table but leaves `bench/RESULTS.md` alone unless `--write` is given.
 * `--only footprint,gateway,agent_overhead,stream_parse,flood` runs a subset.
 * @module
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import process from "node:process";
import { markdownTable, ratios, type Report, type Row, stat, verdict } from "./_table.ts";
import {
  binary,
  commandFor,
  denoV8Flags,
  NODE_FLAGS,
  ROOT,
  type RuntimeName,
  RUNTIMES,
  startChild,
} from "./_util.ts";

/**
 * The scripts, in figure order, and whether each runs on every runtime (then it is the subject:
 * measured with the runtimes' heap flags and a forced GC available); the others are drivers that
 * run on plain Node and start their subjects themselves.
 */
const SCRIPTS: readonly [string, boolean][] = [
  ["footprint", false],
  ["gateway", false],
  ["agent_overhead", true],
  ["stream_parse", false],
  ["flood", false],
];

function version(runtime: string): string {
  try {
    const out = execFileSync(binary(runtime as "node"), ["--version"], { encoding: "utf8" });
    return out.split("\n")[0]!.trim();
  } catch {
    return "unavailable";
  }
}

/** The machine the numbers come from. */
export function machine(): string[] {
  const cpus = os.cpus();
  return [
    `Node runs with the container's heap flags (the router images' ENTRYPOINT): ${
      NODE_FLAGS.join(" ")
    }; Deno with the same V8 flags (${denoV8Flags()})`,
    `CPU: ${cpus[0]?.model ?? "unknown"} (nproc ${os.availableParallelism()})`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `OS: ${os.type()} ${os.release()} ${os.arch()}`,
    `runtimes: ${
      RUNTIMES.map((r) => `${r} ${version(r).replace(/^(deno|node|v)\s*/i, "")}`).join(", ")
    }`,
  ];
}

async function runScript(
  name: string,
  runtime: RuntimeName,
  everywhere: boolean,
  argv: string[],
): Promise<Report> {
  const file = join(ROOT, "bench", `${name}.ts`);
  const [cmd, args] = everywhere
    ? commandFor(runtime, file, [], { gc: true })
    : [binary("node"), [file]];
  const child = startChild(cmd, [...args, "--json", ...argv], { graceful: true });
  const m = await child.waitFor(/@@REPORT@@(.*)\n/, 10 * 60_000);
  await child.stop();
  return JSON.parse(m[1]!) as Report;
}

function summary(rows: readonly Row[]): string[] {
  return rows.filter((r) => r.target).map((r) => {
    const ratio = stat(ratios(r)).median;
    return `- ${verdict(r)}: ${r.figure}, ${r.name}: ${ratio.toFixed(2)}x (target ${r.target!.op} ${
      r.target!.ratio
    }x)`;
  });
}

async function main(argv: string[]): Promise<number> {
  const quick = argv.includes("--quick");
  const i = argv.indexOf("--only");
  const only = i < 0 ? undefined : argv[i + 1]!.split(",");
  const started = performance.now();
  const rows: Row[] = [];
  const methods: Record<string, string> = {};
  const failures: string[] = [];
  for (const [name, everywhere] of SCRIPTS) {
    if (only && !only.includes(name)) continue;
    for (const runtime of everywhere ? RUNTIMES : ["node" as const]) {
      process.stderr.write(
        `bench: ${name}${everywhere ? ` on ${runtime}` : ""}${quick ? " (quick)" : ""}\n`,
      );
      try {
        const report = await runScript(name, runtime, everywhere, quick ? ["--quick"] : []);
        rows.push(...report.rows);
        for (const [figure, method] of Object.entries(report.methods)) {
          if (!methods[figure]?.includes(method)) {
            methods[figure] = methods[figure] ? `${methods[figure]} ${method}` : method;
          }
        }
      } catch (error) {
        failures.push(
          `${name}${everywhere ? ` on ${runtime}` : ""}: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
      }
    }
  }
  rows.sort((a, b) => parseInt(a.figure) - parseInt(b.figure));
  const seconds = (performance.now() - started) / 1000;
  const date = new Date().toISOString();
  const table = markdownTable(rows);
  console.log(`\n${table}\n`);
  console.log(summary(rows).join("\n"));
  for (const f of failures) console.error(`Cannot run benchmark ${f}`);
  console.log(`\n${quick ? "quick run" : "full run"} took ${seconds.toFixed(0)} s`);
  if (!quick || argv.includes("--write")) {
    const text = [
      "# MikroClaw benchmark results",
      "",
      `Measured ${date} by \`npm run bench${quick ? " -- --quick" : ""}\` in ${
        seconds.toFixed(0)
      } s.`,
      "Every figure is the ratio to a baseline measured in the same run (run by run; the ratio column",
      "shows the median and range of those ratios), with the absolute values for reference.",
      "",
      "## Machine",
      "",
      ...machine().map((l) => `- ${l}`),
      "",
      "## Results",
      "",
      table,
      "",
      "## Targets",
      "",
      ...summary(rows),
      "",
      "What dominates each miss, with the profiles and what was tried: [`PROFILES.md`](PROFILES.md).",
      ...(failures.length ? ["", "## Failed", "", ...failures.map((f) => `- ${f}`)] : []),
      "",
      "## Method",
      "",
      ...Object.entries(methods).sort().map(([figure, method]) => `- **${figure}**: ${method}`),
      "",
    ].join("\n");
    writeFileSync(join(ROOT, "bench/RESULTS.md"), text);
    console.log("wrote bench/RESULTS.md");
  }
  return failures.length ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
