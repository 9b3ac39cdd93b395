/**
 * RouterOS: the REST client, the policy that decides what may change on the router, and the
 * executor behind the `routeros_execute` tool.
 * @module
 */
export { createRouterOS } from "./create_routeros.ts";
export type { RouterOSOptions } from "./create_routeros.ts";
export type { RouterOS } from "./types.ts";
export type { RouterOSCall } from "./types.ts";
export type { RouterOSLookup } from "./types.ts";
export type { RouterOSMatch } from "./types.ts";
export type { RouterOSMethod } from "./types.ts";
export type { RouterOSPlan } from "./types.ts";
export type { RouterOSPlanKind } from "./types.ts";
export type { RouterOSRequestOptions } from "./types.ts";
export { RouterOSError } from "./routeros_error.ts";
export type { RouterOSErrorOptions } from "./routeros_error.ts";
export { createRouterOSPolicy } from "./policy.ts";
export { DEFAULT_WRITE_SCOPES } from "./policy.ts";
export type { RouterOSDecision } from "./policy.ts";
export type { RouterOSPolicy } from "./policy.ts";
export type { RouterOSPolicyOptions } from "./policy.ts";
export { createRouterOSExecutor } from "./executor.ts";
export type { RouterOSApply } from "./executor.ts";
export type { RouterOSExecuteContext } from "./executor.ts";
export type { RouterOSExecutor } from "./executor.ts";
export type { RouterOSExecutorOptions } from "./executor.ts";
