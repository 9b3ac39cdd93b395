/**
 * The guards of the tools that touch the world: the SSRF guard and safe fetch, the workspace
 * (file) guard and the shell command guard.
 * @module
 */
export { createSsrfGuard } from "./ssrf.ts";
export { systemResolve } from "./ssrf.ts";
export type { CheckedUrl } from "./ssrf.ts";
export type { Resolver } from "./ssrf.ts";
export type { SsrfGuard } from "./ssrf.ts";
export type { SsrfGuardOptions } from "./ssrf.ts";
export { createSafeFetch } from "./safe_fetch.ts";
export type { SafeFetch } from "./safe_fetch.ts";
export type { SafeFetchOptions } from "./safe_fetch.ts";
export type { SafeRequestInit } from "./safe_fetch.ts";
export type { SafeResponse } from "./safe_fetch.ts";
export { createWorkspace } from "./workspace.ts";
export { DEFAULT_FORBIDDEN } from "./workspace.ts";
export type { ProtectedPath } from "./workspace.ts";
export type { ReadTextResult } from "./workspace.ts";
export type { Workspace } from "./workspace.ts";
export type { WorkspaceOptions } from "./workspace.ts";
export { checkCommand } from "./shell.ts";
export { isDeniedProgram } from "./shell.ts";
export { profiledPrograms } from "./shell.ts";
export { resolveProgram } from "./shell.ts";
export { tokenizeCommand } from "./shell.ts";
export { TRUSTED_PATH } from "./shell.ts";
export type { CheckCommandOptions } from "./shell.ts";
export type { CheckedCommand } from "./shell.ts";
