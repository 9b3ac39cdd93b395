/**
 * A local fake of Discord (PROTOCOLS §6): REST (gateway/bot, users/@me, channel messages with
 * the 2000 limit and scripted per-bucket 429s, typing, interaction callbacks and webhook
 * follow-ups) and a Gateway WebSocket speaking op 10/1/11/2/0/6/7/9 that can drop a connection
 * and accept RESUME. Signs interactions with a fresh Ed25519 key. Records everything.
 * @module
 */
import { Hono } from "hono";
import { type LocalWsServer, serveLocalWs, type WsPeer } from "../_utils/ws_server.ts";

/** One recorded REST call. */
export interface DiscordCall {
  method: string;
  path: string;
  body: Record<string, unknown>;
  authorization: string;
  status: number;
  at: number;
}

/** One frame the client sent on the Gateway, with the connection it came on. */
export interface GatewayFrame {
  op: number;
  d: unknown;
  /** Path + query the connection was opened with. */
  url: string;
  connection: number;
}

/** The running fake. */
export interface FakeDiscord {
  /** Pass as `apiBase`. */
  apiBase: string;
  /** `ws://127.0.0.1:<port>/gateway` (pass as `gatewayUrl`, or let GET /gateway/bot tell it). */
  gatewayUrl: string;
  token: string;
  botId: string;
  /** Hex Ed25519 public key matching {@linkcode FakeDiscord.signedInteraction}. */
  publicKey: string;
  calls: DiscordCall[];
  frames: GatewayFrame[];
  /** Gateway connections opened so far. */
  connections: number;
  /** When false, heartbeats are no longer ACKed (zombie connection). */
  ackHeartbeats: boolean;
  /** HELLO heartbeat interval in ms. */
  heartbeatInterval: number;
  /** Close code sent right after IDENTIFY instead of READY (e.g. 4014). */
  failIdentifyWith: number | undefined;
  /** Session id of the live (or most recent) Gateway session. */
  sessionId(): string | undefined;
  callsOf(method: string, pathPrefix: string): DiscordCall[];
  /** Sends a dispatch (op 0) with the next sequence number on the live session. */
  dispatch(t: string, d: unknown): number;
  /** A MESSAGE_CREATE from `authorId` in `channelId` (a DM unless `guildId`). */
  message(authorId: string, content: string, extra?: Record<string, unknown>): number;
  /** Closes the live connection abruptly (non-1000 code): the client should RESUME. */
  drop(): void;
  /** Sends op 7 RECONNECT. */
  requestReconnect(): void;
  /** Sends op 9 INVALID_SESSION. */
  invalidateSession(resumable: boolean): void;
  /** The next `count` channel-message POSTs answer 429 with `retry_after` seconds. */
  rateLimitNext(retryAfter: number, count?: number): void;
  signedInteraction(
    body: string,
    options?: { timestamp?: number; signature?: string },
  ): Promise<Request>;
  waitFor(predicate: (call: DiscordCall) => boolean, ms?: number): Promise<DiscordCall>;
  waitForFrame(predicate: (frame: GatewayFrame) => boolean, ms?: number): Promise<GatewayFrame>;
  close(): Promise<void>;
}

interface Session {
  id: string;
  seq: number;
  events: { s: number; t: string; d: unknown }[];
}

