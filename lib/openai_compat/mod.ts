/**
 * The OpenAI-compatible API (`/v1/models`, `/v1/chat/completions`) for the gateway to mount.
 * @module
 */
export * from "./handlers.ts";
