/**
 * Hole 5 of issue #17: an `encrypted:v2:` prefix in any letter case is an encrypted value, both
 * for decryption and for the providers' fail-closed check (it never leaves as an API key).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  containsEncryptedValue,
  decryptValue,
  encryptValue,
  isEncryptedValue,
} from "../../lib/secrets/mod.ts";
import { createOpenAICompatible } from "../../lib/providers/openai_compatible.ts";
import type { StreamPart } from "../../lib/providers/types.ts";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";

const KEY = "correct horse battery staple, but much longer";
const V1 = "ENCRYPTED:v1:fr/AgJyGDAb7cPqZ:w28zWDuJJ37L:6HpXk20TkapXdCr70m13/w==";

/** Every letter-case spelling of `word`, chosen by a bit mask. */
const caseOf = (word: string) =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((upper) =>
    [...word].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join("")
  );

/** `ENCRYPTED:vN:` re-spelled with `prefix` (e.g. `encrypted:V2:`). */
function respell(value: string, prefix: string): string {
  return prefix + value.slice(prefix.length);
}

async function parts(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const p of stream) out.push(p);
  return out;
}

describe("encrypted value prefix, any letter case", () => {
  let fake: FakeLLMServer;
  let v2 = "";
  before(async () => {
    fake = await startFakeOpenAI();
    v2 = await encryptValue("sk-plain-secret-value", KEY);
  });
  after(async () => {
    await fake.close();
  });

  it("isEncryptedValue and containsEncryptedValue recognise every spelling", () => {
    fc.assert(
      fc.property(caseOf("encrypted:v2:"), (prefix) => {
        assert.equal(isEncryptedValue(respell(v2, prefix)), true);
        assert.equal(containsEncryptedValue(`Bearer ${respell(v2, prefix)}`), true);
      }),
    );
  });

  it("decryptValue decrypts v1 and v2 values whatever the prefix's case", async () => {
    await fc.assert(
      fc.asyncProperty(caseOf("encrypted:v2:"), caseOf("encrypted:v1:"), async (p2, p1) => {
        assert.equal(
          await decryptValue(respell(v2, p2), { secretKey: KEY }),
          "sk-plain-secret-value",
        );
        assert.equal(await decryptValue(respell(V1, p1), { legacyKey: "test-key" }), "sk-secret");
      }),
      { numRuns: 25 },
    );
  });

  it("a provider refuses to send a key, header or body holding any spelling", async () => {
    const before = fake.requests.length;
    await fc.assert(
      fc.asyncProperty(caseOf("encrypted:v2:"), async (prefix) => {
        const value = respell(v2, prefix);
        for (const extra of [{ apiKey: value }, { apiKey: "sk-x", headers: { "x-key": value } }]) {
          const provider = createOpenAICompatible({
            name: "openai",
            baseURL: fake.baseURL,
            model: "m",
            ...extra,
          });
          const [first] = await parts(
            provider.chat({ messages: [{ role: "user", content: "hi" }] }),
          );
          assert.equal(first?.type, "error");
          const error = (first as { error: { kind: string; message: string } }).error;
          assert.equal(error.kind, "bad-request");
          assert.match(error.message, /still contains an ENCRYPTED: value/);
        }
        const provider = createOpenAICompatible({
          name: "openai",
          baseURL: fake.baseURL,
          apiKey: "sk-x",
          model: "m",
        });
        const [first] = await parts(
          provider.chat({ messages: [{ role: "user", content: `use ${value}` }] }),
        );
        assert.equal(first?.type, "error");
      }),
      { numRuns: 20 },
    );
    assert.equal(fake.requests.length, before, "no request reached the provider");
  });
});
