/**
 * The OpenAI-compatible API: `GET /v1/models` and `POST /v1/chat/completions` over one agent
 * turn, in OpenAI's response, chunk (SSE) and error shapes. Authentication is the gateway's:
 * it checks the bearer token first and passes the caller's token id.
 * @module
 */
import * as v from "valibot";
import { errorMessage, isAgentError } from "../errors.ts";
import type { Agent } from "../agent/types.ts";
import type { Message, Usage } from "../providers/types.ts";
import { type ServerSentEvent, sseResponse } from "../gateway/_sse.ts";

/** Options of {@linkcode createOpenAICompatHandlers}. */
export interface OpenAICompatOptions {
  agent: Agent;
  /** The one model id offered. @default {"mikroclaw"} */
  model?: string;
  /** Most messages in one request. @default {200} */
  maxMessages?: number;
  /** Largest request body, in bytes. @default {1048576} */
  maxBodyBytes?: number;
}

/** What the gateway passes after authenticating. */
export interface OpenAICompatContext {
  /** The gateway token's id; tools see `gateway:<tokenId>` as the requester. */
  tokenId: string;
  /** Cancels the turn (client went away, shutdown). */
  signal?: AbortSignal;
}

/** The two route handlers. */
export interface OpenAICompatHandlers {
  /** `GET /v1/models`. */
  models(request: Request, context: OpenAICompatContext): Promise<Response>;
  /** `POST /v1/chat/completions`. */
  chatCompletions(request: Request, context: OpenAICompatContext): Promise<Response>;
}

/**
 * An error in OpenAI's shape `{"error":{"message","type","param","code"}}`. The official
 * clients raise `AuthenticationError` for 401, `NotFoundError` for 404 and so on.
 *
 * @example The gateway's 401
 * ```ts
 * return openAIError(401, "Invalid or missing bearer token", "invalid_request_error", "invalid_api_key");
 * ```
 */
export function openAIError(
  status: number,
  message: string,
  type: string = "invalid_request_error",
  code: string | null = null,
  param: string | null = null,
): Response {
  return Response.json({ error: { message, type, param, code } }, { status });
}

const TextPart = v.object({ type: v.literal("text"), text: v.string() });
const ChatMessage = v.object({
  role: v.picklist(["system", "developer", "user", "assistant", "tool"]),
  content: v.nullish(
    v.union([v.string(), v.array(v.union([TextPart, v.looseObject({ type: v.string() })]))]),
  ),
});
const ChatRequest = v.looseObject({
  model: v.string(),
  messages: v.pipe(v.array(ChatMessage), v.minLength(1, "messages must not be empty")),
  stream: v.nullish(v.boolean()),
  stream_options: v.nullish(v.looseObject({ include_usage: v.nullish(v.boolean()) })),
});

/** Creation time reported for the model (a fixed date: it never changes). */
const MODEL_CREATED = 1_700_000_000;

/**
 * Builds the handlers. Each completion is one fresh agent turn: the last message (a user
 * message) is the input, the earlier ones its `history`; tools run inside MikroClaw, so
 * client-side tool messages are refused. The session is private to the request.
 *
 * @example Mount on the gateway (hono), after its bearer check
 * ```ts
 * const openai = createOpenAICompatHandlers({ agent });
 * app.get("/v1/models", (c) => openai.models(c.req.raw, { tokenId: c.get("tokenId") }));
 * app.post("/v1/chat/completions", (c) =>
 *   openai.chatCompletions(c.req.raw, { tokenId: c.get("tokenId"), signal: c.req.raw.signal }));
 * ```
 */
