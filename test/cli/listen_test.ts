import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, startCli } from "../_utils/cli.ts";

/** A port nobody listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Exit 2 with the complaint on stderr, no stack trace. */
function assertRefused(run: { code: number | null; stdout: string; stderr: string }): string {
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.doesNotMatch(run.stderr, /\n\s+at /, "a stack trace");
  return run.stderr;
}

describe("every way of choosing the listen address passes one validation", () => {
  let cwd = "";
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), "mikroclaw-listen-"));
  });
  after(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it("gateway --host <non-loopback> with pairing off exits 2 naming both settings", {
    timeout: 120_000,
  }, async () => {
    for (const host of ["0.0.0.0", "::", "[::]", "::ffff:0.0.0.0", "fe80::1%lo"]) {
      const run = await runCli(["gateway", "--host", host, "--port", "0"], {
        cwd,
        env: { PAIRING_REQUIRED: "0" },
      });
      const err = assertRefused(run);
      assert.match(err, /PAIRING_REQUIRED/, host);
      assert.match(err, /GATEWAY_BIND/, host);
      assert.match(err, /--host/, host);
    }
  });

  it("a --config file with pairing off plus --host, and env plus flags, are refused alike", {
    timeout: 120_000,
  }, async () => {
    const file = join(cwd, "open.json");
    await writeFile(file, JSON.stringify({ PAIRING_REQUIRED: "0", GATEWAY_BIND: "127.0.0.1" }));
    const viaFile = await runCli(
      ["gateway", "--config", file, "--host", "0.0.0.0", "--port", "0"],
      {
        cwd,
      },
    );
    assert.match(assertRefused(viaFile), /PAIRING_REQUIRED.*GATEWAY_BIND/);
    // The flag wins over a loopback GATEWAY_BIND in the environment, and is still checked.
    const viaEnv = await runCli(["gateway", "--host", "0.0.0.0", "--port", "0"], {
      cwd,
      env: { PAIRING_REQUIRED: "0", GATEWAY_BIND: "127.0.0.1" },
    });
    assert.match(assertRefused(viaEnv), /PAIRING_REQUIRED.*GATEWAY_BIND/);
    // `agent` reads the same setting from a file.
    const wide = join(cwd, "wide.json");
    await writeFile(wide, JSON.stringify({ PAIRING_REQUIRED: false, GATEWAY_BIND: "0.0.0.0" }));
    assert.match(
      assertRefused(await runCli(["agent", "--config", wide], { cwd })),
      /PAIRING_REQUIRED.*GATEWAY_BIND/,
    );
  });

  it("pairing off on loopback starts, and the banner says what is true", {
    timeout: 180_000,
  }, async () => {
    const server = startCli(["gateway", "--host", "127.0.0.1", "--port", "0"], {
      cwd,
      env: { PAIRING_REQUIRED: "0" },
    });
    let served: number | undefined;
    try {
      // Generous: start-up on a loaded 2-core runner can take many seconds.
      const [, url] = await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 90_000);
      await server.waitFor(/pairing is off/, 30_000);
      served = (await fetch(`${url}/tasks`)).status;
    } finally {
      const code = await server.stop();
      if (served !== undefined) assert.equal(code, 0);
    }
    assert.equal(served, 200);
  });

  it("GATEWAY_BIND that is not an address, or not one of this machine's, is one line and exit 2", {
    timeout: 120_000,
  }, async () => {
    for (const bind of ["notanip", "0x7f.1", "2130706433", "127.1", "router.lan", "0.0.0.0:80"]) {
      const run = await runCli(["gateway", "--port", "0"], { cwd, env: { GATEWAY_BIND: bind } });
      const err = assertRefused(run);
      assert.match(err, /GATEWAY_BIND: expected an IP address/, bind);
      assert.doesNotMatch(err, /getaddrinfo|ENOTFOUND|EADDRNOTAVAIL/, bind);
    }
    // 192.0.2.1 is a documentation address no machine has.
    for (const args of [["gateway", "--host", "192.0.2.1", "--port", "0"], ["agent"]]) {
      const run = await runCli(args, {
        cwd,
        env: { GATEWAY_BIND: "192.0.2.1", GATEWAY_PORT: "0" },
      });
      const err = assertRefused(run);
      assert.match(
        err,
        /GATEWAY_BIND: cannot listen on "192\.0\.2\.1" \(GATEWAY_BIND or --host\): this machine has no such address/,
      );
      assert.doesNotMatch(err, /EADDRNOTAVAIL|getaddrinfo/);
    }
  });
});

describe("bad channel allowlists and an unreachable Redis are one clear line", () => {
  let cwd = "";
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), "mikroclaw-badinput-"));
  });
  after(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it("refuses names where ids are needed, per channel, and says how to find the id", {
    timeout: 120_000,
  }, async () => {
    const cases: [string, string, RegExp][] = [
      ["TELEGRAM_ALLOWLIST", "@alice", /numeric Telegram user ids/],
      ["TELEGRAM_ALLOWLIST", "alice", /numeric Telegram user ids/],
      ["TELEGRAM_ALLOWLIST", "4242,@bob", /numeric Telegram user ids/],
      ["DISCORD_ALLOWLIST", "bob#1234", /Discord user ids/],
      ["DISCORD_ALLOWLIST", "42", /Discord user ids/],
      ["SLACK_ALLOWLIST", "@carol", /Slack member ids/],
      ["SLACK_ALLOWLIST", "carol", /Slack member ids/],
    ];
    for (const [name, value, expected] of cases) {
      for (const command of ["agent", "doctor"]) {
        const run = await runCli([command], { cwd, env: { [name]: value } });
        const err = assertRefused(run);
        assert.match(err, new RegExp(`${name}: `), `${command} ${name}=${value}`);
        assert.match(err, expected);
        assert.match(err, /message the bot once|Copy/);
        assert.doesNotMatch(run.stdout, /sender\(s\) allowed/);
      }
    }
  });

  it("accepts real ids and *", { timeout: 120_000 }, async () => {
    const run = await runCli(["config", "--dump"], {
      cwd,
      env: {
        TELEGRAM_ALLOWLIST: "4242,777",
        DISCORD_ALLOWLIST: "123456789012345678",
        SLACK_ALLOWLIST: "U0123ABCD,W0456EFGH",
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      (await runCli(["config", "--dump"], { cwd, env: { SLACK_ALLOWLIST: "*" } })).code,
      0,
    );
  });

  it("Redis down: one line naming MIKROCLAW_STORAGE and a fix, without ioredis internals", {
    timeout: 120_000,
  }, async () => {
    const port = await closedPort();
    const run = await runCli(["gateway", "--port", "0"], {
      cwd,
      env: { MIKROCLAW_STORAGE: `redis://127.0.0.1:${port}` },
    });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0]!,
      /^Cannot connect to MIKROCLAW_STORAGE redis:\/\/127\.0\.0\.1:\d+: connection refused; start Redis/,
    );
    assert.doesNotMatch(run.stderr, /maxRetriesPerRequest|max retries|ioredis/i);
  });
});
