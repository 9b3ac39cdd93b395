/**
 * Marking of untrusted data (tool output, recalled memory) before the model reads it.
 * @module
 */
import { scrubSecrets, stripInvisible, stripSpecialTokens } from "../tools/scrub.ts";

/** Tags the agent uses to fence untrusted data; their look-alikes inside the data are defused. */
const FENCE_TAGS = ["tool_output", "memory_context", "untrusted", "system", "instructions"];

const FENCE = new RegExp(String.raw`<(\s*\/?\s*)(${FENCE_TAGS.join("|")})`, "gi");

/**
 * Cleans untrusted text: strips invisible format characters and chat-template special
 * tokens, defuses look-alikes of the agent's fence tags (`</tool_output>` becomes
 * `&lt;/tool_output>`), and redacts the given secrets.
 */
export function sanitizeUntrusted(text: string, secrets: readonly string[] = []): string {
  // Repeat until nothing changes: neutralising a fence tag can complete a special token
  // (`<|<tool_output|>`) and stripping a token can complete a fence tag.
  let cleaned = stripInvisible(text);
  for (let pass = 0;; pass++) {
    const next = stripSpecialTokens(cleaned).replace(FENCE, "&lt;$1$2");
    if (next === cleaned) break;
    cleaned = next;
    if (pass === 16) {
      cleaned = cleaned.replace(/</g, "&lt;");
      break;
    }
  }
  return scrubSecrets(cleaned, secrets);
}

/** Options of {@linkcode wrapToolOutput}. */
export interface WrapToolOutputOptions {
  /** The result is an error report. */
  isError?: boolean;
  /** Secret values to redact. */
  secrets?: readonly string[];
}

/**
 * Wraps a tool's output as untrusted data for the model:
 * `<tool_output tool="web_scrape" untrusted="true">…</tool_output>`, with the content
 * sanitised by {@linkcode sanitizeUntrusted} so it cannot close the fence early.
 */
export function wrapToolOutput(
  toolName: string,
  content: string,
  options: WrapToolOutputOptions = {},
): string {
  const name = toolName.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64);
  const error = options.isError ? ` error="true"` : "";
  const body = sanitizeUntrusted(content, options.secrets ?? []);
  return `<tool_output tool="${name}" untrusted="true"${error}>\n${body}\n</tool_output>`;
}
