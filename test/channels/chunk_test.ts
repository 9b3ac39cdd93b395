import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { chunkText } from "../../lib/channels/chunk.ts";
import { parseAllowlist } from "../../lib/channels/allowlist.ts";

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

const texty = fc.array(
  fc.oneof(
    fc.constantFrom(" ", "\n", "\n\n", ". ", "! ", "? ", "🙂", "👨‍👩‍👧", "é", "\t"),
    fc.string({ unit: "grapheme", maxLength: 12 }),
    fc.string({ unit: "binary", maxLength: 6 }),
  ),
  { maxLength: 400 },
).map((parts) => parts.join(""));

describe("chunkText()", () => {
  it("loses nothing, respects the limit and never splits a surrogate pair", () => {
    fc.assert(
      fc.property(texty, fc.integer({ min: 2, max: 300 }), (text, limit) => {
        const parts = chunkText(text, limit);
        assert.equal(parts.join(""), text);
        for (const [i, p] of parts.entries()) {
          assert.ok(p.length > 0 && p.length <= limit);
          if (i < parts.length - 1) {
            const last = p.charCodeAt(p.length - 1);
            const next = parts[i + 1]!.charCodeAt(0);
            assert.ok(!(isHigh(last) && isLow(next)), "surrogate pair split");
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("prefers paragraph, then line, sentence and word boundaries", () => {
    const para = "a".repeat(60) + "\n\n" + "b".repeat(60);
    assert.deepEqual(chunkText(para, 100), ["a".repeat(60) + "\n\n", "b".repeat(60)]);
    const line = "a".repeat(60) + "\n" + "b".repeat(60);
    assert.deepEqual(chunkText(line, 100), ["a".repeat(60) + "\n", "b".repeat(60)]);
    const sentence = "x".repeat(55) + ". Next words here " + "y".repeat(40);
    assert.equal(chunkText(sentence, 100)[0], "x".repeat(55) + ". ");
    const words = ("word ".repeat(30)).trim();
    for (const p of chunkText(words, 23).slice(0, -1)) assert.ok(p.endsWith(" "));
  });

  it("cuts hard only when there is no boundary, keeping emoji whole", () => {
    const emoji = "🙂".repeat(10); // 20 code units
    const parts = chunkText(emoji, 5);
    assert.equal(parts.join(""), emoji);
    for (const p of parts) assert.equal(p.length, 4);
  });

  it("returns nothing for empty text and refuses a nonsense limit", () => {
    assert.deepEqual(chunkText("", 10), []);
    assert.throws(() => chunkText("abc", 1), RangeError);
    assert.throws(() => chunkText("abc", Number.NaN), RangeError);
  });

  it("is fast on a large text without boundaries", () => {
    const big = "z".repeat(200_000);
    assert.equal(chunkText(big, 4096).join(""), big);
  });
});

describe("parseAllowlist()", () => {
  it("denies by default and keeps ids exactly", () => {
    assert.deepEqual(parseAllowlist(undefined), []);
    assert.deepEqual(parseAllowlist(""), []);
    assert.deepEqual(parseAllowlist(" , ,"), []);
    assert.deepEqual(parseAllowlist(" 4242 , U0ABC,*"), ["4242", "U0ABC", "*"]);
  });
});
