/**
 * Console-line translation: what an operator types (`/ip firewall address-list add list=x
 * address=1.2.3.4`, `/interface disable ether2`, `remove [find comment="x"]`, `print where …`)
 * becomes a {@linkcode RouterOSPlan} of REST calls; {@linkcode resolvePlan} then turns names and
 * `[find …]` into `*ID`s with a read, so the calls can be checked and applied.
 * @module
 */
import type { RouterOSPlan } from "./types.ts";
import { MAX_CONSOLE_LINE } from "./tokenize.ts";
import { parseConsoleLine } from "./_console_parse.ts";
import { buildPlan } from "./_console_verbs.ts";

export { matchesRow, resolvePlan, type ResolvePlanOptions } from "./resolve_plan.ts";

/**
 * Translates one console line into a plan of REST calls. Throws `SyntaxError` for lines that do
 * not tokenise and `RouterOSError` for lines that cannot be mapped (saying why). Lines starting
 * with `:` (scripting) become an `execute` plan, which the policy refuses unless execution is
 * allowed.
 */
export function planConsoleLine(line: string): RouterOSPlan {
  if (typeof line !== "string") {
    throw new SyntaxError("Cannot parse RouterOS command: not text");
  }
  const text = line.trim();
  if (text === "") {
    throw new SyntaxError("Cannot parse RouterOS command: empty line");
  }
  if (text.startsWith(":")) {
    if (text.length > MAX_CONSOLE_LINE) {
      throw new SyntaxError(
        `Cannot parse RouterOS command: longer than ${MAX_CONSOLE_LINE} characters`,
      );
    }
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(text)) {
      throw new SyntaxError(
        "Cannot parse RouterOS command: control character or several lines",
      );
    }
    return {
      kind: "execute",
      menu: "/",
      verb: "execute",
      line: text,
      args: { script: text },
      calls: [{
        method: "POST",
        path: "/execute",
        body: { script: text, "as-string": "" },
      }],
      lookups: [],
    };
  }
  return buildPlan(parseConsoleLine(text));
}
