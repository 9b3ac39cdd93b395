/**
 * The rough edges a new user hit in the first hour (issue "The first hour"), each through the
 * real CLI: the no-model warning at start, `status` with a refused token, `channel NAME`
 * naming its variables, `integrations list` without doubled needs, the auditor example
 * without a stack trace, and the launcher that runs the CLI from an old Node.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { bin, ROOT, type Spawned, spawnProcess } from "../examples/_spawn.ts";
import { runCli } from "../_utils/cli.ts";
import { serveLocal } from "../_utils/serve.ts";

const CLI = join(ROOT, "cli/mikroclaw.ts");
// Each test starts a process or two; on a busy machine that outlasts Bun's default 5 s.
const SLOW = { timeout: 60_000 };
let cwd = "";

function start(command: string, env: Record<string, string> = {}): Spawned {
  return spawnProcess(bin("node"), [
    CLI,
    command,
    ...(command === "gateway" ? ["--port", "0"] : []),
  ], {
    MIKROCLAW_STORAGE: "memory",
    GATEWAY_PORT: "0",
    ...env,
  });
}

describe("first hour: rough edges", () => {
  before(() => {
    cwd = mkdtempSync(join(tmpdir(), "mikroclaw-firsthour-"));
  });
  after(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  // one process per test: each test stays short (Bun's default limit is 5 s)
  const NO_MODEL: [Record<string, string>, RegExp | undefined][] = [
    [{}, /No model configured: set OPENROUTER_KEY\b/],
    [{ LLM_PROVIDER: "anthropic" }, /No model configured: set ANTHROPIC_API_KEY\b/],
    [{ OPENROUTER_KEY: "sk-or-test" }, undefined],
    [{ LLM_PROVIDER: "ollama" }, undefined], // a local model needs no key
  ];
  for (const command of ["gateway", "agent"]) {
    for (const [env, warning] of NO_MODEL) {
      it(
        `${command} with ${JSON.stringify(env)} ${
          warning ? "names the variable to set, in one line" : "starts without a model warning"
        }`,
        SLOW,
        async () => {
          const proc = start(command, env);
          try {
            // logged on stderr after the warning would be: its absence is then final
            await proc.waitFor(/Storage is memory/);
            const lines = proc.output().split("\n").filter((l) => /No model configured/.test(l));
            if (warning) {
              assert.equal(lines.length, 1, proc.output());
              assert.match(lines[0]!, warning);
            } else assert.deepEqual(lines, []);
          } finally {
            await proc.stop();
          }
        },
      );
    }
  }

  it(
    "status says when the gateway refused MIKROCLAW_TOKEN, asks for one, shows uptime with a good one",
    SLOW,
    async () => {
      const proc = start("gateway");
      try {
        const [, url = ""] = await proc.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        const [, code = ""] = await proc.waitFor(/pairing code: (\d{6})/);
        const wrongToken = { cwd, env: { MIKROCLAW_TOKEN: "not-a-token" } };
        const [wrong, json, none] = await Promise.all([
          runCli(["status", "--url", url], wrongToken),
          runCli(["status", "--json", "--url", url], wrongToken),
          runCli(["status", "--url", url], { cwd }),
        ]);
        assert.equal(wrong.code, 0, wrong.stderr);
        assert.match(wrong.stdout, /the gateway refused MIKROCLAW_TOKEN/);
        assert.doesNotMatch(wrong.stdout, /set MIKROCLAW_TOKEN/);
        assert.equal(JSON.parse(json.stdout).token, "refused");
        assert.match(none.stdout, /set MIKROCLAW_TOKEN to a gateway token/);
        const paired = await fetch(`${url}/pair`, {
          method: "POST",
          headers: { "x-pairing-code": code },
        });
        const { token } = await paired.json() as { token: string };
        const good = await runCli(["status", "--url", url], {
          cwd,
          env: { MIKROCLAW_TOKEN: token },
        });
        assert.match(good.stdout, /uptime +\d+ s/);
        assert.doesNotMatch(good.stdout, /refused|set MIKROCLAW_TOKEN/);
      } finally {
        await proc.stop();
      }
    },
  );

  const CHANNEL_NEEDS: Record<string, RegExp> = {
    telegram: /Channel telegram is not configured \(set BOT_TOKEN, TELEGRAM_ALLOWLIST\)/,
    discord: /Channel discord is not configured \(set DISCORD_BOT_TOKEN, DISCORD_ALLOWLIST\)/,
    slack:
      /Channel slack is not configured \(set SLACK_BOT_TOKEN, SLACK_APP_TOKEN or SLACK_SIGNING_SECRET/,
  };
  for (const [name, pattern] of Object.entries(CHANNEL_NEEDS)) {
    it(`channel ${name} without its token names the variables to set`, SLOW, async () => {
      const r = await runCli(["channel", name], { cwd });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, pattern);
    });
  }

  it("integrations list names each needed setting once", SLOW, async () => {
    const r = await runCli(["integrations", "list"], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /custom .*\(needs LLM_BASE_URL\)/);
    for (const line of r.stdout.split("\n")) {
      assert.ok((line.match(/\(needs /g) ?? []).length <= 1, line);
      for (const group of line.match(/[A-Z_]+(?:\|[A-Z_]+)+/g) ?? []) {
        const names = group.split("|");
        assert.equal(new Set(names).size, names.length, line);
      }
    }
  });

  it(
    "examples/routeros_auditor.ts says in one line that the router cannot be reached",
    SLOW,
    async () => {
      const closed = await serveLocal(() => new Response("x"));
      await closed.close();
      const r = await runCli([], {
        cwd,
        script: join(ROOT, "examples/routeros_auditor.ts"),
        env: { ROUTER_URL: `${closed.url}/rest`, ROUTER_USER: "audit", ROUTER_PASS: "pw" },
      });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /^Cannot audit the router: .*127\.0\.0\.1/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    },
  );
});

// The machine's own `node` (older than 22.18 here) running the launcher.
const systemNode = spawnSync("sh", ["-c", "command -v node"], {
  encoding: "utf8",
  env: {
    PATH: (process.env.PATH ?? "").split(":").filter((p) => !p.includes("node_modules")).join(":"),
  },
}).stdout.trim();

describe("cli/mikroclaw.mjs (the launcher)", () => {
  it("runs the CLI with the project's Node when the system Node is too old", SLOW, () => {
    const node = systemNode || bin("node");
    const r = spawnSync(node, [join(ROOT, "cli/mikroclaw.mjs"), "integrations", "info", "custom"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1" },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /custom/);
  });

  it("without the project's Node, an old Node gets one line saying what is needed", SLOW, (t) => {
    const version = spawnSync(systemNode || "node", ["-p", "process.versions.node"], {
      encoding: "utf8",
    }).stdout.trim();
    const [major = 0, minor = 0] = version.split(".").map(Number);
    if (!systemNode || major > 22 || (major === 22 && minor >= 18)) {
      t.skip(`the system node (${version || "none"}) is new enough: nothing to refuse`);
      return;
    }
    const copy = mkdtempSync(join(tmpdir(), "mikroclaw-launcher-"));
    try {
      mkdirSync(join(copy, "cli"));
      cpSync(join(ROOT, "cli/mikroclaw.mjs"), join(copy, "cli/mikroclaw.mjs"));
      const r = spawnSync(systemNode, [join(copy, "cli/mikroclaw.mjs"), "gateway"], {
        encoding: "utf8",
      });
      assert.equal(r.status, 2);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(
        r.stderr,
        /needs Node >= 22\.18 \(this is v\d+.*npm install.*node cli\/mikroclaw\.mjs/,
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
