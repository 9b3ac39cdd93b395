/**
 * The RouterOS policy, deny by default: reads pass; writes need `ROUTEROS_ALLOW_WRITE=1` and a
 * menu inside `ROUTEROS_WRITE_SCOPES`; `/execute`, scripts and schedulers need
 * `ROUTEROS_ALLOW_EXECUTE=1`; users, passwords, packages, reset-configuration, private-key
 * export and file removal are never allowed; reboot and shutdown only when scoped by name.
 * @module
 */
import { PolicyError } from "../errors.ts";
import type { RouterOSPlan } from "./types.ts";

/** Default `ROUTEROS_WRITE_SCOPES`: the firewall-scoped commands of the C original. */
export const DEFAULT_WRITE_SCOPES: readonly string[] = [
  "/ip/firewall/address-list",
  "/ip/firewall/filter",
];

/** Options of {@linkcode createRouterOSPolicy}. */
export interface RouterOSPolicyOptions {
  /** `ROUTEROS_ALLOW_WRITE`. @default {false} */
  allowWrite?: boolean | undefined;
  /** `ROUTEROS_ALLOW_EXECUTE`. @default {false} */
  allowExecute?: boolean | undefined;
  /** `ROUTEROS_WRITE_SCOPES`: menus (and their sub-menus) writes may touch. */
  writeScopes?: readonly string[] | undefined;
}

/** The outcome of a policy check. */
export type RouterOSDecision =
  | { allowed: true }
  | { allowed: false; reason: string };

/** A configured policy. */
export interface RouterOSPolicy {
  /** Changes are allowed (`ROUTEROS_ALLOW_WRITE`), within `writeScopes`. */
  readonly allowWrite: boolean;
  /** `/system script` and `execute` may run (`ROUTEROS_ALLOW_EXECUTE`). */
  readonly allowExecute: boolean;
  /** Menus writes may touch, normalised (`/ip/firewall/filter`). */
  readonly writeScopes: readonly string[];
  /** Decides without throwing. */
  decide(
    plan: Pick<RouterOSPlan, "kind" | "menu" | "verb" | "args" | "line">,
  ): RouterOSDecision;
  /** Throws a `PolicyError` naming the setting that would allow the plan. */
  check(
    plan: Pick<RouterOSPlan, "kind" | "menu" | "verb" | "args" | "line">,
  ): void;
}

/** Normalises a menu given as `/ip firewall filter`, `ip/firewall/filter/` or the like. */
export function normalizeMenu(menu: string): string {
  const parts = menu.trim().toLowerCase().split(/[\s/]+/).filter(Boolean);
  return "/" + parts.join("/");
}

function within(path: string, scope: string): boolean {
  if (scope === "/") return true;
  return path === scope || path.startsWith(scope + "/");
}

function commandPath(plan: Pick<RouterOSPlan, "menu" | "verb">): string {
  return plan.menu === "/" ? `/${plan.verb}` : `${plan.menu}/${plan.verb}`;
}

const EXACT_SCOPE_ONLY = new Set(["/system/reboot", "/system/shutdown"]);
const EXECUTE_MENUS = ["/system/script", "/system/scheduler"];

/** Builds the policy. Scopes are normalised; an empty list allows no write at all. */
export function createRouterOSPolicy(
  options: RouterOSPolicyOptions = {},
): RouterOSPolicy {
  const allowWrite = options.allowWrite === true;
  const allowExecute = options.allowExecute === true;
  const writeScopes = Object.freeze(
    [
      ...new Set(
        (options.writeScopes ?? DEFAULT_WRITE_SCOPES).map(normalizeMenu),
      ),
    ],
  );

  function decide(
    plan: Pick<RouterOSPlan, "kind" | "menu" | "verb" | "args" | "line">,
  ): RouterOSDecision {
    const deny = (reason: string): RouterOSDecision => ({
      allowed: false,
      reason: `Cannot run "${plan.line}": ${reason}`,
    });
    const menu = normalizeMenu(plan.menu);
    const path = plan.kind === "write" && plan.verb !== "export" ? menu : commandPath(plan);
    const never = "; no setting allows it";
    // Always refused, whatever the settings.
    if (
      within(menu, "/user") || within(path, "/user") ||
      within(path, "/password")
    ) {
      return deny(`router users and passwords are off limits${never}`);
    }
    if (within(path, "/system/reset-configuration")) {
      return deny(`reset-configuration is off limits${never}`);
    }
    if (within(menu, "/system/package") && plan.kind !== "read") {
      return deny(`installing or removing packages is off limits${never}`);
    }
    if (plan.args["show-sensitive"] !== undefined) {
      return deny(`show-sensitive would reveal secrets${never}`);
    }
    if (within(menu, "/certificate") && plan.verb === "export-certificate") {
      const passphrase = plan.args["export-passphrase"];
      if (passphrase !== undefined && passphrase !== "") {
        return deny(`exporting certificate private keys is off limits${never}`);
      }
    }
    if (within(menu, "/file") && plan.verb === "remove") {
      return deny(`removing router files is off limits${never}`);
    }
    // Reboot and shutdown: only when named exactly in the scopes.
    if (EXACT_SCOPE_ONLY.has(path)) {
      if (!writeScopes.includes(path)) {
        return deny(
          `${path} is refused unless ROUTEROS_WRITE_SCOPES names it exactly (with ROUTEROS_ALLOW_WRITE=1)`,
        );
      }
      if (!allowWrite) return deny(`${path} needs ROUTEROS_ALLOW_WRITE=1`);
      return { allowed: true };
    }
    // Scripts, schedulers, /execute and /import run arbitrary code.
    const executes = plan.kind === "execute" || within(path, "/execute") ||
      within(path, "/import") ||
      (plan.kind !== "read" && EXECUTE_MENUS.some((m) => within(menu, m)));
    if (executes) {
      if (!allowExecute) {
        return deny(
          "running scripts (/execute, /system/script, /system/scheduler, /import) needs ROUTEROS_ALLOW_EXECUTE=1",
        );
      }
      if (plan.kind === "write" && !allowWrite) {
        return deny(`changing ${menu} needs ROUTEROS_ALLOW_WRITE=1 as well`);
      }
      return { allowed: true };
    }
    if (plan.kind === "read") return { allowed: true };
    if (!allowWrite) {
      return deny(
        `${
          plan.kind === "write" ? "changes" : "commands with side effects"
        } are off; set ROUTEROS_ALLOW_WRITE=1 (and add ${path} to ROUTEROS_WRITE_SCOPES)`,
      );
    }
    if (!writeScopes.some((scope) => within(path, scope))) {
      return deny(
        `${path} is outside ROUTEROS_WRITE_SCOPES (${
          writeScopes.join(",") || "empty"
        }); add it to ROUTEROS_WRITE_SCOPES`,
      );
    }
    return { allowed: true };
  }

  return {
    allowWrite,
    allowExecute,
    writeScopes,
    decide,
    check(plan) {
      const decision = decide(plan);
      if (!decision.allowed) throw new PolicyError(decision.reason);
    },
  };
}
