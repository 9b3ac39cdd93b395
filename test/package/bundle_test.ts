import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { bin, ROOT, spawnProcess } from "../examples/_spawn.ts";

// Builds the bundle once into a temp dir (esbuild only, ~1 s) and runs it on all three runtimes.
// The budget counts what `gateway` loads (the entry and its static imports); optional parts
// are files of their own beside it, loaded only when configured.
const BUDGET = 153_600;
let outdir: string;
let result: {
  coreBytes: number;
  core: string;
  top: [string, number][];
  split: Record<string, number>;
  coreInputs: string[];
  mapsDir: string;
  reachable: string[];
};

const RUNTIMES: [string, string, string[]][] = [
  ["node", bin("node"), []],
  ["deno", bin("deno"), ["run", "-A"]],
  ["bun", bin("bun"), []],
];

describe("dist/router/ (the bundle)", () => {
  before(() => {
    outdir = mkdtempSync(join(tmpdir(), "mikroclaw-bundle-"));
    const run = spawnSync(bin("node"), [
      "scripts/build.ts",
      "--bundle-only",
      "--json",
      "--outdir",
      outdir,
    ], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const line = run.stdout.trim().split("\n").pop() ?? "";
    assert.ok(line.startsWith("{"), `build printed no result (exit ${run.status}):\n${run.stderr}`);
    result = JSON.parse(line);
  });
  after(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
    if (result?.mapsDir) rmSync(result.mapsDir, { recursive: true, force: true });
  });

  it("holds only files the runtime loads: no map, nothing unreachable from mikroclaw.mjs", () => {
    const files = readdirSync(outdir).sort();
    assert.ok(files.includes("mikroclaw.mjs"));
    assert.ok(!files.some((f) => f.endsWith(".map")), "a source map in the router folder");
    // reachable = the entry's static and dynamic imports, followed through esbuild's metafile
    assert.deepEqual(files, [...result.reachable].sort());
    const maps = readdirSync(result.mapsDir);
    assert.ok(maps.includes("mikroclaw.mjs.map"), "maps are beside the router folder");
    assert.ok(existsSync(join(result.mapsDir, `${files.find((f) => f !== "mikroclaw.mjs")}.map`)));
  });

  it(`is at most ${BUDGET} bytes (npm run build fails above it)`, () => {
    assert.ok(
      result.coreBytes <= BUDGET,
      `core is ${result.coreBytes} bytes; largest parts: ${
        result.top.slice(0, 10).map(([p, b]) => `${p} ${b}`).join(", ")
      }`,
    );
  });

  it("keeps optional parts (Redis, Discord, Slack, MCP, RouterOS, changes, jobs, console) out of the core", () => {
    for (
      const part of [
        "ioredis",
        "channels/discord",
        "channels/slack",
        "tmcp",
        "routeros/console",
        "changes/",
        "lib/jobs/",
        "croner",
        "lib/console/",
        // the agent's half loads on the first turn, and tool schemas are precomputed
        "@valibot/to-json-schema",
        "agent/create_agent",
        "runtime/builtin_tools",
      ]
    ) {
      assert.ok(!result.coreInputs.some((p) => p.includes(part)), `${part} is in the core`);
    }
    assert.ok(Object.keys(result.split).length > 10, "lazy parts are files of their own");
  });

  for (const [name, runtime, flags] of RUNTIMES) {
    it(`runs --help under ${name}`, () => {
      const run = spawnSync(runtime, [...flags, join(outdir, "mikroclaw.mjs"), "--help"], {
        cwd: ROOT,
        encoding: "utf8",
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/tmp",
          NO_COLOR: "1",
          DENO_NO_UPDATE_CHECK: "1",
        },
      });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /USAGE mikroclaw/);
      assert.match(run.stdout, /gateway/);
    });

    it(`starts the gateway and answers GET /health under ${name}`, async () => {
      const proc = spawnProcess(runtime, [
        ...flags,
        join(outdir, "mikroclaw.mjs"),
        "gateway",
        "--port",
        "0",
      ], {
        DENO_NO_UPDATE_CHECK: "1",
        MIKROCLAW_STORAGE: "memory",
      });
      try {
        const [, url] = await proc.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        const health = await fetch(`${url}/health`);
        assert.equal(health.status, 200);
        const body = await health.json() as { status: string; components: { gateway: boolean } };
        assert.ok(["ok", "degraded"].includes(body.status));
        assert.equal(body.components.gateway, true);
        const heartbeat = await fetch(`${url}/health/heartbeat`);
        assert.deepEqual(await heartbeat.json(), { heartbeat: "ok" });
      } finally {
        await proc.stop();
      }
    });
  }
});
