import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";
import { type FakeTelegram, startFakeTelegram } from "../_fakes/telegram.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { runCli } from "../_utils/cli.ts";

interface Report {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string; fix?: string }[];
}

describe("mikroclaw doctor against live fakes", () => {
  let cwd = "";
  let router: FakeRouterOS;
  let telegram: FakeTelegram;
  let llm: FakeLLMServer;
  let env: Record<string, string>;

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), "mikroclaw-doctor-"));
    [router, telegram, llm] = await Promise.all([
      startFakeRouterOS(),
      startFakeTelegram(),
      startFakeOpenAI(),
    ]);
    env = {
      HOME: cwd,
      LLM_PROVIDER: "openai",
      OPENAI_API_KEY: "sk-doctor-1",
      OPENAI_BASE_URL: llm.baseURL,
      ROUTER_URL: router.url,
      ROUTER_USER: FAKE_ROUTEROS_USER,
      ROUTER_PASS: FAKE_ROUTEROS_PASSWORD,
      BOT_TOKEN: telegram.token,
      TELEGRAM_API_BASE: telegram.url,
      TELEGRAM_ALLOWLIST: "4242",
    };
  });

  after(async () => {
    await Promise.all([router?.close(), telegram?.close(), llm?.close()]);
    await rm(cwd, { recursive: true, force: true });
  });

  it("exits 0 when the provider, router and channel all answer", async () => {
    const run = await runCli(["doctor", "--json"], { cwd, env });
    const report = JSON.parse(run.stdout) as Report;
    assert.equal(run.code, 0, JSON.stringify(report.checks.filter((c) => !c.ok)));
    const byName = (n: string) => report.checks.find((c) => c.name === n);
    assert.match(byName("router reachability")!.detail, /RouterOS 7/);
    assert.match(byName("channel credentials")!.detail, /telegram: .*@/);
    assert.ok(!run.stdout.includes("sk-doctor-1") && !run.stdout.includes(FAKE_ROUTEROS_PASSWORD));
  });

  it("exits 1 with a fix when the router password is wrong", async () => {
    const run = await runCli(["doctor", "--json"], { cwd, env: { ...env, ROUTER_PASS: "wrong" } });
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as Report;
    const failed = report.checks.find((c) => c.name === "router reachability" && !c.ok);
    assert.ok(failed, run.stdout);
    assert.ok(failed.fix);
  });
});

describe("mikroclaw integrations info mcp / doctor with MCP_SERVERS", () => {
  it("lists each configured MCP server with its tools, and reports one that is down", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "mikroclaw-mcp-info-"));
    try {
      const g = globalThis as { Deno?: unknown };
      const server = new URL("../_fakes/mcp_server.ts", import.meta.url).pathname;
      const fake = {
        command: process.execPath,
        args: g.Deno ? ["run", "-A", "--no-check", server] : [server],
      };
      const env = {
        HOME: cwd,
        MCP_SERVERS: JSON.stringify({ fake, down: { command: "/nonexistent/mcp-server" } }),
      };
      const info = await runCli(["integrations", "info", "mcp", "--json"], { cwd, env });
      assert.equal(info.code, 0, info.stderr);
      const details = (JSON.parse(info.stdout) as { details: Record<string, string> }).details;
      assert.match(details.fake!, /tools: .*echo/);
      assert.match(details.down!, /not available/);
      const doctor = await runCli(["doctor", "--json"], { cwd, env });
      const report = JSON.parse(doctor.stdout) as Report;
      const mcp = report.checks.filter((c) => c.name === "MCP servers");
      assert.ok(mcp.some((c) => c.ok && /fake: \d+ tools/.test(c.detail)), doctor.stdout);
      assert.ok(mcp.some((c) => !c.ok && /down/.test(c.detail)));
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
