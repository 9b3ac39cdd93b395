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
  /** Cancels the execution. */
  signal?: AbortSignal | undefined;
  /** Who asked, e.g. `telegram:4242`. */
  requestedBy?: string | undefined;
}

/**
 * Applies a resolved plan's calls in order, through the executor's own apply path and under the
 * turn's `signal`; resolves each call's raw reply. `onApplied(index)` is told after each call
 * the router took (so a hook can say how far a failed write got). What `onWrite` wraps.
 */
export type RouterOSApply = (onApplied?: (index: number) => void) => Promise<unknown[]>;

/** Options of {@linkcode createRouterOSExecutor}. */
export interface RouterOSExecutorOptions {
  /** The router the calls go to. */
  router: RouterOS;
  /** Decides what may run. */
  policy: RouterOSPolicy;
  /** Rows shown before "N more". @default {50} */
  maxRows?: number | undefined;
  /**
   * Every permitted non-read plan goes through here once resolved: the change-record / approval
   * layer records it and calls `apply` (or not). Its return value is the tool's result.
   * Default: `apply()` then a compact summary.
   *
   * The contract: a hook that writes now writes through `apply` (never the router directly), so
   * the executor's apply path runs and the turn's `context.signal` can stop it. `apply` belongs
   * to this turn: call it only before the hook's promise settles (nothing enforces this). A hook
   * that defers the write (e.g. until a person approves it, in another turn) must not keep
   * `apply`; it applies the recorded calls itself later, when there is no turn signal left.
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

/** One applied call for the model: `PUT /ip/address -> *1A`, `POST /ip/address/add -> *1B`. */
export function describeCall(call: RouterOSCall, reply: unknown): string {
  const base = `${call.method} ${call.path}`;
  const r = reply && typeof reply === "object" && !Array.isArray(reply)
    ? reply as Record<string, unknown>
    : undefined;
  if (call.method === "PUT" && typeof r?.[".id"] === "string") return `${base} -> ${r[".id"]}`;
  if (call.path !== "/execute" && typeof r?.ret === "string") return `${base} -> ${r.ret}`;
  return base;
}

/** What a command's reply says beyond {@linkcode describeCall}: script output, command rows. */
function replyOutput(call: RouterOSCall, reply: unknown, maxRows: number): unknown {
  if (call.method !== "POST" || reply === undefined || reply === null) return undefined;
  if (Array.isArray(reply) && reply.every((r) => isEmptyObject(r))) return undefined;
  if (typeof reply === "object" && !Array.isArray(reply)) {
    const ret = (reply as Record<string, unknown>).ret;
    if (typeof ret === "string" && Object.keys(reply).length === 1) {
      return call.path === "/execute" ? ret.replace(/\s+$/, "") : undefined;
    }
  }
  return compactResult(reply, { maxRows });
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}

/**
 * The result of applied calls for the model: `ok`, each call with the id or value the router
 * returned (`applied`), and the router's reply to commands (`output`: a script's output, rows).
 */
export function commandResult(
  calls: readonly RouterOSCall[],
  replies: readonly unknown[],
  maxRows = 50,
): Record<string, unknown> {
  const result: Record<string, unknown> = {
    ok: true,
    applied: calls.map((call, i) => describeCall(call, replies[i])),
  };
  const outputs = calls.map((call, i) => replyOutput(call, replies[i], maxRows))
    .filter((o) => o !== undefined);
  if (outputs.length) result.output = outputs.length === 1 ? outputs[0] : outputs;
  return result;
}

/** Adds the plan's bound notes (what was added or capped) to a tool result. */
function withNotes(plan: RouterOSPlan, result: unknown): unknown {
  if (!plan.notes?.length || typeof result !== "object" || result === null) return result;
  const note = plan.notes.join("; ");
  return Array.isArray(result) ? { rows: result, note } : { ...result, note };
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
    onApplied?: (index: number) => void,
  ): Promise<unknown[]> {
    if (plan.lookups.length) {
      throw new TypeError("Cannot apply a plan before resolvePlan()");
    }
    const replies: unknown[] = [];
    for (const [index, call] of plan.calls.entries()) {
      replies.push(
        await router.call(call, { signal: context.signal, command: plan.line }),
      );
      onApplied?.(index);
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
    apply: (plan, context) => apply(plan, context),
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
        return withNotes(
          resolved,
          compactResult(reply, {
            maxRows,
            keep: resolved.proplist,
            keepCounters: resolved.keepCounters,
          }),
        );
      }
      const run: RouterOSApply = (onApplied) => apply(resolved, context, onApplied);
      if (options.onWrite) {
        return withNotes(resolved, await options.onWrite(resolved, context, run));
      }
      return withNotes(resolved, commandResult(resolved.calls, await run(), maxRows));
    },
  };
  return executor;
}
