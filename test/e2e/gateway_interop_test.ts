import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import OpenAI from "openai";
import { loadConfig } from "../../lib/config/mod.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import { listen, type Listening } from "../../cli/_serve.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

const BLOCK = "/ip firewall address-list add list=blocked address=198.51.100.77";

describe("end to end through the served gateway: approvals, /mcp and /v1", () => {
  let llm: FakeLLMServer;
  let router: FakeRouterOS;
  let runtime: Runtime;
  let server: Listening;
  let tokenA = "";
  let tokenB = "";

  async function pair(code: string): Promise<string> {
    const res = await fetch(`${server.url}/pair`, {
      method: "POST",
      headers: { "X-Pairing-Code": code },
    });
    assert.equal(res.status, 200);
    return (await res.json() as { token: string }).token;
  }
  const auth = (token: string) => ({
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
  });

  before(async () => {
    llm = await startFakeOpenAI([], { onEmpty: { text: "The router says hello." } });
    router = await startFakeRouterOS();
    const config = await loadConfig({
      env: {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "sk-e2e-gateway",
        OPENAI_BASE_URL: llm.baseURL,
        ROUTER_URL: router.url,
        ROUTER_USER: FAKE_ROUTEROS_USER,
        ROUTER_PASS: FAKE_ROUTEROS_PASSWORD,
        ROUTEROS_ALLOW_WRITE: "1",
        ROUTEROS_APPROVAL: "writes",
      },
    });
    runtime = await createRuntime({ config });
    await runtime.start();
    server = await listen(runtime.gateway.fetch, "127.0.0.1", 0);
    tokenA = await pair(runtime.gateway.pairingCode()!);
    // B is another device paired with an operator's code: a code A minted would make B part of
    // A's family, which may never approve A's changes (test/changes/lineage_test.ts).
    tokenB = await pair(await runtime.gateway.issuePairingCode());
  });

  after(async () => {
    await server?.close();
    await runtime?.stop();
    await Promise.all([llm?.close(), router?.close()]);
  });

  it("a change asked for with token A cannot be approved by A (403) but is by B, once", async () => {
    llm.push({ toolCalls: [{ name: "routeros_execute", arguments: { command: BLOCK } }] });
    const chat = await fetch(`${server.url}/chat`, {
      method: "POST",
      headers: auth(tokenA),
      body: JSON.stringify({ input: "block 198.51.100.77", session: "s1" }),
    });
    assert.equal(chat.status, 200);
    const list = await (await fetch(`${server.url}/changes`, { headers: auth(tokenA) })).json() as {
      change_id: string;
      state: string;
    }[];
    const change = list.find((c) => c.state === "pending");
    assert.ok(change, JSON.stringify(list));
    const blocked = () =>
      router.items("/ip/firewall/address-list").filter((r) => r.address === "198.51.100.77");
    assert.equal(blocked().length, 0, JSON.stringify(await runtime.changes!.get(change.change_id)));

    const self = await fetch(`${server.url}/changes/${change.change_id}/approve`, {
      method: "POST",
      headers: auth(tokenA),
    });
    assert.equal(self.status, 403);
    assert.equal(blocked().length, 0);
    const other = await fetch(`${server.url}/changes/${change.change_id}/approve`, {
      method: "POST",
      headers: auth(tokenB),
    });
    assert.equal(other.status, 200);
    assert.equal((await other.json() as { state: string }).state, "applied");
    assert.equal(blocked().length, 1);
    const again = await fetch(`${server.url}/changes/${change.change_id}/approve`, {
      method: "POST",
      headers: auth(tokenB),
    });
    assert.equal(again.status, 409);
    assert.equal(blocked().length, 1);
  });

  it("/mcp refuses a missing token and serves the agent's tools to the official MCP client", async () => {
    const bare = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(bare.status, 401);
    const client = new Client({ name: "e2e", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${tokenA}` } },
      }),
    );
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, 14);
      const read = await client.callTool({
        name: "routeros_execute",
        arguments: { command: "/system/resource/print" },
      });
      assert.equal(read.isError, false);
    } finally {
      await client.close();
    }
  });

  it("the official OpenAI client lists the model, completes, streams, and fails auth with a bad token", async () => {
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: tokenA, maxRetries: 0 });
    const models = await openai.models.list();
    assert.ok(models.data.some((m) => m.id === "mikroclaw"));
    const completion = await openai.chat.completions.create({
      model: "mikroclaw",
      messages: [{ role: "user", content: "hello?" }],
    });
    assert.equal(completion.choices[0]?.message.content, "The router says hello.");
    const stream = await openai.chat.completions.create({
      model: "mikroclaw",
      messages: [{ role: "user", content: "hello again?" }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    assert.equal(text, "The router says hello.");
    const bad = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "not-a-token", maxRetries: 0 });
    await assert.rejects(bad.models.list(), OpenAI.AuthenticationError);
  });
});
