/**
 * `createRouterOSExecutor`: one console line -> plan -> policy check -> resolve -> apply ->
 * compact result. The pieces are exported so the change-record and approval layer can step in
 * between the check and the apply (`onWrite`, `onRefused`).
 * @module
 */
import { isAgentError, PolicyError } from "../errors.ts";
import type { RouterOS, RouterOSCall, RouterOSPlan } from "./types.ts";
import type { RouterOSPolicy } from "./policy.ts";
import { matchesRow, planConsoleLine, resolvePlan } from "./console.ts";

/** Context of one execution. */
export interface RouterOSExecuteContext {
  signal?: AbortSignal | undefined;
  /** Who asked, e.g. `telegram:4242`. */
  requestedBy?: string | undefined;
}

/** Applies a resolved plan's calls in order; what `onWrite` wraps. */
export type RouterOSApply = () => Promise<unknown[]>;

/** Options of {@linkcode createRouterOSExecutor}. */
export interface RouterOSExecutorOptions {
  router: RouterOS;
  policy: RouterOSPolicy;
  /** Rows shown before "N more". @default {50} */
  maxRows?: number | undefined;
  /**
   * Every permitted non-read plan goes through here once resolved: the change-record / approval
   * layer records it and calls `apply` (or not). Its return value is the tool's result.
   * Default: `apply()` then a compact summary.
   */
  onWrite?:
    | ((
      plan: RouterOSPlan,
      context: RouterOSExecuteContext,
      apply: RouterOSApply,
    ) => Promise<unknown>)
    | undefined;
  /** Told about every plan the policy refused (for `refused` change records). Must not throw. */
  onRefused?:
    | ((
      plan: RouterOSPlan,
      error: PolicyError,
      context: RouterOSExecuteContext,
    ) => void | Promise<void>)
    | undefined;
}

/** The executor. */
export interface RouterOSExecutor {
  /** Whether the policy allows any write (the tool's `effect`). */
  readonly writesAllowed: boolean;
  /** Tokenise and map (throws `SyntaxError` / `RouterOSError`). */
  plan(line: string): RouterOSPlan;
  /** Throws `PolicyError` when the policy refuses the plan. */
  check(plan: RouterOSPlan): void;
  /** Names and `[find …]` to `*ID`s. */
  resolve(
    plan: RouterOSPlan,
    context?: RouterOSExecuteContext,
  ): Promise<RouterOSPlan>;
  /** Runs a resolved plan's calls; returns each call's raw reply. */
  apply(
    plan: RouterOSPlan,
    context?: RouterOSExecuteContext,
  ): Promise<unknown[]>;
  /** The whole pipeline, with a compact result for the model. */
  execute(line: string, context?: RouterOSExecuteContext): Promise<unknown>;
}

/** Columns that only cost context. */
const NOISE = new Set([".about", ".nextid", ".dead"]);
const COUNTER =
  /^(bytes|packets|(rx|tx|fp-rx|fp-tx)-(byte|packet|drop|error|queue-drop|bytes|packets)s?|tx-queue-drop|link-downs|rx-too-short|rx-fcs-error)$/;

/** Options of {@linkcode compactResult}. */
export interface CompactOptions {
  maxRows?: number | undefined;
  /** Keep these properties even if they count as noise. */
  keep?: readonly string[] | undefined;
  keepCounters?: boolean | undefined;
}

function compactRow(
  row: Record<string, unknown>,
  options: CompactOptions,
): Record<string, unknown> {
  const keep = new Set(["ret", ...(options.keep ?? [])]);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (!keep.has(key)) {
      if (NOISE.has(key)) continue;
      if (!options.keepCounters && COUNTER.test(key)) continue;
      if (value === "") continue;
      if (
        value === "false" &&
        (key === "invalid" || key === "dynamic" || key === "log")
      ) continue;
    }
    out[key] = value;
  }
  return out;
}

/**
 * Shrinks a RouterOS reply for the model: drops `.about`, counters (unless asked) and empty
 * columns, and caps lists at `maxRows` with a note saying how many were left out.
 */
