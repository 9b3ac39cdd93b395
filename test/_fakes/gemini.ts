/**
 * A scripted, recording fake of the Gemini API (PROTOCOLS §4.3): `generateContent` and
 * `streamGenerateContent?alt=sse`, function calls whole, Google error bodies. Same script
 * format as {@linkcode startFakeOpenAI} (see `./openai.ts`).
 * @module
 */
import {
  type FakeLLMServer,
  type FakeOptions,
  type FakeReply,
  type FamilyRenderer,
  splitInto,
  sseEvent,
  startScriptedFake,
} from "./openai.ts";

const STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

function callParts(reply: FakeReply): unknown[] {
  return (reply.toolCalls ?? []).map((c) => ({
    functionCall: {
      name: c.name,
      args: typeof c.arguments === "string" ? c.arguments : c.arguments,
      ...(c.id ? { id: c.id } : {}),
    },
    ...(c.id ? { thoughtSignature: `sig-${c.id}` } : {}),
  }));
}

function usage(reply: FakeReply): unknown {
  const u = reply.usage ?? { inputTokens: 20, outputTokens: 4 };
  return {
    promptTokenCount: u.inputTokens,
    candidatesTokenCount: u.outputTokens,
    totalTokenCount: u.inputTokens + u.outputTokens,
  };
}

/**
 * The body of a real Gemini 429 (quota exhausted): `error.details[]` holds a QuotaFailure, a Help
 * link and a `google.rpc.RetryInfo` whose `retryDelay` (e.g. `"34.4s"`) says when to retry.
 * Script it as `{ status: 429, body: geminiRateLimitBody("34.4s") }`.
 */
export function geminiRateLimitBody(retryDelay: string): unknown {
  return {
    error: {
      code: 429,
      message: "You exceeded your current quota, please check your plan and billing details.",
      status: "RESOURCE_EXHAUSTED",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.QuotaFailure",
          violations: [{
            quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
            quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            quotaValue: "10",
          }],
        },
        {
          "@type": "type.googleapis.com/google.rpc.Help",
          links: [{
            description: "Learn more about Gemini API quotas",
            url: "https://ai.google.dev/gemini-api/docs/rate-limits",
          }],
        },
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay },
      ],
    },
  };
}

/** The Gemini renderer. */
export const geminiRenderer: FamilyRenderer = {
  streamType: "text/event-stream",
  isStream: (r) => r.path.includes(":streamGenerateContent"),
  error: (status, message) => ({
    error: { code: status, message, status: STATUS[status] ?? "UNKNOWN", details: [] },
  }),
  stream(reply) {
    const out: string[] = [];
    const pieces = reply.text ? splitInto(reply.text, reply.textChunks ?? 3) : [];
    for (const piece of pieces) {
      out.push(
        sseEvent({
          candidates: [{ content: { role: "model", parts: [{ text: piece }] }, index: 0 }],
        }),
      );
    }
    if (reply.streamError !== undefined) {
      out.push(sseEvent(
        reply.streamError === true
          ? { error: { code: 503, message: "The model is overloaded", status: "UNAVAILABLE" } }
          : reply.streamError,
      ));
      return out;
    }
    const calls = callParts(reply);
    if (!reply.omitEnd) {
      out.push(sseEvent({
        candidates: [{
          content: { role: "model", parts: calls },
          finishReason: reply.finishReason ?? "STOP",
          index: 0,
        }],
        usageMetadata: usage(reply),
        modelVersion: "gemini-fake",
      }));
    } else if (calls.length) {
      out.push(sseEvent({ candidates: [{ content: { role: "model", parts: calls }, index: 0 }] }));
    }
    return out;
  },
  json(reply) {
    const parts: unknown[] = reply.text ? [{ text: reply.text }] : [];
    parts.push(...callParts(reply));
    return {
      candidates: [{
        content: { role: "model", parts },
        finishReason: reply.finishReason ?? "STOP",
        index: 0,
      }],
      usageMetadata: usage(reply),
      modelVersion: "gemini-fake",
    };
  },
};

/**
 * Starts a scripted Gemini fake: `POST /v1beta/models/<model>:generateContent`,
 * `:streamGenerateContent?alt=sse`, `GET /v1beta/models`. `baseURL` ends in `/v1beta`.
 */
export async function startFakeGemini(
  script: FakeReply[] = [],
  options: FakeOptions = {},
): Promise<FakeLLMServer> {
  return await startScriptedFake(
    geminiRenderer,
    (app, handle) => {
      app.post("/v1beta/models/*", handle);
      app.get("/v1beta/models", (c) => {
        if (!c.req.header("x-goog-api-key") || c.req.header("x-goog-api-key") === "bad") {
          return c.json(
            geminiRenderer.error(400, "API key not valid. Please pass a valid API key."),
            400,
          );
        }
        return c.json({ models: [{ name: "models/gemini-fake" }] });
      });
    },
    script,
    { ...options, basePath: "/v1beta", isChat: (r) => r.method === "POST" },
  );
}
