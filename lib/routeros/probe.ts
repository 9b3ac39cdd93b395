/**
 * `probeRouterOS`: what `doctor` reports about the router: reachable, RouterOS version, whether
 * the REST user's group has `rest-api` and `api`, certificate pinning, write/execute settings.
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { RouterOS } from "./types.ts";
import type { RouterOSPolicy } from "./policy.ts";
import { type PinningSupport, pinningSupport } from "./pinned_fetch.ts";

/** The probe's findings. */
export interface RouterOSProbe {
  /** Reachable, authenticated, and the group has `rest-api` and `api`. */
  ok: boolean;
  reachable: boolean;
  version?: string;
  board?: string;
  user: string;
  group?: string;
  policies?: string[];
  hasRestApi?: boolean;
  hasApi?: boolean;
  writeAllowed: boolean;
  executeAllowed: boolean;
  writeScopes: readonly string[];
  pinning: PinningSupport;
  /** Each problem with its fix. */
  problems: string[];
}

/** Probes the router for `doctor`. Never throws: failures are listed in `problems`. */
export async function probeRouterOS(
  router: RouterOS,
  options: {
    policy?: RouterOSPolicy | undefined;
    signal?: AbortSignal | undefined;
  } = {},
): Promise<RouterOSProbe> {
  const policy = options.policy;
  const probe: RouterOSProbe = {
    ok: false,
    reachable: false,
    user: router.user,
    writeAllowed: policy?.allowWrite ?? false,
    executeAllowed: policy?.allowExecute ?? false,
    writeScopes: policy?.writeScopes ?? [],
    pinning: pinningSupport(),
    problems: [],
  };
  const signal = options.signal;
  try {
    const reply = await router.get<
      Record<string, string> | Record<string, string>[]
    >(
      "/system/resource",
      undefined,
      { signal },
    );
    const resource = Array.isArray(reply) ? reply[0] ?? {} : reply;
    probe.reachable = true;
    if (resource.version) probe.version = resource.version;
    if (resource["board-name"]) probe.board = resource["board-name"];
  } catch (error) {
    probe.problems.push(
      `${
        errorMessage(error)
      }; check ROUTER_URL/ROUTER_HOST, the www/www-ssl service and the firewall`,
    );
    return probe;
  }
  try {
    const users = await router.get<Record<string, string>[]>("/user", {
      name: router.user,
    }, { signal });
    const group = users[0]?.group;
    if (!group) throw new Error(`user ${router.user} not found in /user`);
    probe.group = group;
    const groups = await router.get<Record<string, string>[]>("/user/group", {
      name: group,
    }, { signal });
    const policies = (groups[0]?.policy ?? "").split(",").map((s) => s.trim())
      .filter((s) => s && !s.startsWith("!"));
    probe.policies = policies;
    probe.hasRestApi = policies.includes("rest-api");
    probe.hasApi = policies.includes("api");
    if (!probe.hasRestApi || !probe.hasApi) {
      probe.problems.push(
        `group ${group} of ${router.user} lacks ${
          [!probe.hasRestApi && "rest-api", !probe.hasApi && "api"].filter(
            Boolean,
          ).join(" and ")
        }; fix: /user group set ${group} policy=read,api,rest-api${
          probe.writeAllowed ? ",write" : ""
        }`,
      );
    }
  } catch (error) {
    probe.problems.push(
      `Cannot read the REST user's group: ${errorMessage(error)}; give the group the read policy`,
    );
  }
  probe.ok = probe.reachable && probe.hasRestApi === true &&
    probe.hasApi === true;
  return probe;
}
