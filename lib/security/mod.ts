/**
 * The guards of the tools that touch the world: the SSRF guard and safe fetch, the workspace
 * (file) guard and the shell command guard.
 * @module
 */
export { createSsrfGuard, systemResolve } from "./ssrf.ts";
export type { CheckedUrl, Resolver, SsrfGuard, SsrfGuardOptions } from "./ssrf.ts";
export { createSafeFetch } from "./safe_fetch.ts";
export type { SafeFetch, SafeFetchOptions, SafeRequestInit, SafeResponse } from "./safe_fetch.ts";
export { createWorkspace, DEFAULT_FORBIDDEN } from "./workspace.ts";
export type { ProtectedPath, ReadTextResult, Workspace, WorkspaceOptions } from "./workspace.ts";
export {
  checkCommand,
  isDeniedProgram,
  profiledPrograms,
  resolveProgram,
  tokenizeCommand,
  TRUSTED_PATH,
} from "./shell.ts";
export type { CheckCommandOptions, CheckedCommand } from "./shell.ts";
