import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decryptValue,
  encryptValue,
  MAX_ENCRYPTED_LENGTH,
  MAX_PLAINTEXT_BYTES,
  secret,
} from "../../lib/secrets/mod.ts";
import { AgentError, isAgentError } from "../../lib/errors.ts";

const V1 = "ENCRYPTED:v1:fr/AgJyGDAb7cPqZ:w28zWDuJJ37L:6HpXk20TkapXdCr70m13/w==";
const HEX_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const B64_KEY = "ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=";
const PASSPHRASE = "correct horse battery staple, but much longer";

async function rejectsWithSecretError(
  promise: Promise<unknown>,
  name: string,
  forbidden: string[] = [],
): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AgentError, `expected AgentError, got ${error}`);
    assert.equal(error.code, "E_SECRET");
    assert.ok(error.message.includes(name), `message names ${name}: ${error.message}`);
    for (const f of forbidden) {
      if (f.length >= 4) assert.ok(!error.message.includes(f), `message leaks ${f}`);
    }
    return error.message;
  }
  assert.fail("expected a rejection");
}

describe("decryptValue() ENCRYPTED:v1", () => {
  it("decrypts the C original's test vector", async () => {
    assert.equal(await decryptValue(V1, { legacyKey: "test-key" }), "sk-secret");
    assert.equal(await decryptValue(V1, { legacyKey: secret("test-key") }), "sk-secret");
  });

  it("refuses a wrong key", async () => {
    await rejectsWithSecretError(
      decryptValue(V1, { legacyKey: "other-key" }, { name: "BOT_TOKEN" }),
      "BOT_TOKEN",
      ["fr/AgJyGDAb7cPqZ", "w28zWDuJJ37L", "sk-secret"],
    );
  });

  it("refuses a modified tag, nonce or ciphertext", async () => {
    const parts = V1.split(":");
    for (const i of [2, 3, 4]) {
      const p = parts[i]!;
      const flipped = (p[0] === "A" ? "B" : "A") + p.slice(1);
      const text = [...parts.slice(0, i), flipped, ...parts.slice(i + 1)].join(":");
      await rejectsWithSecretError(
        decryptValue(text, { legacyKey: "test-key" }, { name: "X" }),
        "X",
      );
    }
  });

  it("needs MEMU_ENCRYPTION_KEY", async () => {
    const message = await rejectsWithSecretError(
      decryptValue(V1, {}, { name: "BOT_TOKEN" }),
      "BOT_TOKEN",
    );
    assert.match(message, /MEMU_ENCRYPTION_KEY/);
  });
});

