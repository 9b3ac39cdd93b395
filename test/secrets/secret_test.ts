import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import fc from "fast-check";
import { constantTimeEqual, isSecret, secret } from "../../lib/secrets/mod.ts";

describe("secret()", () => {
  it("reveal() gives the text back", () => {
    assert.equal(secret("sk-123").reveal(), "sk-123");
  });

  it("never prints its text: String, template, JSON, inspect, concatenation", () => {
    const s = secret("sk-test-123");
    assert.equal(String(s), "[redacted]");
    assert.equal(`${s}`, "[redacted]");
    assert.equal("" + s, "[redacted]");
    assert.equal(JSON.stringify({ key: s }), '{"key":"[redacted]"}');
    assert.doesNotMatch(inspect({ nested: { key: s } }, { depth: 10 }), /sk-test-123/);
    assert.doesNotMatch(inspect(s, { showHidden: true }), /sk-test-123/);
    assert.equal(Object.keys(s).some((k) => String((s as any)[k]).includes("sk-test")), false);
  });

  it("is frozen and recognised by isSecret()", () => {
    const s = secret("x");
    assert.ok(Object.isFrozen(s));
    assert.ok(isSecret(s));
    assert.equal(isSecret({ reveal: () => "x" }), false);
    assert.equal(isSecret("x"), false);
    assert.equal(isSecret(null), false);
  });

  it("rejects a non-string", () => {
    assert.throws(() => secret(42 as unknown as string), TypeError);
  });

  it("equals() compares exactly", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        assert.equal(secret(a).equals(b), a === b);
        assert.equal(constantTimeEqual(a, a), true);
      }),
    );
    assert.equal(secret("abc").equals("abcd"), false);
    assert.equal(secret("").equals(""), true);
  });
});
