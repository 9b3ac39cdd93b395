/**
 * Safe router changes (CONTRACT §6): change records, approval by a person, undo, auto-revert
 * and the lock-out guard, with the gateway routes, the CLI client and the chat helpers.
 * @module
 */
export * from "./types.ts";
export * from "./change_error.ts";
export * from "./diff.ts";
export * from "./undo.ts";
export * from "./lockout.ts";
export { findLockout } from "./lockout_rules.ts";
export { ruleMatchesSession } from "./_session_match.ts";
export * from "./create_change_manager.ts";
export { addRouterSeconds } from "./auto_revert.ts";
export type { ChangeReply } from "./chat_commands.ts";
export * from "./chat.ts";
export * from "./routes.ts";
export * from "./client.ts";
