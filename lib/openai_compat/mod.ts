/**
 * The OpenAI-compatible API (`/v1/models`, `/v1/chat/completions`) for the gateway to mount.
 * @module
 */
export { createOpenAICompatHandlers } from "./handlers.ts";
export type { OpenAICompatContext } from "./handlers.ts";
export type { OpenAICompatHandlers } from "./handlers.ts";
export type { OpenAICompatOptions } from "./handlers.ts";
