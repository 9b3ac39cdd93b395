/**
 * Running a plan's lookups: names and `[find …]` become `*ID`s with a read, so a plan's calls are
 * concrete before they are checked and applied.
 * @module
 */
import type { RouterOS, RouterOSMatch, RouterOSPlan } from "./types.ts";
import { RouterOSError } from "./routeros_error.ts";
import { expand } from "./_console_target.ts";

/** Whether a row passes the literal `~` tests. */
export function matchesRow(
  row: Record<string, unknown>,
  match: readonly RouterOSMatch[],
): boolean {
  return match.every((m) => {
    const value = row[m.key];
    let ok = false;
    if (typeof value === "string") {
      if (m.anchorStart && m.anchorEnd) ok = value === m.text;
      else if (m.anchorStart) ok = value.startsWith(m.text);
      else if (m.anchorEnd) ok = value.endsWith(m.text);
      else ok = value.includes(m.text);
    }
    return ok !== m.negate;
  });
}

/** Options of {@linkcode resolvePlan}. */
export interface ResolvePlanOptions {
  signal?: AbortSignal | undefined;
}

/**
 * Runs a plan's lookups (names and `[find …]` to `*ID`s) and returns the plan with concrete
 * calls. A lookup that matches nothing is an error naming it; so is a `move` destination that
 * matches more than one item.
 */
export async function resolvePlan(
  router: RouterOS,
  plan: RouterOSPlan,
  options: ResolvePlanOptions = {},
): Promise<RouterOSPlan> {
  if (plan.lookups.length === 0) return plan;
  let ids: string[] | undefined = plan.ids;
  let destination: string | undefined;
  for (const lookup of plan.lookups) {
    const reply = await router.call<unknown>(lookup.call, {
      signal: options.signal,
      command: plan.line,
    });
    const rows = (Array.isArray(reply) ? reply : reply ? [reply] : []) as Record<
      string,
      unknown
    >[];
    const found = rows.filter((r) => !lookup.match || matchesRow(r, lookup.match))
      .map((r) => r[".id"]).filter((id): id is string => typeof id === "string");
    if (found.length === 0) {
      throw new RouterOSError(
        `Cannot run "${plan.line}": ${lookup.source} matched nothing in ${plan.menu}`,
        { command: plan.line },
      );
    }
    if (lookup.single && found.length !== 1) {
      throw new RouterOSError(
        `Cannot run "${plan.line}": ${lookup.source} matched ${found.length} items in ${plan.menu}, expected one`,
        { command: plan.line },
      );
    }
    if (lookup.field === "destination") destination = found[0];
    else ids = found;
  }
  let calls = plan.calls;
  if (ids) calls = expand(calls, ids, destination);
  else if (destination) calls = expand(calls, [], destination);
  const resolved: RouterOSPlan = { ...plan, calls, lookups: [] };
  if (ids) resolved.ids = ids;
  return resolved;
}
