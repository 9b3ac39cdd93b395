import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  classifyHttpError,
  classifyStreamError,
  classifyThrown,
  parseRetryAfter,
} from "../../lib/providers/classify_error.ts";

function kind(status: number, body: unknown = "", headers?: HeadersInit): string {
  return classifyHttpError({
    provider: "p",
    status,
    bodyText: typeof body === "string" ? body : JSON.stringify(body),
    ...(headers ? { headers: new Headers(headers) } : {}),
  }).kind;
}

describe("classifyHttpError()", () => {
  it("classifies by status", () => {
    assert.equal(kind(401), "auth");
    assert.equal(kind(403), "auth");
    assert.equal(kind(402), "billing");
    assert.equal(kind(429), "rate-limit");
    assert.equal(kind(408), "timeout");
    assert.equal(kind(504), "timeout");
    assert.equal(kind(409), "server");
    assert.equal(kind(500), "server");
    assert.equal(kind(502), "server");
    assert.equal(kind(503), "overloaded");
    assert.equal(kind(529), "overloaded");
    assert.equal(kind(413), "context-overflow");
    assert.equal(kind(400), "bad-request");
    assert.equal(kind(404), "bad-request");
    assert.equal(kind(422), "bad-request");
  });

  it("reads the bodies of each vendor", () => {
    assert.equal(
      kind(429, {
        error: {
          message: "You exceeded your current quota",
          type: "insufficient_quota",
          code: "insufficient_quota",
        },
      }),
      "billing",
    );
    assert.equal(
      kind(429, {
        type: "error",
        error: {
          type: "rate_limit_error",
          message: "x",
          details: { error_code: "enforced_spend_limit_reached" },
        },
      }),
      "billing",
    );
    assert.equal(
      kind(400, {
        error: {
          message: "This model's maximum context length is 8192 tokens",
          code: "context_length_exceeded",
        },
      }),
      "context-overflow",
    );
    assert.equal(
      kind(400, {
        type: "error",
        error: {
          type: "invalid_request_error",
          message: "prompt is too long: 210000 tokens > 200000 maximum",
        },
      }),
      "context-overflow",
    );
    assert.equal(
      kind(400, {
        error: {
          code: 400,
          message: "API key not valid. Please pass a valid API key.",
          status: "INVALID_ARGUMENT",
        },
      }),
      "auth",
    );
    assert.equal(
      kind(400, {
        type: "error",
        error: { type: "invalid_request_error", message: "Your credit balance is too low" },
      }),
      "billing",
    );
    assert.equal(
      kind(403, {
        error: { code: 403, message: "flagged", metadata: { reasons: ["x"], flagged_input: "y" } },
      }),
      "bad-request",
    );
    assert.equal(
      kind(500, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
      "overloaded",
    );
  });

  it("keeps the message and retry delay", () => {
    const e = classifyHttpError({
      provider: "openai",
      status: 429,
      headers: new Headers({ "retry-after": "7" }),
      bodyText: JSON.stringify({ error: { message: "Rate limit reached" } }),
    });
    assert.equal(e.retryAfterMs, 7000);
    assert.equal(e.message, 'Cannot call provider "openai": HTTP 429: Rate limit reached');
    assert.equal(e.isRetryable, true);
  });

  it("never throws on hostile bodies and always yields a known kind", () => {
    const kinds = new Set([
      "auth",
      "billing",
      "rate-limit",
      "overloaded",
      "timeout",
      "network",
      "bad-request",
      "context-overflow",
      "server",
      "stream",
    ]);
    fc.assert(
      fc.property(
        fc.integer({ min: 400, max: 599 }),
        fc.oneof(fc.string(), fc.json()),
        (status, body) => {
          assert.ok(kinds.has(classifyHttpError({ provider: "p", status, bodyText: body }).kind));
          assert.ok(kinds.has(
            classifyStreamError(
              "p",
              (() => {
                try {
                  return JSON.parse(body);
                } catch {
                  return body;
                }
              })(),
            ).kind,
          ));
        },
      ),
    );
  });
});

describe("parseRetryAfter()", () => {
  it("reads retry-after-ms, seconds and HTTP dates", () => {
    assert.equal(parseRetryAfter(new Headers({ "retry-after-ms": "1500.5" })), 1500.5);
    assert.equal(parseRetryAfter(new Headers({ "retry-after": "2" })), 2000);
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    assert.equal(
      parseRetryAfter(new Headers({ "retry-after": "Wed, 21 Oct 2015 07:28:05 GMT" }), now),
      5000,
    );
    assert.equal(parseRetryAfter(new Headers({ "retry-after": "soon" })), undefined);
    assert.equal(parseRetryAfter(new Headers({ "retry-after": "-3" })), undefined);
    assert.equal(
      parseRetryAfter(new Headers({ "retry-after-ms": "-1", "retry-after": "1" })),
      1000,
    );
    assert.equal(
      parseRetryAfter(new Headers({ "retry-after": "Wed, 21 Oct 2015 07:27:00 GMT" }), now),
      0,
      "a date in the past means now",
    );
    assert.equal(parseRetryAfter(new Headers()), undefined);
  });
});

describe("classifyStreamError() / classifyThrown()", () => {
  it("maps in-stream error shapes", () => {
    assert.equal(
      classifyStreamError("a", {
        type: "error",
        error: { type: "overloaded_error", message: "Overloaded" },
      }).kind,
      "overloaded",
    );
    assert.equal(
      classifyStreamError("o", { error: { code: 429, message: "slow down" } }).kind,
      "rate-limit",
    );
    assert.equal(classifyStreamError("o", { error: "weird" }).kind, "stream");
  });

  it("tells timeouts, aborts and network errors apart", () => {
    const t = new AbortController();
    t.abort(new DOMException("x", "TimeoutError"));
    const a = new AbortController();
    a.abort();
    assert.equal(classifyThrown("p", new Error("x"), t.signal).kind, "timeout");
    assert.equal(classifyThrown("p", new Error("x"), a.signal).kind, "aborted");
    assert.equal(classifyThrown("p", new TypeError("fetch failed")).kind, "network");
  });
});
