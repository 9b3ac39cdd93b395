import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { configureLogger, formatArgs, redact } from "../../cli/_logger.ts";
import { secret } from "../../lib/secrets/mod.ts";

describe("cli/_logger", () => {
  it("formatArgs() redacts Secret values, also inside objects", () => {
    const s = secret("sk-abc-123");
    const text = formatArgs(["key", s, { nested: { s } }, new Error("boom")]);
    assert.equal(text, 'key [redacted] {"nested":{"s":"[redacted]"}} boom');
  });

  it("redact() replaces every registered secret text", () => {
    configureLogger({ secrets: ["tok-very-secret", "abc"] });
    assert.equal(redact("a tok-very-secret b tok-very-secret"), "a [redacted] b [redacted]");
    // too short to scrub safely
    assert.equal(redact("abc"), "abc");
    assert.equal(
      formatArgs(["url https://x/bottok-very-secret/getMe"]),
      "url https://x/bot[redacted]/getMe",
    );
  });
});
