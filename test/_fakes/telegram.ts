/**
 * A local fake of the Telegram Bot API (PROTOCOLS §5): getUpdates long polling over a queue
 * with offset confirmation, sendMessage with the 4096 limit and scripted 429s, a 409 mode,
 * getMe, sendChatAction, answerCallbackQuery, editMessageText. Records every call.
 * @module
 */
import { Hono } from "hono";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";

/** One recorded Bot API call. */
export interface TelegramCall {
  method: string;
  params: Record<string, unknown>;
  /** `Date.now()` when it arrived. */
  at: number;
  /** The HTTP status the fake answered with. */
  status: number;
}

/** The running fake. */
export interface FakeTelegram {
  /** Base to pass as `apiBase`. */
  url: string;
  token: string;
  calls: TelegramCall[];
  /** Queues an update (an `update_id` is assigned when missing); returns its id. */
  enqueue(update: Record<string, unknown>): number;
  /** Queues a text (or, with `text` undefined, a photo) message from a private chat. */
  message(fromId: number, text: string | undefined, chatId?: number): number;
  /** The next `count` sendMessage calls answer 429 with `retry_after` seconds. */
  rateLimitNext(retryAfter: number, count?: number): void;
  /** When true, every getUpdates answers 409 (a webhook is set). */
  conflict: boolean;
  /** Calls of one method. */
  callsOf(method: string): TelegramCall[];
  /** Resolves once a call satisfies `predicate` (already made or future); rejects after `ms`. */
  waitFor(predicate: (call: TelegramCall) => boolean, ms?: number): Promise<TelegramCall>;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1. */
export async function startFakeTelegram(
  options: { token?: string; maxHoldMs?: number } = {},
): Promise<FakeTelegram> {
  const token = options.token ?? "123456:TEST-token";
  const maxHold = options.maxHoldMs ?? 1000;
  const queue: Record<string, unknown>[] = [];
  const calls: TelegramCall[] = [];
  const holds = new Set<(byNewer?: boolean) => void>();
  const watchers = new Set<(c: TelegramCall) => void>();
  let nextUpdateId = 100000001;
  let nextMessageId = 1;
  let limited: { retryAfter: number; count: number } = { retryAfter: 0, count: 0 };
  let closed = false;

  function record(method: string, params: Record<string, unknown>, status: number): void {
    const call = { method, params, at: Date.now(), status };
    calls.push(call);
    for (const w of watchers) w(call);
  }
  function ok(result: unknown): Response {
    return Response.json({ ok: true, result });
  }
  function fail(status: number, description: string, parameters?: unknown): Response {
    return Response.json(
      { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
      { status },
    );
  }
  function wake(): void {
    for (const h of [...holds]) h();
  }

  const fake: FakeTelegram = {
    url: "",
    token,
    calls,
    conflict: false,
    enqueue(update) {
      const id = typeof update.update_id === "number" ? update.update_id : nextUpdateId++;
      queue.push({ ...update, update_id: id });
      wake();
      return id;
    },
    message(fromId, text, chatId = fromId) {
      const message: Record<string, unknown> = {
        message_id: nextMessageId++,
        from: { id: fromId, is_bot: false, first_name: "User", username: `u${fromId}` },
        chat: { id: chatId, type: chatId === fromId ? "private" : "group" },
        date: Math.floor(Date.now() / 1000),
      };
      if (text === undefined) message.photo = [{ file_id: "x", width: 1, height: 1 }];
      else message.text = text;
      return fake.enqueue({ message });
    },
    rateLimitNext(retryAfter, count = 1) {
      limited = { retryAfter, count };
    },
    callsOf(method) {
      return calls.filter((c) => c.method === method);
    },
    waitFor(predicate, ms = 10_000) {
      const found = calls.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(watch);
          reject(new Error("Cannot find the expected Telegram call: timed out"));
        }, ms);
        function watch(c: TelegramCall): void {
          if (!predicate(c)) return;
          clearTimeout(timer);
          watchers.delete(watch);
          resolve(c);
        }
        watchers.add(watch);
      });
    },
    async close() {
      closed = true;
      wake();
      await server.close();
    },
  };

  const app = new Hono();
  app.all("/:bot/:method", async (c) => {
    const bot = c.req.param("bot");
    const method = c.req.param("method");
    let params: Record<string, unknown> = Object.fromEntries(new URL(c.req.url).searchParams);
    if (c.req.method === "POST") {
      const type = c.req.header("content-type") ?? "";
      if (type.includes("application/json")) params = { ...params, ...(await c.req.json()) };
    }
    if (bot !== `bot${token}`) {
      record(method, params, 401);
      return fail(401, "Unauthorized");
    }
    switch (method.toLowerCase()) {
      case "getme":
        record(method, params, 200);
        return ok({ id: 123456, is_bot: true, first_name: "MikroClaw", username: "mikroclaw_bot" });
      case "getupdates": {
        if (fake.conflict) {
          record(method, params, 409);
          return fail(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
          );
        }
        // like Telegram, a newer poll terminates the one being held, which gets the 409
        for (const h of [...holds]) h(true);
        record(method, params, 200);
        const offset = Number(params.offset ?? 0);
        if (offset > 0) {
          while (queue.length > 0 && (queue[0]!.update_id as number) < offset) queue.shift();
        }
        if (queue.length === 0 && !closed) {
          const hold = Math.min(Number(params.timeout ?? 0) * 1000, maxHold);
          const terminated = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => done(false), hold);
            function done(byNewer?: boolean): void {
              clearTimeout(timer);
              holds.delete(done);
              resolve(byNewer === true);
            }
            holds.add(done);
          });
          if (terminated) {
            return fail(
              409,
              "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            );
          }
        }
        return ok(queue.slice(0, Number(params.limit ?? 100)));
      }
      case "sendmessage": {
        const text = typeof params.text === "string" ? params.text : "";
        if (limited.count > 0) {
          limited.count--;
          record(method, params, 429);
          return fail(429, `Too Many Requests: retry after ${limited.retryAfter}`, {
            retry_after: limited.retryAfter,
          });
        }
        if (params.chat_id === undefined) {
          record(method, params, 400);
          return fail(400, "Bad Request: chat not found");
        }
        if (text.trim() === "") {
          record(method, params, 400);
          return fail(400, "Bad Request: message text is empty");
        }
        if (text.length > 4096) {
          record(method, params, 400);
          return fail(400, "Bad Request: message is too long");
        }
        record(method, params, 200);
        return ok({
          message_id: nextMessageId++,
          chat: { id: params.chat_id },
          date: Math.floor(Date.now() / 1000),
          text,
        });
      }
      case "sendchataction":
      case "answercallbackquery":
        record(method, params, 200);
        return ok(true);
      case "editmessagetext":
        record(method, params, 200);
        return ok({ message_id: params.message_id, text: params.text });
      default:
        record(method, params, 404);
        return fail(404, "Not Found");
    }
  });
  const server: LocalServer = await serveLocal(app.fetch);
  fake.url = server.url;
  return fake;
}

/** The `approve:<id>` callback data of a sent message's inline keyboard, if it has one. */
export function approveData(call: TelegramCall): string | undefined {
  const markup = call.params.reply_markup as
    | { inline_keyboard?: { text: string; callback_data: string }[][] }
    | string
    | undefined;
  const parsed = typeof markup === "string" ? JSON.parse(markup) : markup;
  return parsed?.inline_keyboard?.flat().find((b: { callback_data: string }) =>
    b.callback_data.startsWith("approve:")
  )?.callback_data;
}