describe("encryptValue() / decryptValue() ENCRYPTED:v2", () => {
  for (const [label, key] of [["hex", HEX_KEY], ["base64", B64_KEY], ["passphrase", PASSPHRASE]]) {
    it(`round-trips with a ${label} key`, async () => {
      const text = await encryptValue("sk-secret-ü-✓", key);
      assert.match(text, /^ENCRYPTED:v2:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
      assert.ok(!text.includes("sk-secret"));
      assert.equal(await decryptValue(text, { secretKey: key }), "sk-secret-ü-✓");
    });
  }

  it("uses a fresh salt and nonce for every value", async () => {
    const a = await encryptValue("same", HEX_KEY);
    const b = await encryptValue("same", HEX_KEY);
    assert.notEqual(a, b);
    assert.notEqual(a.split(":")[2], b.split(":")[2]);
    assert.notEqual(a.split(":")[3], b.split(":")[3]);
  });

  it("refuses a wrong key without leaking anything", async () => {
    const text = await encryptValue("sk-plain", HEX_KEY);
    await rejectsWithSecretError(
      decryptValue(text, { secretKey: HEX_KEY.replace("00", "01") }, { name: "OPENAI_API_KEY" }),
      "OPENAI_API_KEY",
      [...text.split(":").slice(2), "sk-plain", HEX_KEY],
    );
  });

  it("refuses every single-character change (fast-check)", async () => {
    const text = await encryptValue("sk-plain", HEX_KEY);
    const prefix = "ENCRYPTED:v2:".length;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: prefix, max: text.length - 1 }),
        fc.constantFrom(..."ABCDabcd0189+/=:x"),
        async (i, c) => {
          fc.pre(text[i] !== c);
          const changed = text.slice(0, i) + c + text.slice(i + 1);
          await rejectsWithSecretError(
            decryptValue(changed, { secretKey: HEX_KEY }, { name: "K" }),
            "K",
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("refuses a v1 value re-labelled as v2 and a v2 value re-labelled as v1", async () => {
    await rejectsWithSecretError(
      decryptValue(V1.replace(":v1:", ":v2:"), { secretKey: HEX_KEY }, { name: "A" }),
      "A",
    );
    const v2 = await encryptValue("x", HEX_KEY);
    await rejectsWithSecretError(
      decryptValue(v2.replace(":v2:", ":v1:"), { legacyKey: "test-key" }, { name: "B" }),
      "B",
    );
  });

  it("needs MIKROCLAW_SECRET_KEY of at least 32 characters", async () => {
    const text = await encryptValue("x", HEX_KEY);
    assert.match(
      await rejectsWithSecretError(decryptValue(text, {}, { name: "A" }), "A"),
      /MIKROCLAW_SECRET_KEY/,
    );
    assert.match(
      await rejectsWithSecretError(decryptValue(text, { secretKey: "short" }, { name: "A" }), "A"),
      /32/,
    );
    await assert.rejects(
      encryptValue("x", "short"),
      (e) => isAgentError(e) && e.code === "E_SECRET",
    );
    await assert.rejects(
      encryptValue("x", undefined),
      (e) => isAgentError(e) && /openssl|MIKROCLAW_SECRET_KEY/.test(e.message),
    );
  });

  it("refuses an oversized plaintext", async () => {
    await assert.rejects(encryptValue("x".repeat(MAX_PLAINTEXT_BYTES + 1), HEX_KEY), RangeError);
  });
});

describe("decryptValue() with hostile input", () => {
  const cases: [string, string][] = [
    ["no parts", "ENCRYPTED:"],
    ["unknown version", "ENCRYPTED:v9:AAAA:AAAA:AAAA"],
    ["version with junk", "ENCRYPTED:\u0000evil:AAAA"],
    ["too few parts", "ENCRYPTED:v1:fr/AgJyGDAb7cPqZ:w28zWDuJJ37L"],
    ["too many parts", V1 + ":AAAA"],
    ["truncated base64", V1.slice(0, -3)],
    ["base64 without padding", "ENCRYPTED:v1:fr/AgJyGDAb7cPqZ:w28zWDuJJ37L:6HpXk20TkapXdCr70m13/w"],
    ["non-canonical base64 (trailing bits set)", V1.slice(0, -3) + "x=="],
    [
      "non-base64 characters",
      "ENCRYPTED:v1:fr/AgJyGDAb7cPq!:w28zWDuJJ37L:6HpXk20TkapXdCr70m13/w==",
    ],
    ["short nonce", "ENCRYPTED:v1:AAAA:w28zWDuJJ37L:6HpXk20TkapXdCr70m13/w=="],
    ["short tag", "ENCRYPTED:v1:fr/AgJyGDAb7cPqZ:w28zWDuJJ37L:6HpXk20T"],
    ["empty parts", "ENCRYPTED:v2:::"],
    ["v2 short salt", "ENCRYPTED:v2:AAAA:fr/AgJyGDAb7cPqZ:6HpXk20TkapXdCr70m13/w=="],
    [
      "v2 ciphertext shorter than tag",
      "ENCRYPTED:v2:AAAAAAAAAAAAAAAAAAAAAA==:fr/AgJyGDAb7cPqZ:AAAA",
    ],
    ["huge value", "ENCRYPTED:v1:" + "A".repeat(MAX_ENCRYPTED_LENGTH)],
    ["not encrypted at all", "plain"],
  ];
  for (const [label, text] of cases) {
    it(`refuses ${label} with E_SECRET naming the variable`, async () => {
      await rejectsWithSecretError(
        decryptValue(text, { legacyKey: "test-key", secretKey: HEX_KEY }, {
          name: "SLACK_BOT_TOKEN",
        }),
        "SLACK_BOT_TOKEN",
        text.split(":").slice(2).filter((p) => p.length >= 4).map((p) => p.slice(0, 40)),
      );
    });
  }

  it("never resolves for random ENCRYPTED: strings and never echoes them (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("v1", "v2", "v3", ""),
        fc.array(fc.base64String({ maxLength: 40 }), { maxLength: 6 }),
        async (version, parts) => {
          const text = ["ENCRYPTED", version, ...parts].join(":");
          await rejectsWithSecretError(
            decryptValue(text, { legacyKey: "k", secretKey: HEX_KEY }, { name: "V" }),
            "V",
            parts.filter((p) => p.length >= 8),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
