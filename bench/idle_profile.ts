/**
 * Where the idle RSS goes on Deno and Bun (issue #19, figure 2's misses): four servers, each in
 * its own process, idle 2 s after their first answer — the runtime's bare server, the bare
 * Hono app, the bare server after importing every file of the gateway's core (the code loaded
 * and its top-level evaluated, nothing started), and the bundle running `gateway`. For each:
 * VmRSS split into anonymous and file-backed pages (`/proc/<pid>/smaps_rollup`), and after a
 * forced full GC the JS heap used / reserved and the memory outside it (`process.memoryUsage()`
 * via `bench/_gc_entry.ts`). The steps between rows say what loading code costs, what starting
 * the gateway costs, and how much of it is live JS objects.
 *
 * Run: `node bench/idle_profile.ts [--runtimes deno,bun] [--rounds 3]`.
 * @module
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import process from "node:process";
import { buildBundle } from "../scripts/build.ts";
import { bundleScript } from "./_bundle.ts";
import { gcCommand } from "./gateway.ts";
import { freePort, median, type RuntimeName, sleep, startChild, waitFor200 } from "./_util.ts";

type Subject = "raw" | "hono" | "builtins" | "touch" | "core" | "gateway";
const NAMES: Record<Subject, string> = {
  raw: "bare runtime server",
  hono: "bare Hono",
  builtins: "bare Hono + the core's node: built-ins imported",
  touch: "bare Hono + a SHA-256 digest, random bytes, a file stat, a timer",
  core: "bare server + core files imported",
  gateway: "gateway bundle",
};

interface Reading {
  rss: number;
  anon: number;
  file: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

/** `Rss` and `Anonymous` of `/proc/<pid>/smaps_rollup`, MiB. */
function pages(pid: number): { rss: number; anon: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kib = (name: string) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+)`, "m"))![1]);
  return { rss: kib("Rss") / 1024, anon: kib("Anonymous") / 1024 };
}

async function measure(runtime: RuntimeName, script: string, args: string[], env: object) {
  const port = await freePort();
  const [cmd, argv] = gcCommand(runtime, [
    script,
    ...args,
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
  ]);
  const child = startChild(cmd, argv, { env: env as Record<string, string> });
  try {
    await waitFor200(`http://127.0.0.1:${port}/health/heartbeat`).catch((e) => {
      throw new Error(`${e.message}: ${cmd} ${argv.join(" ")}\n${child.stdout()}`);
    });
    await sleep(2000);
    const before = pages(child.pid);
    process.kill(child.pid, "SIGUSR2");
    const m = await child.waitFor(/@@MEM1:(\{.*\})@@/, 10_000);
    const usage = JSON.parse(m[1]!) as { heapUsed: number; heapTotal: number; external: number };
    const mib = (n: number) => n / 2 ** 20;
    return {
      rss: before.rss,
      anon: before.anon,
      file: before.rss - before.anon,
      heapUsed: mib(usage.heapUsed),
      heapTotal: mib(usage.heapTotal),
      external: mib(usage.external),
    } satisfies Reading;
  } finally {
    await child.stop();
  }
}

const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};

const runtimes = (flag("--runtimes") ?? "deno,bun").split(",") as RuntimeName[];
const rounds = Number(flag("--rounds") ?? 3);
const work = await mkdtemp(join(tmpdir(), "mikroclaw-idle-profile-"));
try {
  const built = await buildBundle(join(work, "dist"));
  const hono = join(work, "baseline_hono.mjs");
  const raw = join(work, "baseline_raw.mjs");
  await bundleScript("bench/baseline_hono.ts", hono);
  await bundleScript("bench/_baseline_raw.ts", raw);
  // the Hono baseline starts only as a main module; under bench/_gc_entry.ts it is imported
  const honoMain = join(work, "baseline_hono_main.mjs");
  await writeFile(
    honoMain,
    `import process from "node:process";\nimport { startBaselineHono } from "./baseline_hono.mjs";\n` +
      `const port = Number(process.argv[process.argv.indexOf("--port") + 1]);\n` +
      "console.log(`listening on ${await startBaselineHono(port)}`);\n",
  );
  // every core file but the entry (which would run the CLI), then the bare server
  const dir = dirname(built.core);
  const coreEntry = join(dir, "_core_only.mjs");
  const imports = Object.keys(built.coreFiles)
    .filter((f) => f !== basename(built.core))
    .map((f) => `import "./${f}";`);
  await writeFile(coreEntry, `${imports.join("\n")}\nawait import(${JSON.stringify(raw)});\n`);
  // every `node:` module the core files name (static or dynamic), then the Hono baseline
  const builtins = new Set<string>();
  for (const f of Object.keys(built.coreFiles)) {
    for (const m of readFileSync(join(dir, f), "utf8").matchAll(/["'](node:[a-z_/]+)["']/g)) {
      builtins.add(m[1]!);
    }
  }
  const builtinsEntry = join(work, "hono_builtins.mjs");
  await writeFile(
    builtinsEntry,
    `${
      [...builtins].map((b) => `import "${b}";`).join("\n")
    }\nawait import("./baseline_hono_main.mjs");\n`,
  );
  const env = { ...process.env, HOME: join(work, "home"), LOG_LEVEL: "warn" };

  // runtime services the gateway's start and first request use, without any of our code
  const touchEntry = join(work, "hono_touch.mjs");
  await writeFile(
    touchEntry,
    `import { stat } from "node:fs/promises";\n` +
      `await crypto.subtle.digest("SHA-256", new TextEncoder().encode("x"));\n` +
      `crypto.getRandomValues(new Uint8Array(32));\n` +
      `await stat("/nonexistent/mikroclaw.json").catch(() => {});\n` +
      `setInterval(() => {}, 1000);\n` +
      `await import("./baseline_hono_main.mjs");\n`,
  );
  const scripts: Record<Subject, [string, string[]]> = {
    raw: [raw, []],
    hono: [honoMain, []],
    builtins: [builtinsEntry, []],
    touch: [touchEntry, []],
    core: [coreEntry, []],
    gateway: [built.core, ["gateway"]],
  };
  process.stderr.write(`idle profile: core built-ins ${[...builtins].join(" ")}\n`);
  const lines = [
    `Idle profile, ${
      new Date().toISOString().slice(0, 10)
    }, medians of ${rounds} rounds (MiB; core: ${built.coreBytes} bytes in ${
      Object.keys(built.coreFiles).length
    } files)`,
    "",
    "| runtime | server | RSS | anonymous | file-backed | JS heap used after GC | JS heap reserved | external |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const runtime of runtimes) {
    const got: Record<Subject, Reading[]> = {
      raw: [],
      hono: [],
      builtins: [],
      touch: [],
      core: [],
      gateway: [],
    };
    for (let r = 0; r < rounds; r++) {
      for (const s of Object.keys(NAMES) as Subject[]) {
        got[s].push(await measure(runtime, scripts[s][0], scripts[s][1], env));
      }
      process.stderr.write(`idle profile: ${runtime} round ${r + 1}/${rounds}\n`);
    }
    for (const s of Object.keys(NAMES) as Subject[]) {
      const med = (k: keyof Reading) => median(got[s].map((x) => x[k])).toFixed(1);
      lines.push(
        `| ${runtime} | ${NAMES[s]} | ${med("rss")} | ${med("anon")} | ${med("file")} | ${
          med("heapUsed")
        } | ${med("heapTotal")} | ${med("external")} |`,
      );
    }
  }
  console.log(lines.join("\n"));
} finally {
  await rm(work, { recursive: true, force: true });
}
