/**
 * Sanitising of untrusted text before the model reads it: known secret values are redacted
 * (the scrubber lives in `lib/secrets/scrub.ts`), chat-template special tokens are stripped,
 * and invisible format characters are removed.
 * @module
 */
export { MIN_SECRET_LENGTH, REDACTED, scrubSecrets, secretForms } from "../secrets/scrub.ts";

/**
 * Removes chat-template special tokens (`<|im_start|>`, `<|eot_id|>`, `<｜begin▁of▁sentence｜>`,
 * `[INST]`, `<<SYS>>`, `<start_of_turn>`, `</s>` …) so untrusted text cannot forge a turn
 * boundary for models that parse such tokens from text. Repeats until stable, so removing
 * one token never assembles another.
 */
export function stripSpecialTokens(text: string): string {
  let out = text;
  for (let pass = 0; pass < 64; pass++) {
    const next = out.replace(SPECIAL_TOKEN, "");
    if (next === out) return out;
    out = next;
  }
  return out.replace(/[<>|｜]/g, "");
}

/**
 * Removes invisible Unicode format characters (zero-width spaces and joiners, bidi
 * overrides, tag characters): they hide text from people and split markers the model reads.
 */
export function stripInvisible(text: string): string {
  return text.replace(/\p{Cf}/gu, "");
}

// --- Internal helpers ---

const SPECIAL_TOKEN = new RegExp(
  [
    String.raw`<\s*[|｜][^<>\n]{0,64}?[|｜]\s*>`, // <|im_start|>, <|eot_id|>, <｜end▁of▁sentence｜>
    String.raw`\[\s*\/?\s*(?:INST|SYS|AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS)\s*\]`,
    String.raw`<<\s*\/?\s*SYS\s*>>`,
    String
      .raw`<\s*\/?\s*(?:start_of_turn|end_of_turn|s|bos|eos|pad|unk|think|tool_call|tool_response|function_call)\s*>`,
  ].join("|"),
  "gi",
);
