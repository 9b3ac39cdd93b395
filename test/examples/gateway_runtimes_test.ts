import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import { bin, spawnProcess } from "./_spawn.ts";

/** Pairs with the printed code and chats once through the fake LLM. */
async function exercise(url: string, code: string): Promise<void> {
  const heartbeat = await fetch(`${url}/health/heartbeat`);
  assert.equal(heartbeat.status, 200);
  assert.deepEqual(await heartbeat.json(), { heartbeat: "ok" });
  assert.equal((await fetch(`${url}/tasks`)).status, 401);
  const paired = await fetch(`${url}/pair`, {
    method: "POST",
    headers: { "x-pairing-code": code },
  });
  assert.equal(paired.status, 200);
  const { token } = await paired.json() as { token: string };
  const chat = await fetch(`${url}/chat`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ input: "hi", session: "example" }),
  });
  assert.equal(chat.status, 200);
  assert.equal((await chat.json() as { reply: string }).reply, "hello from the fake model");
}

for (
  const [runtime, file, args] of [
    ["deno", "examples/gateway_deno.ts", ["run", "-A", "examples/gateway_deno.ts"]],
    ["bun", "examples/gateway_bun.ts", ["examples/gateway_bun.ts"]],
  ] as const
) {
  describe(`${file} (spawned with ${runtime})`, () => {
    let llm: FakeLLMServer;
    before(async () => {
      llm = await startFakeOpenAI([{ text: "hello from the fake model" }]);
    });
    after(async () => {
      await llm.close();
    });

    it("serves the gateway: heartbeat, pairing, chat", async () => {
      const proc = spawnProcess(bin(runtime), [...args], {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "sk-test",
        OPENAI_BASE_URL: llm.baseURL,
        LLM_STREAMING: "0",
        GATEWAY_PORT: "0",
        DENO_NO_UPDATE_CHECK: "1",
      });
      try {
        const [, url] = await proc.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        const [, code] = await proc.waitFor(/pairing code: (\d{6})/);
        await exercise(url!, code!);
      } finally {
        await proc.stop();
      }
    });
  });
}
