import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatEvent, type ServerSentEvent, sseResponse } from "../../lib/gateway/_sse.ts";

describe("sseResponse()", () => {
  it("writes each event as it comes, named or not, with the event-stream type", async () => {
    async function* events(): AsyncGenerator<ServerSentEvent> {
      yield { event: "turn-start", data: '{"a":1}' };
      yield { data: "[DONE]" };
    }
    const res = sseResponse(events(), { headers: { "x-accel-buffering": "no" } });
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.equal(res.headers.get("x-accel-buffering"), "no");
    assert.equal(await res.text(), 'event: turn-start\ndata: {"a":1}\n\ndata: [DONE]\n\n');
  });

  it("an error thrown by the events errors the stream", async () => {
    async function* events(): AsyncGenerator<ServerSentEvent> {
      yield { data: "1" };
      throw new Error("boom");
    }
    await assert.rejects(sseResponse(events()).text(), /boom/);
  });

  it("a cancelled stream calls onCancel and closes the events (their finally runs)", async () => {
    let cancelled = false;
    let closed!: () => void;
    const finished = new Promise<void>((resolve) => (closed = resolve));
    async function* events(): AsyncGenerator<ServerSentEvent> {
      try {
        for (let i = 0;; i++) yield { data: String(i) };
      } finally {
        closed();
      }
    }
    const res = sseResponse(events(), { onCancel: () => (cancelled = true) });
    const reader = res.body!.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), "data: 0\n\n");
    await reader.cancel();
    await finished;
    assert.equal(cancelled, true);
  });

  it("formatEvent() puts the name line first only when there is a name", () => {
    assert.equal(formatEvent({ data: "x" }), "data: x\n\n");
    assert.equal(formatEvent({ event: "done", data: "{}" }), "event: done\ndata: {}\n\n");
  });
});