/** Starts the fake on 127.0.0.1. */
export async function startFakeDiscord(): Promise<FakeDiscord> {
  const token = "discord-test-token";
  const botId = "1100000000000000001";
  const calls: DiscordCall[] = [];
  const frames: GatewayFrame[] = [];
  const watchers = new Set<() => void>();
  const sessions = new Map<string, Session>();
  let live: { peer: WsPeer; session?: Session; connection: number } | undefined;
  const connectionOf = new Map<string, number>();
  let limited = { retryAfter: 0, count: 0 };
  let nextId = 1300000000000000000n;
  let sessionCount = 0;

  const keys = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const publicKey = hex(await crypto.subtle.exportKey("raw", keys.publicKey));

  function hex(buf: ArrayBuffer): string {
    return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  }
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
  function send(peer: WsPeer, frame: Record<string, unknown>): void {
    peer.send(JSON.stringify({ s: null, t: null, d: null, ...frame }));
  }
  function emit(session: Session, t: string, d: unknown): number {
    const s = ++session.seq;
    session.events.push({ s, t, d });
    if (live?.session === session) send(live.peer, { op: 0, s, t, d });
    return s;
  }

  const app = new Hono();
  app.all("/api/v10/*", async (c) => {
    const path = c.req.path.slice("/api/v10".length);
    const method = c.req.method;
    const authorization = c.req.header("authorization") ?? "";
    const body = (c.req.header("content-type") ?? "").includes("json") ? await c.req.json() : {};
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      calls.push({ method, path, body, authorization, status, at: Date.now() });
      notify();
      if (status === 204) return new Response(null, { status, headers });
      return Response.json(payload, { status, headers });
    };
    const open = path.startsWith("/webhooks/") || path.startsWith("/interactions/");
    if (!open && authorization !== `Bot ${token}`) {
      return answer(401, { message: "401: Unauthorized", code: 0 });
    }
    if (method === "GET" && path === "/gateway/bot") {
      return answer(200, {
        url: `${server.wsUrl}/gateway`,
        shards: 1,
        session_start_limit: {
          total: 1000,
          remaining: 999,
          reset_after: 14400000,
          max_concurrency: 1,
        },
      });
    }
    if (method === "GET" && path === "/users/@me") {
      return answer(200, { id: botId, username: "mikroclaw", bot: true });
    }
    if (method === "POST" && path === "/users/@me/channels") {
      // Opening a DM: the channel id is stable per recipient.
      const recipient = String(body.recipient_id ?? "");
      if (!/^\d+$/.test(recipient)) {
        return answer(400, { code: 50035, message: "Invalid Form Body" });
      }
      return answer(200, { id: `9${recipient}`, type: 1, recipients: [{ id: recipient }] });
    }
    const messages = path.match(/^\/channels\/(\d+)\/messages$/);
    if (method === "POST" && messages) {
      const bucket = { "x-ratelimit-bucket": `bucket-${messages[1]}`, "x-ratelimit-limit": "5" };
      if (limited.count > 0) {
        limited.count--;
        return answer(
          429,
          {
            message: "You are being rate limited.",
            retry_after: limited.retryAfter,
            global: false,
          },
          {
            ...bucket,
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset-after": String(limited.retryAfter),
            "x-ratelimit-scope": "user",
            "retry-after": String(Math.ceil(limited.retryAfter)),
          },
        );
      }
      const content = typeof body.content === "string" ? body.content : "";
      if (content.length > 2000) {
        return answer(400, {
          code: 50035,
          errors: {
            content: {
              _errors: [{
                code: "BASE_TYPE_MAX_LENGTH",
                message: "Must be 2000 or fewer in length.",
              }],
            },
          },
          message: "Invalid Form Body",
        });
      }
      if (content === "" && !body.components) {
        return answer(400, { code: 50006, message: "Cannot send an empty message" });
      }
      return answer(200, {
        id: String(nextId++),
        channel_id: messages[1],
        content,
        author: { id: botId, bot: true },
      }, { ...bucket, "x-ratelimit-remaining": "4", "x-ratelimit-reset-after": "1" });
    }
    if (method === "POST" && /^\/channels\/\d+\/typing$/.test(path)) return answer(204, null);
    if (path.startsWith("/interactions/") && path.endsWith("/callback")) return answer(204, null);
    if (path.startsWith("/webhooks/")) {
      return answer(200, { id: String(nextId++), content: body.content });
    }
    return answer(404, { message: "404: Not Found", code: 0 });
  });

  const fake: FakeDiscord = {
    apiBase: "",
    gatewayUrl: "",
    token,
    botId,
    publicKey,
    calls,
    frames,
    connections: 0,
    ackHeartbeats: true,
    heartbeatInterval: 200,
    failIdentifyWith: undefined,
    sessionId: () => (live?.session ?? [...sessions.values()].at(-1))?.id,
    callsOf: (method, prefix) =>
      calls.filter((c) => c.method === method && c.path.startsWith(prefix)),
    dispatch(t, d) {
      const session = live?.session ?? [...sessions.values()].at(-1);
      if (!session) throw new Error("Cannot dispatch: no Gateway session yet");
      return emit(session, t, d);
    },
    message(authorId, content, extra = {}) {
      return fake.dispatch("MESSAGE_CREATE", {
        id: String(nextId++),
        channel_id: "2200000000000000001",
        author: { id: authorId, username: `u${authorId}`, discriminator: "0" },
        content,
        timestamp: new Date().toISOString(),
        tts: false,
        mention_everyone: false,
        mentions: [],
        attachments: [],
        embeds: [],
        type: 0,
        ...extra,
      });
    },
    drop() {
      live?.peer.close(4000, "dropped by the fake");
    },
    requestReconnect() {
      if (live) send(live.peer, { op: 7 });
    },
    invalidateSession(resumable) {
      if (live) send(live.peer, { op: 9, d: resumable });
    },
    rateLimitNext(retryAfter, count = 1) {
      limited = { retryAfter, count };
    },
    async signedInteraction(body, options = {}) {
      const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
      const sig = hex(
        await crypto.subtle.sign(
          { name: "Ed25519" },
          keys.privateKey,
          new TextEncoder().encode(timestamp + body),
        ),
      );
      return new Request("http://gateway/channels/discord/interactions", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-signature-ed25519": options.signature ?? sig,
          "x-signature-timestamp": timestamp,
        },
        body,
      });
    },
    async waitFor(predicate, ms = 10_000) {
      await wait(() => calls.some(predicate), ms, "the expected Discord call");
      return calls.find(predicate)!;
    },
    async waitForFrame(predicate, ms = 10_000) {
      await wait(() => frames.some(predicate), ms, "the expected Gateway frame");
      return frames.find(predicate)!;
    },
    close: () => server.close(),
  };

  const server: LocalWsServer = await serveLocalWs(app.fetch, {
    open(peer) {
      const connection = ++fake.connections;
      connectionOf.set(peer.id, connection);
      live = { peer, connection };
      send(peer, { op: 10, d: { heartbeat_interval: fake.heartbeatInterval } });
      notify();
    },
    message(peer, text) {
      let frame: { op: number; d: unknown };
      try {
        frame = JSON.parse(text);
      } catch {
        peer.close(4002, "Decode error");
        return;
      }
      const connection = connectionOf.get(peer.id) ?? 0;
      frames.push({ op: frame.op, d: frame.d, url: peer.url, connection });
      const d = (frame.d ?? {}) as Record<string, unknown>;
      switch (frame.op) {
        case 1:
          if (fake.ackHeartbeats) send(peer, { op: 11 });
          break;
        case 2: {
          if (d.token !== token) {
            peer.close(4004, "Authentication failed.");
            break;
          }
          if (fake.failIdentifyWith) {
            peer.close(fake.failIdentifyWith, "Disallowed intent(s).");
            break;
          }
          const session: Session = { id: `session-${++sessionCount}`, seq: 0, events: [] };
          sessions.set(session.id, session);
          if (live?.peer.id === peer.id) live.session = session;
          emit(session, "READY", {
            v: 10,
            user: { id: botId, username: "mikroclaw", bot: true },
            guilds: [],
            session_id: session.id,
            resume_gateway_url: `${server.wsUrl}/resume`,
            shard: [0, 1],
            application: { id: botId, flags: 0 },
          });
          break;
        }
        case 6: {
          const session = sessions.get(String(d.session_id));
          if (d.token !== token || !session) {
            send(peer, { op: 9, d: false });
            break;
          }
          if (live?.peer.id === peer.id) live.session = session;
          const from = Number(d.seq ?? 0);
          for (const e of session.events) {
            if (e.s > from) send(peer, { op: 0, s: e.s, t: e.t, d: e.d });
          }
          emit(session, "RESUMED", {});
          break;
        }
      }
      notify();
    },
    close(peer) {
      if (live?.peer.id === peer.id) live = undefined;
      notify();
    },
  });
  fake.apiBase = `${server.url}/api/v10`;
  fake.gatewayUrl = `${server.wsUrl}/gateway`;
  return fake;
}
