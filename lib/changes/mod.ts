/**
 * Safe router changes (CONTRACT §6): change records, approval by a person, undo, auto-revert
 * and the lock-out guard, with the gateway routes, the CLI client and the chat helpers.
 * @module
 */
export type { ChangeEvent } from "./types.ts";
export type { ChangeItem } from "./types.ts";
export type { ChangeOp } from "./types.ts";
export type { ChangeRecord } from "./types.ts";
export type { ChangeRevert } from "./types.ts";
export type { ChangeState } from "./types.ts";
export type { ChangeSummary } from "./types.ts";
export { ChangeError } from "./change_error.ts";
export type { ChangeErrorKind } from "./change_error.ts";
export { quoteRouterOSValue } from "./undo.ts";
export { createLockoutGuard } from "./lockout.ts";
export { findLockout } from "./lockout_rules.ts";
export type { LockoutGuard } from "./lockout.ts";
export type { LockoutGuardOptions } from "./lockout.ts";
export type { LockoutItems } from "./lockout.ts";
export type { SessionPath } from "./lockout.ts";
export { createChangeManager } from "./create_change_manager.ts";
export type { ChangeManager } from "./create_change_manager.ts";
export type { ChangeManagerOptions } from "./create_change_manager.ts";
export type { ChangeReply } from "./chat_commands.ts";
export type { RevertOptions } from "./create_change_manager.ts";
export { approvalPrompt } from "./chat.ts";
export { changeButtonHandler } from "./chat.ts";
export { confirmPrompt } from "./chat.ts";
export type { ChangeButton } from "./chat.ts";
export type { ChangeButtonPress } from "./chat.ts";
export type { ChangePrompt } from "./chat.ts";
export { createChangeRoutes } from "./routes.ts";
export type { ChangeRoutesEnv } from "./routes.ts";
export type { ChangeRoutesOptions } from "./routes.ts";
export { ChangesClientError } from "./client.ts";
export { createChangesClient } from "./client.ts";
export { createGatewayCall } from "./client.ts";
export { DEFAULT_GATEWAY_URL } from "./client.ts";
export type { ChangesClient } from "./client.ts";
export type { ChangesClientOptions } from "./client.ts";
export type { GatewayCall } from "./client.ts";
