/**
 * The work of `composio_call` (loaded on its first call): `POST {COMPOSIO_URL}/tools/execute/{tool}`
 * with the key only in the `x-api-key` header, the reply capped and scrubbed of the key.
 * @module
 */
import { processEnv } from "../_internal/env.ts";
import { AgentError, ErrorCode, ToolError } from "../errors.ts";
import { scrubSecrets } from "./scrub.ts";
import type { ComposioCallToolOptions } from "./composio_call.ts";

const TOOL_SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Runs `tool` with the JSON-object string `input`; the result text for the model. */
export async function runComposioCall(
  options: ComposioCallToolOptions,
  tool: string,
  input: string,
  context: { signal: AbortSignal },
): Promise<string> {
  const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  const env = options.env ?? processEnv();
  const base = (options.url ?? env.COMPOSIO_URL ?? "").trim().replace(/\/+$/, "");
  const apiKey = (options.apiKey ?? env.COMPOSIO_API_KEY ?? "").trim();
  if (!base || !apiKey) {
    throw new AgentError(
      "Cannot call Composio: not configured (set COMPOSIO_URL and COMPOSIO_API_KEY)",
      { code: ErrorCode.NotConfigured },
    );
  }
  if (!/^https?:\/\//i.test(base)) {
    throw new AgentError("Cannot call Composio: COMPOSIO_URL must start with http(s)://", {
      code: ErrorCode.Config,
    });
  }
  if (!TOOL_SLUG.test(tool)) {
    throw new ToolError(
      "composio_call",
      `Cannot call Composio: tool "${tool.slice(0, 80)}" is not a valid tool slug ` +
        "(letters, digits, _ and -, e.g. GITHUB_CREATE_ISSUE)",
      { code: ErrorCode.ToolInput },
    );
  }
  const args = parseArguments(input);
  const body: Record<string, unknown> = {
    user_id: options.userId ?? "default",
    version: options.version ?? "latest",
    arguments: args,
  };
  if (options.connectedAccountId) body.connected_account_id = options.connectedAccountId;

  const doFetch = options.fetch ?? globalThis.fetch;
  const response = await doFetch(`${base}/tools/execute/${encodeURIComponent(tool)}`, {
    method: "POST",
    headers: {
      "x-api-key": apiKey,
      "content-type": "application/json",
      accept: "application/json",
    },
    body: JSON.stringify(body),
    // A redirect would carry x-api-key to wherever it points: never follow one.
    redirect: "manual",
    signal: context.signal,
  });
  const clean = (text: string): string => scrubSecrets(text, [apiKey]);
  if (response.status >= 300 && response.status < 400 || response.type === "opaqueredirect") {
    await response.body?.cancel();
    throw new ToolError(
      "composio_call",
      `Cannot call Composio tool "${tool}": the endpoint answered with a redirect ` +
        `(HTTP ${response.status}); set COMPOSIO_URL to the final address`,
    );
  }
  const text = await readCapped(response, maxResponseBytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const detail = errorDetail(json) ?? text.slice(0, 300);
    throw new ToolError(
      "composio_call",
      clean(
        `Cannot call Composio tool "${tool}": HTTP ${response.status}` +
          (detail ? ` ${detail}` : ""),
      ),
    );
  }
  if (!isRecord(json)) {
    throw new ToolError(
      "composio_call",
      `Cannot call Composio tool "${tool}": the response is not a JSON object`,
    );
  }
  const successful = json.successful ?? json.successfull;
  if (successful === false) {
    const detail = errorDetail(json) ?? "no error message";
    throw new ToolError(
      "composio_call",
      clean(`Composio tool "${tool}" ran but failed: ${detail}`),
    );
  }
  return clean(JSON.stringify("data" in json ? json.data : json));
}

// --- Internal helpers ---

function parseArguments(input: string): Record<string, unknown> {
  const trimmed = input.trim();
  if (trimmed === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    throw new ToolError(
      "composio_call",
      `Cannot call Composio: "input" is not valid JSON (${(error as Error).message}); ` +
        `pass the tool's arguments as a JSON object string, e.g. {"owner":"acme"}`,
      { code: ErrorCode.ToolInput },
    );
  }
  if (!isRecord(parsed)) {
    throw new ToolError(
      "composio_call",
      `Cannot call Composio: "input" must be a JSON object, e.g. {"owner":"acme"}`,
      { code: ErrorCode.ToolInput },
    );
  }
  return parsed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The error message of a Composio error body, in any of its known shapes. */
function errorDetail(json: unknown): string | undefined {
  if (!isRecord(json)) return undefined;
  const error = json.error;
  if (typeof error === "string" && error) return error.slice(0, 500);
  if (isRecord(error) && typeof error.message === "string") return error.message.slice(0, 500);
  if (typeof json.message === "string") return json.message.slice(0, 500);
  return undefined;
}

/** Reads at most `maxBytes` of the body; a longer body is cut (and the stream cancelled). */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new ToolError(
          "composio_call",
          `Cannot call Composio: the response is larger than ${maxBytes} bytes`,
        );
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  } finally {
    reader.releaseLock();
  }
}
