/**
 * The lock-out rules: why a set of router calls would cut MikroClaw's own REST session (its
 * interface, address, route, the firewall rules accepting it, the REST service, its router user
 * and group) or drop everything on a firewall chain (a bare `action=drop`).
 * @module
 */
import type { RouterOSCall } from "../routeros/types.ts";
import { callEffect } from "./_calls.ts";
import { contains, NOT_MATCH, ruleMatchesSession, truthy } from "./_session_match.ts";
import type { LockoutItems, SessionPath } from "./lockout.ts";

const FIREWALL = new Set([
  "/ip/firewall/filter",
  "/ip/firewall/raw",
  "/ip/firewall/mangle",
  "/ipv6/firewall/filter",
  "/ipv6/firewall/raw",
  "/interface/bridge/filter",
]);
const DROPS = new Set(["drop", "reject", "tarpit"]);
function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function accepts(
  rule: Readonly<Record<string, string>> | undefined,
  session: SessionPath,
): boolean {
  if (!rule || truthy(rule.disabled)) return false;
  return rule.chain === "input" && (rule.action ?? "accept") === "accept" &&
    ruleMatchesSession(rule, session);
}

function merged(
  before: Readonly<Record<string, string>> | undefined,
  body: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = { ...before };
  for (const [k, v] of Object.entries(body)) {
    const s = str(v);
    if (s !== undefined) out[k] = s === "yes" ? "true" : s === "no" ? "false" : s;
  }
  return out;
}

function bareDrop(rule: Record<string, string>): string | undefined {
  const action = rule.action ?? "accept";
  if (!DROPS.has(action) || truthy(rule.disabled)) return undefined;
  const matches = Object.keys(rule).filter((k) => !NOT_MATCH.has(k) && rule[k] !== "");
  if (matches.length) return undefined;
  return `a rule with action=${action} and no match condition on chain ${rule.chain ?? "?"} ` +
    `drops all of that chain's traffic (MikroClaw's own included); add a match such as ` +
    `src-address=, in-interface= or dst-port=`;
}

const POLICY_NEEDED = ["read", "write", "api", "rest-api"];

/**
 * Why the calls would lock MikroClaw (or everyone) out, one reason per problem; empty when
 * they are safe. `items` holds the current state of every item the calls touch.
 */
export function findLockout(
  calls: readonly RouterOSCall[],
  items: LockoutItems,
  session: SessionPath,
): string[] {
  const reasons: string[] = [];
  const say = (reason: string): void => {
    if (!reasons.includes(reason)) reasons.push(reason);
  };
  for (const call of calls) {
    const effect = callEffect(call);
    if (effect.kind === "other" || effect.kind === "singleton") {
      if (effect.kind === "singleton" && effect.menu === "/ip/service/webserver") {
        const off = session.service === "www"
          ? effect.body["rest-plain"]
          : effect.body["rest-secure"];
        if (off !== undefined && !truthy(off)) {
          say(`turning REST off on ${session.service} would cut MikroClaw's own REST session`);
        }
      }
      continue;
    }
    const { menu } = effect;
    if (effect.kind === "add") {
      if (FIREWALL.has(menu)) {
        const reason = bareDrop(merged(undefined, effect.body));
        if (reason) say(`Cannot add to ${menu}: ${reason}`);
      }
      continue;
    }
    for (const id of effect.ids) {
      const before = items.get(`${menu}|${id}`);
      let after: Record<string, string> | undefined;
      if (effect.kind === "set") after = merged(before, effect.body);
      else if (effect.kind === "unset") {
        after = { ...before };
        delete after[effect.key];
      } else if (effect.kind === "move") after = before ? { ...before } : undefined;
      const gone = effect.kind === "remove" || (after !== undefined && truthy(after.disabled));
      const name = before?.name ?? id;
      const what = effect.kind === "remove" ? "removing" : gone ? "disabling" : "changing";

      if (FIREWALL.has(menu) && after && effect.kind !== "move") {
        const reason = bareDrop(after);
        if (reason) say(`Cannot change ${menu} ${id}: ${reason}`);
      }
      if (menu === "/ip/firewall/filter" && accepts(before, session) && effect.kind !== "move") {
        if (gone || !accepts(after, session)) {
          say(
            `${what} firewall rule ${id} (${
              before?.comment ?? "input accept"
            }) would drop MikroClaw's own REST traffic`,
          );
        }
      }
      if (menu === "/interface" || menu.startsWith("/interface/")) {
        if (menu !== "/interface/bridge/port" && session.interfaces.includes(name) && gone) {
          say(
            `${what} interface ${name} would cut MikroClaw's REST session (it carries ${session.host})`,
          );
        }
      }
      if (menu === "/ip/address" && session.addressIds.includes(id)) {
        const moved = after !== undefined &&
          (after.address !== before?.address || after.interface !== before?.interface);
        if (gone || moved) {
          say(
            `${what} address ${
              before?.address ?? id
            } would cut MikroClaw's REST session (it connects to ${session.host})`,
          );
        }
      }
      if (menu === "/ip/route" && session.routeIds.includes(id)) {
        const changed = after !== undefined &&
          ["gateway", "dst-address", "routing-table"].some((k) => after![k] !== before?.[k]);
        if (gone || changed) {
          say(`${what} route ${before?.["dst-address"] ?? id} would cut the way back to MikroClaw`);
        }
      }
      if (menu === "/ip/service" && before?.name === session.service) {
        if (gone) say(`${what} the ${session.service} service would cut MikroClaw's REST session`);
        else if (after) {
          if (after.port !== undefined && before.port !== undefined && after.port !== before.port) {
            say(
              `moving ${session.service} to port ${after.port} would cut MikroClaw's REST session (it uses ${session.port})`,
            );
          }
          if ((after.address ?? "") !== (before.address ?? "") && (after.address ?? "") !== "") {
            const ours = session.sourceAddress !== undefined &&
              after.address!.split(",").some((a) =>
                contains(a.trim(), session.sourceAddress!) === true
              );
            if (!ours) {
              say(
                `limiting ${session.service} to ${after.address} would exclude MikroClaw (${
                  session.sourceAddress ?? "its address is unknown"
                })`,
              );
            }
          }
          if ((after.vrf ?? "") !== (before.vrf ?? "")) {
            say(`moving ${session.service} to another VRF would cut MikroClaw's REST session`);
          }
        }
      }
      if (menu === "/user" && before?.name === session.user) {
        const changed = after !== undefined &&
          ["group", "address", "name", "password"].some((k) => after![k] !== before[k]);
        if (gone || changed) say(`${what} router user ${session.user} would lock MikroClaw out`);
      }
      if (menu === "/user/group" && before?.name !== undefined && before.name === session.group) {
        const policy = (after?.policy ?? "").split(",");
        const lost = POLICY_NEEDED.filter((p) => !policy.includes(p));
        if (effect.kind === "remove" || (after && (after.name !== before.name || lost.length))) {
          say(
            `${what} group ${session.group} would lock MikroClaw out${
              lost.length && effect.kind !== "remove" ? ` (it needs ${lost.join(", ")})` : ""
            }`,
          );
        }
      }
    }
  }
  return reasons;
}
