/**
 * A local fake of Slack (PROTOCOLS §7): the Web API (auth.test, apps.connections.open,
 * chat.postMessage with scripted 429 + Retry-After, chat.update) and a Socket Mode WebSocket
 * with hello, envelopes, acks and disconnect. Also signs Events API requests. Records
 * everything.
 * @module
 */
import { Hono } from "hono";
import { type LocalWsServer, serveLocalWs, type WsPeer } from "../_utils/ws_server.ts";

/** One recorded Web API call. */
export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  authorization: string;
  status: number;
  at: number;
}

/** The running fake. */
export interface FakeSlack {
  /** Pass as `apiBase`. */
  apiBase: string;
  botToken: string;
  appToken: string;
  botUserId: string;
  calls: SlackCall[];
  /** Envelope ids acked by the client, in order. */
  acks: string[];
  /** Number of Socket Mode connections opened so far. */
  connections: number;
  callsOf(method: string): SlackCall[];
  /** The next `count` chat.postMessage calls answer 429 with `Retry-After: seconds`. */
  rateLimitNext(seconds: number, count?: number): void;
  /**
   * Sends an envelope on the newest socket (queued until one is open); returns its id.
   * `retryAttempt` > 0 marks a redelivery.
   */
  push(type: "events_api" | "interactive", payload: unknown, retryAttempt?: number): string;
  /** Sends `{"type":"disconnect"}` on the newest socket. */
  disconnect(reason?: string): void;
  /** Closes the newest socket abruptly. */
  drop(): void;
  waitFor(predicate: (call: SlackCall) => boolean, ms?: number): Promise<SlackCall>;
  /** Resolves once `n` acks were received. */
  waitForAcks(n: number, ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** An `event_callback` payload around a message event. */
export function slackEvent(
  event: Record<string, unknown>,
  eventId: string,
): Record<string, unknown> {
  return {
    token: "legacy",
    team_id: "T061EG9R6",
    api_app_id: "A0PNCHHK2",
    type: "event_callback",
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { ts: `${Date.now() / 1000}`, ...event },
  };
}

/** Builds a signed Events API request, as Slack sends it (`ts` in seconds, default now). */
export async function signedSlackRequest(
  secret: string,
  body: string,
  options: {
    ts?: number;
    signature?: string;
    contentType?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Request> {
  const ts = String(options.ts ?? Math.floor(Date.now() / 1000));
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`v0:${ts}:${body}`));
  const hex = Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
  return new Request("http://gateway/channels/slack/events", {
    method: "POST",
    headers: {
      "content-type": options.contentType ?? "application/json",
      "x-slack-request-timestamp": ts,
      "x-slack-signature": options.signature ?? `v0=${hex}`,
      ...options.headers,
    },
    body,
  });
}

/** Starts the fake on 127.0.0.1. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const botToken = "xoxb-test-bot-token";
  const appToken = "xapp-test-app-token";
  const calls: SlackCall[] = [];
  const watchers = new Set<() => void>();
  const peers: WsPeer[] = [];
  const outbox: string[] = [];
  let limited = { seconds: 0, count: 0 };
  let envelopes = 0;
  let ts = 1_700_000_000;

  function notify(): void {
    for (const w of [...watchers]) w();
  }
  function wait(check: () => boolean, ms: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        watchers.delete(watch);
        reject(new Error(`Cannot see ${what}: timed out`));
      }, ms);
      function watch(): void {
        if (!check()) return;
        clearTimeout(timer);
        watchers.delete(watch);
        resolve();
      }
      watchers.add(watch);
    });
  }
  function deliver(frame: string): void {
    const peer = peers.at(-1);
    if (peer) peer.send(frame);
    else outbox.push(frame);
  }

  const app = new Hono();
  app.post("/api/:method", async (c) => {
    const method = c.req.param("method");
    const authorization = c.req.header("authorization") ?? "";
    const type = c.req.header("content-type") ?? "";
    const body = type.includes("json") ? await c.req.json() : {};
    const answer = (status: number, payload: Record<string, unknown>, headers = {}) => {
      calls.push({ method, body, authorization, status, at: Date.now() });
      notify();
      return Response.json(payload, { status, headers });
    };
    const wantApp = method === "apps.connections.open";
    if (authorization !== `Bearer ${wantApp ? appToken : botToken}`) {
      return answer(200, { ok: false, error: wantApp ? "not_allowed_token_type" : "invalid_auth" });
    }
    switch (method) {
      case "auth.test":
        return answer(200, {
          ok: true,
          url: "https://test.slack.com/",
          team: "Test",
          user: "mikroclaw",
          team_id: "T061EG9R6",
          user_id: "U0BOT",
          bot_id: "B0BOT",
        });
      case "apps.connections.open":
        return answer(200, { ok: true, url: `${server.wsUrl}/link/?ticket=${calls.length}` });
      case "chat.postMessage": {
        if (limited.count > 0) {
          limited.count--;
          return answer(429, { ok: false, error: "ratelimited" }, {
            "retry-after": String(limited.seconds),
          });
        }
        const text = typeof body.text === "string" ? body.text : "";
        if (!body.channel) return answer(200, { ok: false, error: "channel_not_found" });
        if (text.trim() === "" && !body.blocks) return answer(200, { ok: false, error: "no_text" });
        if (text.length > 40_000) return answer(200, { ok: false, error: "msg_too_long" });
        const messageTs = `${ts++}.000100`;
        return answer(200, {
          ok: true,
          channel: body.channel,
          ts: messageTs,
          message: {
            type: "message",
            subtype: "bot_message",
            text,
            bot_id: "B0BOT",
            ts: messageTs,
          },
        });
      }
      case "chat.update":
        return answer(200, { ok: true, channel: body.channel, ts: body.ts, text: body.text });
      case "chat.postEphemeral":
        if (!body.channel || !body.user) {
          return answer(200, { ok: false, error: "user_not_in_channel" });
        }
        return answer(200, { ok: true, message_ts: `${ts++}.000200` });
      default:
        return answer(404, { ok: false, error: "unknown_method" });
    }
  });

  const fake: FakeSlack = {
    apiBase: "",
    botToken,
    appToken,
    botUserId: "U0BOT",
    calls,
    acks: [],
    connections: 0,
    callsOf: (method) => calls.filter((c) => c.method === method),
    rateLimitNext(seconds, count = 1) {
      limited = { seconds, count };
    },
    push(type, payload, retryAttempt = 0) {
      const id = `env-${++envelopes}`;
      deliver(JSON.stringify({
        envelope_id: id,
        type,
        accepts_response_payload: false,
        retry_attempt: retryAttempt,
        retry_reason: retryAttempt > 0 ? "timeout" : "",
        payload,
      }));
      return id;
    },
    disconnect(reason = "refresh_requested") {
      peers.at(-1)?.send(JSON.stringify({ type: "disconnect", reason, debug_info: {} }));
    },
    drop() {
      peers.at(-1)?.close(1011, "dropped");
    },
    async waitFor(predicate, ms = 10_000) {
      await wait(() => calls.some(predicate), ms, "the expected Slack call");
      return calls.find(predicate)!;
    },
    waitForAcks(n, ms = 10_000) {
      return wait(() => fake.acks.length >= n, ms, `${n} Socket Mode acks`);
    },
    close: () => server.close(),
  };

  const server: LocalWsServer = await serveLocalWs(app.fetch, {
    open(peer) {
      fake.connections++;
      peers.push(peer);
      peer.send(JSON.stringify({
        type: "hello",
        num_connections: peers.length,
        debug_info: { host: "applink-fake" },
        connection_info: { app_id: "A0PNCHHK2" },
      }));
      for (const frame of outbox.splice(0)) peer.send(frame);
      notify();
    },
    message(_peer, text) {
      try {
        const frame = JSON.parse(text);
        if (typeof frame.envelope_id === "string") fake.acks.push(frame.envelope_id);
      } catch {
        // not JSON: ignored, as Slack does
      }
      notify();
    },
    close(peer) {
      const i = peers.indexOf(peer);
      if (i >= 0) peers.splice(i, 1);
      notify();
    },
  });
  fake.apiBase = `${server.url}/api`;
  return fake;
}