export function compactResult(
  reply: unknown,
  options: CompactOptions = {},
): unknown {
  const maxRows = options.maxRows ?? 50;
  if (Array.isArray(reply)) {
    const rows = reply.map((r) =>
      typeof r === "object" && r !== null ? compactRow(r as Record<string, unknown>, options) : r
    );
    if (rows.length <= maxRows) return rows;
    return {
      rows: rows.slice(0, maxRows),
      more: `${
        rows.length - maxRows
      } more rows not shown (${rows.length} in all); narrow with where or .proplist`,
    };
  }
  if (typeof reply === "object" && reply !== null) {
    return compactRow(reply as Record<string, unknown>, options);
  }
  return reply;
}

function describeCall(call: RouterOSCall, reply: unknown): string {
  const base = `${call.method} ${call.path}`;
  if (call.method === "PUT" && reply && typeof reply === "object") {
    const id = (reply as Record<string, unknown>)[".id"];
    if (typeof id === "string") return `${base} -> ${id}`;
  }
  if (reply && typeof reply === "object" && !Array.isArray(reply)) {
    const ret = (reply as Record<string, unknown>).ret;
    if (typeof ret === "string") return `${base} -> ${ret}`;
  }
  return base;
}

/** Builds the executor over a client and a policy. */
export function createRouterOSExecutor(
  options: RouterOSExecutorOptions,
): RouterOSExecutor {
  const { router, policy } = options;
  const maxRows = options.maxRows ?? 50;

  async function apply(
    plan: RouterOSPlan,
    context: RouterOSExecuteContext = {},
  ): Promise<unknown[]> {
    if (plan.lookups.length) {
      throw new TypeError("Cannot apply a plan before resolvePlan()");
    }
    const replies: unknown[] = [];
    for (const call of plan.calls) {
      replies.push(
        await router.call(call, { signal: context.signal, command: plan.line }),
      );
    }
    return replies;
  }

  const executor: RouterOSExecutor = {
    writesAllowed: policy.allowWrite || policy.allowExecute,
    plan: planConsoleLine,
    check(plan) {
      policy.check(plan);
    },
    resolve(plan, context = {}) {
      return resolvePlan(router, plan, { signal: context.signal });
    },
    apply,
    async execute(line, context = {}) {
      const plan = planConsoleLine(line);
      try {
        policy.check(plan);
      } catch (error) {
        if (
          error instanceof PolicyError ||
          (isAgentError(error) && error.code === "E_POLICY_BLOCKED")
        ) {
          try {
            await options.onRefused?.(plan, error as PolicyError, context);
          } catch {
            // a recording failure must not turn a refusal into something else
          }
        }
        throw error;
      }
      const resolved = await resolvePlan(router, plan, {
        signal: context.signal,
      });
      if (resolved.kind === "read") {
        const replies = await apply(resolved, context);
        let reply = replies.length === 1 ? replies[0] : replies;
        if (resolved.match && Array.isArray(reply)) {
          reply = reply.filter((r) => matchesRow(r as Record<string, unknown>, resolved.match!));
        }
        return compactResult(reply, {
          maxRows,
          keep: resolved.proplist,
          keepCounters: resolved.keepCounters,
        });
      }
      const run: RouterOSApply = () => apply(resolved, context);
      if (options.onWrite) return await options.onWrite(resolved, context, run);
      const replies = await run();
      const applied = resolved.calls.map((call, i) => describeCall(call, replies[i]));
      const result: Record<string, unknown> = { ok: true, applied };
      const outputs = replies.filter((r) =>
        r !== undefined && !(Array.isArray(r) && r.length === 0) &&
        !(typeof r === "object" && r !== null && !Array.isArray(r))
      );
      if (resolved.kind !== "write") {
        const output = replies.length === 1 ? replies[0] : replies;
        result.output = compactResult(output, { maxRows });
      } else if (outputs.length) result.output = outputs;
      return result;
    },
  };
  return executor;
}
