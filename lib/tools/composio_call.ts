/**
 * The `composio_call` tool: runs a tool of a Composio-compatible endpoint
 * (`POST {COMPOSIO_URL}/tools/execute/{tool}` with the key in `x-api-key`).
 * @module
 */
import * as v from "valibot";
import type { Env } from "../_internal/env.ts";
import { builtinTool } from "./_tool.ts";
import type { Tool } from "./types.ts";

/** Options of {@linkcode composioCallTool}; unset values come from the environment at call time. */
export interface ComposioCallToolOptions {
  /** API base, e.g. `https://backend.composio.dev/api/v3`. @default {env.COMPOSIO_URL} */
  url?: string | undefined;
  /** Project API key, sent only in the `x-api-key` header. @default {env.COMPOSIO_API_KEY} */
  apiKey?: string | undefined;
  /** Composio user id the call runs as. @default {"default"} */
  userId?: string;
  /** Connected account to use, when the user has several. */
  connectedAccountId?: string;
  /** Toolkit version sent with every call. @default {"latest"} */
  version?: string;
  /** @default {processEnv()} */
  env?: Env;
  /** @default {globalThis.fetch} */
  fetch?: typeof globalThis.fetch | undefined;
  /** @default {30000} */
  timeoutMs?: number;
  /** Longest result handed to the model. @default {16000} */
  maxOutputChars?: number;
  /** Largest response body read, in bytes. @default {1048576} */
  maxResponseBytes?: number;
}

/**
 * `composio_call` {tool, input}: "Call Composio-compatible endpoint". `input` is a JSON
 * object as a string (the tool's arguments). Not configured, bad input, HTTP errors and
 * `successful: false` all come back as clear error results. Effect: `write`.
 */
export function composioCallTool(options: ComposioCallToolOptions = {}): Tool {
  return builtinTool({
    name: "composio_call",
    description: "Call Composio-compatible endpoint",
    input: v.object({ tool: v.string(), input: v.string() }),
    effect: "write",
    timeoutMs: options.timeoutMs ?? 30_000,
    maxOutputChars: options.maxOutputChars ?? 16_000,
    run: async ({ tool, input }, context) =>
      (await import("./_composio_run.ts")).runComposioCall(options, tool, input, context),
  });
}
