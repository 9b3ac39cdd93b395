import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { loadConfig } from "../../lib/config/mod.ts";
import { createGateway } from "../../lib/gateway/mod.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import type { StateStore } from "../../lib/storage/types.ts";
import { listen, type Listening } from "../../cli/_serve.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { approveData, type FakeTelegram, startFakeTelegram } from "../_fakes/telegram.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";
import { echoAgent, memoryStore } from "../gateway/_helpers.ts";

const OWNER = 4242;
const HELPER = 777;
const block = (ip: string) => `/ip firewall address-list add list=blocked address=${ip}`;

interface Device {
  token: string;
  id: string;
}

describe("a client cannot approve its own router write through a token it minted, on any face", () => {
  let llm: FakeLLMServer;
  let router: FakeRouterOS;
  let telegram: FakeTelegram;
  let store: StateStore;
  let runtime: Runtime;
  let server: Listening;
  /** Paired with the operator's code; listed in ROUTEROS_APPROVERS. */
  let owner: Device;
  /** The API / MCP client, paired with another operator code. */
  let client: Device;
  /** Minted by the client, and by that one in turn. */
  let child: Device;
  let grandchild: Device;
  /** Another operator-paired device that is not listed in ROUTEROS_APPROVERS. */
  let unlisted: Device;

  async function pair(code: string): Promise<Device> {
    const res = await fetch(`${server.url}/pair`, {
      method: "POST",
      headers: { "X-Pairing-Code": code },
    });
    assert.equal(res.status, 200);
    const body = await res.json() as { token: string; token_id: string };
    return { token: body.token, id: body.token_id };
  }
  async function mint(by: Device): Promise<Device> {
    const res = await fetch(`${server.url}/pair/codes`, {
      method: "POST",
      headers: { authorization: `Bearer ${by.token}` },
    });
    assert.equal(res.status, 201);
    return await pair((await res.json() as { code: string }).code);
  }
  const headers = (d: Device) => ({
    authorization: `Bearer ${d.token}`,
    "content-type": "application/json",
  });
  async function pendingOf(requester: Device, ip: string): Promise<string> {
    const list = await (await fetch(`${server.url}/changes`, { headers: headers(owner) }))
      .json() as { change_id: string; state: string; requested_by: string; command: string }[];
    const found = list.find((c) =>
      c.state === "pending" && c.requested_by === `gateway:${requester.id}` &&
      c.command.includes(ip)
    );
    assert.ok(found, JSON.stringify(list));
    return found.change_id;
  }
  async function approve(id: string, by: Device): Promise<{ status: number; body: string }> {
    const res = await fetch(`${server.url}/changes/${id}/approve`, {
      method: "POST",
      headers: headers(by),
    });
    return { status: res.status, body: await res.text() };
  }
  const written = (ip: string) =>
    router.items("/ip/firewall/address-list").filter((r) => r.address === ip).length;

  /** Every refused approver is refused and nothing is written; then the owner's goes through. */
  async function onlyOwnerApproves(id: string, ip: string): Promise<void> {
    for (
      const [who, device, reason] of [
        ["the requester", client, /the token that requested it/],
        ["a token it minted", child, /minted/],
        ["a token minted two levels down", grandchild, /minted/],
        ["an unlisted device", unlisted, /not listed in ROUTEROS_APPROVERS/],
      ] as const
    ) {
      const res = await approve(id, device);
      assert.equal(res.status, 403, `${who}: ${res.body}`);
      assert.match(res.body, reason, who);
      assert.equal(written(ip), 0, who);
    }
    const ok = await approve(id, owner);
    assert.equal(ok.status, 200, ok.body);
    assert.equal(written(ip), 1);
  }

  before(async () => {
    llm = await startFakeOpenAI([], { onEmpty: { text: "It waits for approval." } });
    router = await startFakeRouterOS();
    telegram = await startFakeTelegram({ maxHoldMs: 100 });
    store = memoryStore();
    // The owner pairs first (a bootstrap gateway on the same store), to learn the token id
    // that ROUTEROS_APPROVERS then names.
    const boot = createGateway({ agent: echoAgent(), store });
    await boot.start();
    server = await listen(boot.fetch, "127.0.0.1", 0);
    owner = await pair(boot.pairingCode()!);
    await server.close();
    await boot.stop();

    const config = await loadConfig({
      env: {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "sk-lineage",
        OPENAI_BASE_URL: llm.baseURL,
        ROUTER_URL: router.url,
        ROUTER_USER: FAKE_ROUTEROS_USER,
        ROUTER_PASS: FAKE_ROUTEROS_PASSWORD,
        ROUTEROS_ALLOW_WRITE: "1",
        ROUTEROS_APPROVAL: "writes",
        ROUTEROS_APPROVERS: `telegram:${OWNER},gateway:${owner.id}`,
        BOT_TOKEN: telegram.token,
        TELEGRAM_API_BASE: telegram.url,
        TELEGRAM_ALLOWLIST: `${OWNER},${HELPER}`,
      },
    });
    runtime = await createRuntime({ config, store, channels: true });
    await runtime.start();
    server = await listen(runtime.gateway.fetch, "127.0.0.1", 0);
    client = await pair(await runtime.gateway.issuePairingCode());
    unlisted = await pair(await runtime.gateway.issuePairingCode());
    child = await mint(client);
    grandchild = await mint(child);
  });

  after(async () => {
    await server?.close();
    await runtime?.stop();
    await Promise.all([llm?.close(), router?.close(), telegram?.close()]);
  });

  it("MCP: the client's write waits; only a listed identity outside its family approves", {
    timeout: 120_000,
  }, async () => {
    const ip = "198.51.100.11";
    const mcp = new Client({ name: "lineage", version: "1.0.0" });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${client.token}` } },
      }),
    );
    try {
      const result = await mcp.callTool({
        name: "routeros_execute",
        arguments: { command: block(ip) },
      });
      assert.match(JSON.stringify(result), /awaits a person's approval/);
    } finally {
      await mcp.close();
    }
    await onlyOwnerApproves(await pendingOf(client, ip), ip);
  });

  it("OpenAI-compatible API: the same rule", { timeout: 120_000 }, async () => {
    const ip = "198.51.100.12";
    llm.push({ toolCalls: [{ name: "routeros_execute", arguments: { command: block(ip) } }] });
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: headers(client),
      body: JSON.stringify({ model: "mikroclaw", messages: [{ role: "user", content: "block" }] }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    await res.body?.cancel();
    await onlyOwnerApproves(await pendingOf(client, ip), ip);
  });

  it("gateway /chat: the same rule", { timeout: 120_000 }, async () => {
    const ip = "198.51.100.13";
    llm.push({ toolCalls: [{ name: "routeros_execute", arguments: { command: block(ip) } }] });
    const res = await fetch(`${server.url}/chat`, {
      method: "POST",
      headers: headers(client),
      body: JSON.stringify({ input: "block it", session: "lineage" }),
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    await onlyOwnerApproves(await pendingOf(client, ip), ip);
  });

  it(
    "chat buttons: an allowlisted but unlisted sender is refused; the listed one applies; a second press leaves the message",
    { timeout: 120_000 },
    async () => {
      const ip = "198.51.100.14";
      llm.push({ toolCalls: [{ name: "routeros_execute", arguments: { command: block(ip) } }] });
      const res = await fetch(`${server.url}/chat`, {
        method: "POST",
        headers: headers(grandchild),
        body: JSON.stringify({ input: "block it", session: "buttons" }),
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
      const prompt = await telegram.waitFor(
        (c) =>
          c.method === "sendMessage" && approveData(c) !== undefined &&
          String(c.params.text).includes(ip),
        10_000,
      );
      assert.equal(String(prompt.params.chat_id), String(OWNER));
      const press = (callbackId: string, from: number, messageId: number) =>
        telegram.enqueue({
          callback_query: {
            id: callbackId,
            from: { id: from, is_bot: false, first_name: "x" },
            message: { message_id: messageId, chat: { id: from, type: "private" }, text: "x" },
            data: approveData(prompt),
          },
        });
      const answered = (callbackId: string) =>
        telegram.waitFor(
          (c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === callbackId,
          10_000,
        );
      const edits = () => telegram.callsOf("editMessageText").length;

      press("cb-helper", HELPER, 70);
      const refused = await answered("cb-helper");
      assert.match(String(refused.params.text), /not a listed approver/);
      assert.equal(written(ip), 0);

      const before = edits();
      press("cb-owner", OWNER, 71);
      await answered("cb-owner");
      await telegram.waitFor((c) => c.method === "editMessageText" && c.params.message_id === 71);
      assert.equal(written(ip), 1);
      assert.match(
        String(telegram.callsOf("editMessageText").at(-1)!.params.text),
        /applied \(approved by telegram:4242\)/,
      );

      const afterApply = edits();
      press("cb-again", OWNER, 71);
      const again = await answered("cb-again");
      assert.match(String(again.params.text), /applied, not pending|already/);
      // An edit would follow the answer at once; a later press, answered after it, bounds the wait.
      press("cb-probe", HELPER, 72);
      await answered("cb-probe");
      assert.equal(edits(), afterApply, "the owner's applied message was replaced");
      assert.ok(afterApply > before);
      assert.equal(written(ip), 1);
    },
  );
});