export function createOpenAICompatHandlers(options: OpenAICompatOptions): OpenAICompatHandlers {
  const { agent } = options;
  if (!agent || typeof agent.run !== "function") {
    throw new TypeError('Cannot create OpenAI-compatible handlers: "agent" must be an Agent');
  }
  const model = options.model ?? "mikroclaw";
  const maxMessages = options.maxMessages ?? 200;
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;

  async function readRequest(
    request: Request,
  ): Promise<{ input: string; history: Message[]; stream: boolean; usage: boolean } | Response> {
    if (request.method !== "POST") return openAIError(405, "Use POST", "invalid_request_error");
    const length = Number(request.headers.get("content-length") ?? "0");
    if (length > maxBodyBytes) return openAIError(413, "Request body too large");
    let body: unknown;
    try {
      const text = await request.text();
      if (new TextEncoder().encode(text).length > maxBodyBytes) {
        return openAIError(413, "Request body too large");
      }
      body = JSON.parse(text);
    } catch {
      return openAIError(400, "The request body is not valid JSON");
    }
    const parsed = v.safeParse(ChatRequest, body);
    if (!parsed.success) {
      const first = parsed.issues[0]!;
      const param = first.path?.map((p) => String(p.key)).join(".") ?? null;
      return openAIError(
        400,
        `Invalid request: ${param ? `${param}: ` : ""}${first.message}`,
        "invalid_request_error",
        null,
        param,
      );
    }
    const req = parsed.output;
    if (req.model !== model) {
      return openAIError(
        404,
        `The model \`${req.model}\` does not exist; use \`${model}\``,
        "invalid_request_error",
        "model_not_found",
        "model",
      );
    }
    if (req.messages.length > maxMessages) {
      return openAIError(
        400,
        `Too many messages: at most ${maxMessages}`,
        "invalid_request_error",
        null,
        "messages",
      );
    }
    const last = req.messages.at(-1)!;
    if (last.role !== "user") {
      return openAIError(
        400,
        "The last message must be a user message",
        "invalid_request_error",
        null,
        "messages",
      );
    }
    const history: Message[] = [];
    for (const m of req.messages.slice(0, -1)) {
      const content = textOf(m.content);
      if (m.role === "tool") {
        return openAIError(
          400,
          "Tool messages are not supported: tools run inside MikroClaw",
          "invalid_request_error",
          null,
          "messages",
        );
      }
      // The client's system text is a request, not our system prompt.
      if (m.role === "system" || m.role === "developer") {
        history.push({ role: "user", content: `[Instructions from the API client]\n${content}` });
      } else history.push({ role: m.role, content });
    }
    return {
      input: textOf(last.content),
      history,
      stream: req.stream === true,
      usage: req.stream_options?.include_usage === true,
    };
  }

  return {
    async models(_request: Request, _context: OpenAICompatContext): Promise<Response> {
      return Response.json({
        object: "list",
        data: [{ id: model, object: "model", created: MODEL_CREATED, owned_by: "mikroclaw" }],
      });
    },

    async chatCompletions(request: Request, context: OpenAICompatContext): Promise<Response> {
      const read = await readRequest(request);
      if (read instanceof Response) return read;
      const id = `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;
      const created = Math.floor(Date.now() / 1000);
      // A private session per request: the client sends the whole history every time.
      const sessionKey = `openai:${context.tokenId}:${crypto.randomUUID()}`;
      const turn = {
        input: read.input,
        history: read.history,
        sessionKey,
        requestedBy: `gateway:${context.tokenId}`,
        signal: context.signal,
      };
      if (!read.stream) {
        try {
          const result = await agent.run(turn);
          return Response.json({
            id,
            object: "chat.completion",
            created,
            model,
            choices: [{
              index: 0,
              message: { role: "assistant", content: result.text },
              finish_reason: result.stopReason === "step-limit" ? "length" : "stop",
            }],
            usage: usageOf(result.usage),
          });
        } catch (error) {
          return turnError(error);
        } finally {
          agent.reset(sessionKey);
        }
      }
      const usage = read.usage;
      const controller = new AbortController();
      const signal = context.signal
        ? AbortSignal.any([context.signal, controller.signal])
        : controller.signal;
      const chunk = (fields: Record<string, unknown>): ServerSentEvent => ({
        data: JSON.stringify({ id, object: "chat.completion.chunk", created, model, ...fields }),
      });
      const delta = (delta: Record<string, unknown>, finish: string | null) =>
        chunk({ choices: [{ index: 0, delta, finish_reason: finish }] });
      async function* completionChunks(): AsyncGenerator<ServerSentEvent> {
        try {
          yield delta({ role: "assistant", content: "" }, null);
          for await (const event of agent.stream({ ...turn, signal })) {
            if (event.type === "text-delta" && event.text) {
              yield delta({ content: event.text }, null);
            } else if (event.type === "error") {
              const error = {
                message: event.message,
                type: "server_error",
                param: null,
                code: event.code,
              };
              yield { data: JSON.stringify({ error }) };
              return;
            } else if (event.type === "turn-end") {
              yield delta({}, "stop");
              if (usage) yield chunk({ choices: [], usage: usageOf(event.usage) });
            }
          }
          yield { data: "[DONE]" };
        } finally {
          agent.reset(sessionKey);
        }
      }
      return sseResponse(completionChunks(), {
        headers: { "cache-control": "no-cache", connection: "keep-alive" },
        onCancel: () => controller.abort(new Error("client went away")),
      });
    },
  };
}

// --- Internal helpers ---

function textOf(
  content: string | readonly { type: string; text?: unknown }[] | null | undefined,
): string {
  if (typeof content === "string") return content;
  if (!content) return "";
  return content.map((p) =>
    p.type === "text" && typeof p.text === "string" ? p.text : `[${p.type} omitted]`
  )
    .join("\n");
}

function usageOf(usage: Usage | undefined): Record<string, number> {
  const prompt = usage?.inputTokens ?? 0;
  const completion = usage?.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

function turnError(error: unknown): Response {
  if (isAgentError(error) && error.code === "E_ABORTED") {
    return openAIError(499, "The request was cancelled", "invalid_request_error", "cancelled");
  }
  // 502: the model behind MikroClaw failed; the message carries no secrets (providers scrub).
  return openAIError(
    502,
    `The agent could not answer: ${errorMessage(error)}`,
    "api_error",
    "upstream_error",
  );
}
