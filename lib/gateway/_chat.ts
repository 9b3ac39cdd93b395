/**
 * `POST /chat`: one agent turn in the caller's session, answered as JSON or, with
 * `Accept: text/event-stream`, streamed as the agent's events then `done` (CONTRACT §4). The
 * gateway imports this module on the first `/chat`, like `/mcp` and `/v1`.
 * @module
 */
import type { Context } from "hono";
import { errorMessage, isAgentError } from "../errors.ts";
import type { Agent, AgentEvent, TurnInput } from "../agent/types.ts";
import { fail, readJson } from "./_middleware.ts";
import { parseChatBody } from "./_schemas.ts";
import { type ServerSentEvent, sseResponse } from "./_sse.ts";
import type { GatewayEnv } from "./types.ts";

const event = (name: string, data: unknown): ServerSentEvent => ({
  event: name,
  data: JSON.stringify(data),
});

/** The agent's events, then `done` with the reply; a failure is an `error` event first. */
async function* chatEvents(
  events: AsyncIterable<AgentEvent>,
): AsyncGenerator<ServerSentEvent> {
  let reply = "";
  try {
    for await (const value of events) {
      if (value.type === "turn-end") reply = value.text;
      yield event(value.type, value);
    }
  } catch (error) {
    const code = isAgentError(error) ? error.code : "E_INTERNAL";
    yield event("error", { type: "error", code, message: errorMessage(error) });
  }
  yield event("done", { reply });
}

/** Answers an authenticated `POST /chat` (the gateway loads this module on the first one). */
export async function chat(c: Context<GatewayEnv>, agent: Agent): Promise<Response> {
  const parsed = parseChatBody(await readJson(c));
  if (!parsed.ok) fail(400, "E_BAD_REQUEST", parsed.message);
  const { input, session } = parsed.value;
  const tokenId = c.get("tokenId") ?? "local";
  const turn: TurnInput = {
    input,
    sessionKey: `gateway:${tokenId}:${session}`,
    requestedBy: `gateway:${tokenId}`,
  };
  const requestSignal = c.req.raw.signal;
  if ((c.req.header("accept") ?? "").includes("text/event-stream")) {
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, requestSignal]);
    return sseResponse(chatEvents(agent.stream({ ...turn, signal })), {
      headers: { "x-accel-buffering": "no" },
      onCancel: () => controller.abort(new Error("Client disconnected")),
    });
  }
  try {
    const r = await agent.run({ ...turn, signal: requestSignal });
    return c.json({
      reply: r.text,
      session,
      stop_reason: r.stopReason,
      steps: r.steps,
      tool_calls: r.toolCalls,
    });
  } catch (error) {
    if (isAgentError(error)) fail(502, error.code, error.message);
    throw error;
  }
}
