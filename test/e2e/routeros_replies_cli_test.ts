/**
 * Issue #23 through the CLI: `mikroclaw gateway` against the faithful RouterOS fake and the
 * scripted fake LLM. The model's next request holds the router's answer to `:put [...]`; a
 * failing script reaches the model as a failure with the router's text; `/tool profile` without
 * `duration` never reaches the router unbounded.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CliServer, startCli } from "../_utils/cli.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

describe("mikroclaw gateway: the router's replies reach the model", () => {
  let llm: FakeLLMServer;
  let router: FakeRouterOS;
  let server: CliServer;
  let cwd = "";
  let base = "";
  let token = "";

  /** One chat turn in which the model runs `command`; returns the tool message the model got. */
  async function turn(command: string, session: string): Promise<string> {
    llm.push(
      { toolCalls: [{ name: "routeros_execute", arguments: { command } }] },
      { text: "noted" },
    );
    const seen = llm.chatRequests().length;
    const chat = await fetch(`${base}/chat`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ input: `run ${command}`, session }),
    });
    assert.equal(chat.status, 200, await chat.clone().text());
    const next = llm.chatRequests()[seen + 1];
    assert.ok(next, "the model was asked again after the tool ran");
    const tool = (next.body.messages as { role: string; content: unknown }[])
      .filter((m) => m.role === "tool").at(-1);
    assert.ok(tool, JSON.stringify(next.body.messages));
    return String(tool.content);
  }

  before(async () => {
    llm = await startFakeOpenAI([]);
    // Router time runs 20x faster than a real router's (cut at 3 s instead of 60 s).
    router = await startFakeRouterOS({ sessionTimeoutMs: 3_000 });
    router.state.singletons.set("/system/identity", { name: "edge-7" });
    cwd = await mkdtemp(join(tmpdir(), "mikroclaw-ros-"));
    server = startCli(["gateway", "--port", "0"], {
      cwd,
      env: {
        HOME: cwd,
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "sk-e2e-routeros-replies",
        OPENAI_BASE_URL: llm.baseURL,
        ROUTER_URL: router.url,
        ROUTER_USER: FAKE_ROUTEROS_USER,
        ROUTER_PASS: FAKE_ROUTEROS_PASSWORD,
        ROUTEROS_ALLOW_EXECUTE: "1",
      },
    });
    base = (await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000))[1]!;
    const code = (await server.waitFor(/pairing code: (\d{6})/, 30_000))[1]!;
    const paired = await fetch(`${base}/pair`, {
      method: "POST",
      headers: { "x-pairing-code": code },
    });
    token = (await paired.json() as { token: string }).token;
  });

  after(async () => {
    await server?.stop();
    await Promise.all([llm?.close(), router?.close()]);
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it(":put [/system identity get name] gives the model the router's answer", async () => {
    const tool = await turn(":put [/system identity get name]", "s1");
    assert.match(tool, /<tool_output tool="routeros_execute" untrusted="true">/);
    assert.match(tool, /edge-7/);
    assert.ok(
      router.requests.some((r) =>
        r.path === "/execute" &&
        (r.body as Record<string, string>).script === ":put [/system identity get name]" &&
        (r.body as Record<string, string>)["as-string"] === ""
      ),
    );
  });

  it("a failing script gives the model a failure with the router's text", async () => {
    const tool = await turn(":frobnicate", "s2");
    assert.match(tool, /error/i);
    assert.match(tool, /bad command name frobnicate \(line 1 column 2\)/);
    assert.doesNotMatch(tool, /"ok":\s*true/);
  });

  it("/tool profile without duration never reaches the router unbounded", async () => {
    const tool = await turn("/tool profile cpu=all", "s3");
    assert.match(tool, /duration=5s added/);
    const profiles = router.requests.filter((r) => r.path === "/tool/profile");
    assert.equal(profiles.length, 1);
    assert.equal((profiles[0]!.body as Record<string, string>).duration, "5s");
  });
});
