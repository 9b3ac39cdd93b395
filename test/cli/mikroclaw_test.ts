import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../lib/config/mod.ts";
import { decryptValue } from "../../lib/secrets/mod.ts";
import { createStateStoreFromUrl } from "../../lib/storage/from_url.ts";
import { type CliRun, runCli } from "../_utils/cli.ts";

const HEX_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const V1 = "ENCRYPTED:v1:fr/AgJyGDAb7cPqZ:w28zWDuJJ37L:6HpXk20TkapXdCr70m13/w==";
const COMMANDS = [
  "agent",
  "gateway",
  "daemon",
  "status",
  "doctor",
  "channel",
  "config",
  "integrations",
  "identity",
  "encrypt",
  "changes",
  "mcp",
];

let cwd = "";

function run(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<CliRun> {
  return runCli(args, { cwd, env, ...(stdin === undefined ? {} : { stdin }) });
}

function oneLine(text: string): void {
  assert.equal(text.trim().split("\n").length, 1, `one line expected, got: ${text}`);
}

describe("mikroclaw CLI", () => {
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), "mikroclaw-cli-"));
  });
  after(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it("--help lists all twelve commands", async () => {
    const r = await run(["--help"]);
    assert.equal(r.code, 0);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`\\b${c}\\b`), c);
  });

  it("every command has --help", { timeout: 60_000 }, async () => {
    const results = await Promise.all(COMMANDS.map((c) => run([c, "--help"])));
    for (const [i, r] of results.entries()) {
      assert.equal(r.code, 0, `${COMMANDS[i]}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`mikroclaw ${COMMANDS[i]}`));
    }
  });

  it("--version prints the version", async () => {
    const r = await run(["--version"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+/);
  });

  it("an unknown command is a one-line error, exit 2", async () => {
    const r = await run(["frobnicate"]);
    assert.equal(r.code, 2);
    oneLine(r.stderr);
    assert.match(r.stderr, /Unknown command "frobnicate"/);
  });

  it("an unknown or bad flag is a one-line error naming it, exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["config", "--dump", "--bogus"], /--bogus/],
      [["identity", "--rotate=maybe"], /--rotate/],
      [["gateway", "--port"], /--port needs a value/],
      [["gateway", "--port", "99999"], /--port/],
      [["config", "--dump", "extra"], /"extra"/],
      [["--nope"], /--nope/],
      [["channel", "irc"], /irc/],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args)));
    for (const [i, [args, pattern]] of cases.entries()) {
      const r = results[i]!;
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      oneLine(r.stderr);
      assert.match(r.stderr, pattern);
    }
  });

  it("config --dump never prints a secret (text and --json)", async () => {
    const env = {
      OPENAI_API_KEY: "sk-test-123",
      ROUTER_PASS: "hunter2-pass",
      LLM_PROVIDER: "openai",
    };
    const text = await run(["config", "--dump"], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^OPENAI_API_KEY=set$/m);
    assert.match(text.stdout, /^ANTHROPIC_API_KEY=unset$/m);
    assert.match(text.stdout, /^GATEWAY_PORT=18789$/m);
    const json = await run(["config", "--dump", "--json"], env);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.OPENAI_API_KEY, "set");
    assert.equal(parsed.LLM_PROVIDER, "openai");
    for (const r of [text, json]) {
      assert.ok(!(r.stdout + r.stderr).includes("sk-test-123"));
      assert.ok(!(r.stdout + r.stderr).includes("hunter2-pass"));
    }
  });

  it("config --dump reads ./mikroclaw.json and --config FILE; unknown keys exit 2", async () => {
    const file = join(cwd, "other.json");
    await writeFile(file, JSON.stringify({ GATEWAY_PORT: 8080 }));
    const r = await run(["config", "--dump", "--config", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^GATEWAY_PORT=8080$/m);
    const env = await run(["config", "--dump", `--config=${file}`], { GATEWAY_PORT: "9090" });
    assert.match(env.stdout, /^GATEWAY_PORT=9090$/m);
    await writeFile(file, JSON.stringify({ GATEWAY_PROT: 8080 }));
    const bad = await run(["config", "--dump", "--config", file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /GATEWAY_PROT: unknown setting .*did you mean GATEWAY_PORT\?/);
    await writeFile(join(cwd, "mikroclaw.json"), JSON.stringify({ GATEWAY_PORT: 7070 }));
    try {
      const local = await run(["config", "--dump"]);
      assert.match(local.stdout, /^GATEWAY_PORT=7070$/m);
    } finally {
      await rm(join(cwd, "mikroclaw.json"));
    }
  });

  it("config --list prints every setting with its default, also as JSON", async () => {
    const [text, json] = await Promise.all([
      run(["config", "--list"]),
      run(["config", "--list", "--json"]),
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^GATEWAY_BIND +gateway address \[default: 127\.0\.0\.1\]$/m);
    const settings = JSON.parse(json.stdout) as { name: string }[];
    assert.ok(settings.some((s) => s.name === "MIKROCLAW_SECRET_KEY"));
    const bare = await run(["config"]);
    assert.equal(bare.code, 2);
  });

  it("a bad value stops with the variable's name and an example, exit 2", async () => {
    const r = await run(["config", "--dump"], { GATEWAY_PORT: "abc" });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /GATEWAY_PORT: expected 0-65535, got "abc" \(e\.g\. GATEWAY_PORT=18789\)/,
    );
  });

  it("encrypt FOO=bar prints FOO=ENCRYPTED:v2:… that loadConfig decrypts back", async () => {
    const r = await run(["encrypt", "FOO=bar"], { MIKROCLAW_SECRET_KEY: HEX_KEY });
    assert.equal(r.code, 0, r.stderr);
    const m = /^FOO=(ENCRYPTED:v2:\S+)$/.exec(r.stdout.trim());
    assert.ok(m, r.stdout);
    assert.equal(await decryptValue(m[1]!, { secretKey: HEX_KEY }), "bar");
    const config = await loadConfig({ env: { MIKROCLAW_SECRET_KEY: HEX_KEY, BOT_TOKEN: m[1]! } });
    assert.equal(config.channels.telegram.botToken?.reveal(), "bar");
    const dump = await run(["config", "--dump"], {
      MIKROCLAW_SECRET_KEY: HEX_KEY,
      BOT_TOKEN: m[1]!,
    });
    assert.equal(dump.code, 0, dump.stderr);
    assert.match(dump.stdout, /^BOT_TOKEN=set$/m);
  });

  it("encrypt reads the value from stdin when given only KEY", async () => {
    const r = await run(
      ["encrypt", "OPENAI_API_KEY"],
      { MIKROCLAW_SECRET_KEY: HEX_KEY },
      "sk-from-stdin\n",
    );
    assert.equal(r.code, 0, r.stderr);
    const value = r.stdout.trim().replace(/^OPENAI_API_KEY=/, "");
    assert.equal(await decryptValue(value, { secretKey: HEX_KEY }), "sk-from-stdin");
  });

  it("encrypt without MIKROCLAW_SECRET_KEY exits 1 with how to make one", async () => {
    const r = await run(["encrypt", "FOO=bar"]);
    assert.equal(r.code, 1);
    oneLine(r.stderr);
    assert.match(r.stderr, /MIKROCLAW_SECRET_KEY/);
    assert.match(r.stderr, /openssl rand -hex 32/);
    assert.ok(!r.stdout.includes("bar"));
    const bad = await run(["encrypt", "not a name=1"], { MIKROCLAW_SECRET_KEY: HEX_KEY });
    assert.equal(bad.code, 2);
  });

  it("the v1 test vector decrypts at start; a wrong key stops start-up naming the variable", async () => {
    const ok = await run(["config", "--dump"], { MEMU_ENCRYPTION_KEY: "test-key", BOT_TOKEN: V1 });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^BOT_TOKEN=set$/m);
    assert.ok(!ok.stdout.includes("sk-secret"));
    const bad = await run(["agent"], { MEMU_ENCRYPTION_KEY: "wrong-key", BOT_TOKEN: V1 });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /BOT_TOKEN: cannot decrypt: wrong key/);
    assert.ok(!bad.stderr.includes("fr/AgJyGDAb7cPqZ"));
  });

  it("identity prints the id and Ed25519 key and says memory storage regenerates it", async () => {
    const r = await run(["identity"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^id: +mc-[0-9a-f]{20}$/m);
    assert.match(r.stdout, /public key: [A-Za-z0-9+/]{43}=/);
    assert.match(r.stdout, /regenerated at each start/);
    const j = await run(["identity", "--json"], { AGENT_ID: "office-1" });
    const parsed = JSON.parse(j.stdout);
    assert.equal(parsed.id, "office-1");
    assert.equal(parsed.persistent, false);
  });

  it("identity --rotate keeps a persistent id, changes the key and revokes tokens (fs storage)", async () => {
    const env = { MIKROCLAW_STORAGE: `fs:${join(cwd, "state")}` };
    const first = JSON.parse((await run(["identity", "--json"], env)).stdout);
    assert.equal(first.persistent, true);
    assert.equal(first.note, undefined);
    const again = JSON.parse((await run(["identity", "--json"], env)).stdout);
    assert.equal(again.publicKey, first.publicKey);
    const store = await createStateStoreFromUrl(env.MIKROCLAW_STORAGE);
    try {
      await store.set("tokens:abc", { hash: "x" });
    } finally {
      await store.dispose();
    }
    const rotated = await run(["identity", "--rotate", "--json"], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const r = JSON.parse(rotated.stdout);
    assert.equal(r.id, first.id);
    assert.notEqual(r.publicKey, first.publicKey);
    assert.equal(r.rotated, true);
    assert.equal(r.revokedTokens, 1);
  });

  it("integrations list / info come from the registries; unknown name exits 1", async () => {
    const list = await run(["integrations", "--json"], { ANTHROPIC_API_KEY: "sk-ant" });
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as { name: string; kind: string; configured: boolean }[];
    for (const p of ["openrouter", "openai", "anthropic", "ollama", "custom"]) {
      assert.ok(rows.some((r) => r.kind === "provider" && r.name === p), p);
    }
    assert.ok(rows.find((r) => r.name === "anthropic")!.configured);
    assert.equal(rows.find((r) => r.name === "openai")!.configured, false);
    for (const c of ["telegram", "discord", "slack"]) {
      assert.ok(rows.some((r) => r.kind === "channel" && r.name === c));
    }
    assert.ok(rows.some((r) => r.kind === "tool" && r.name === "shell_exec"));
    assert.ok(rows.some((r) => r.kind === "service" && r.name === "memu"));
    const info = await run(["integrations", "info", "telegram"], {
      BOT_TOKEN: "123:abc-secret",
      TELEGRAM_ALLOWLIST: "42",
    });
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /configured: +yes/);
    assert.ok(!info.stdout.includes("abc-secret"));
    const unknown = await run(["integrations", "info", "myspace"]);
    assert.equal(unknown.code, 1);
    oneLine(unknown.stderr);
    const badAction = await run(["integrations", "explode"]);
    assert.equal(badAction.code, 2);
  });

  it("doctor reports each problem with a fix and exits 1; --json too", async () => {
    const r = await run(["doctor", "--offline"], { BOT_TOKEN: "123:abc" });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL llm: primary provider openrouter has no API key/);
    assert.match(r.stdout, /fix: set LLM_API_KEY or OPENROUTER_KEY/);
    assert.match(r.stdout, /FAIL channels: telegram .*allowlist is empty/);
    const j = await run(["doctor", "--json", "--offline"], { OPENROUTER_KEY: "sk-or-secret-1" });
    const report = JSON.parse(j.stdout);
    assert.equal(j.code, report.ok ? 0 : 1);
    assert.ok(report.checks.some((c: { name: string }) => c.name === "storage"));
    assert.ok(!j.stdout.includes("sk-or-secret-1"));
  });

  it("LOG_FORMAT=json writes one JSON object per log line, never a secret", async () => {
    const r = await run(["encrypt", "NOT_A_SETTING=sk-very-secret"], {
      MIKROCLAW_SECRET_KEY: HEX_KEY,
      LOG_FORMAT: "json",
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.ok(lines.length >= 1);
    for (const line of lines) {
      const entry = JSON.parse(line);
      assert.equal(entry.level, "warn");
      assert.match(entry.message, /NOT_A_SETTING/);
    }
    assert.ok(!r.stderr.includes("sk-very-secret"));
    assert.ok(!r.stderr.includes(HEX_KEY));
  });

  it("errors show a stack only with --debug", async () => {
    const plain = await run(["encrypt", "FOO=bar"]);
    assert.equal(plain.code, 1);
    assert.doesNotMatch(plain.stderr, /\n\s+at /);
    const debug = await run(["encrypt", "FOO=bar", "--debug"]);
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /\n\s+at /);
  });
});
