/**
 * `doctor`'s live checks of outside services: the router (reachability, version, the user's
 * policies, TLS pinning), memU, each chat channel's credentials, and `MCP_SERVERS`.
 * @module
 */
import type { DoctorProbe, ProbeOutcome } from "./_doctor.ts";
import { logger } from "./_logger.ts";

const routerReach: DoctorProbe = {
  name: "router reachability",
  network: true,
  run: async (config, signal) => {
    if (!config.router.url) return [];
    const { createRouterOS } = await import("../lib/routeros/create_routeros.ts");
    const { createRouterOSPolicy } = await import("../lib/routeros/policy.ts");
    const { probeRouterOS } = await import("../lib/routeros/probe.ts");
    const router = createRouterOS({
      url: config.router.url,
      user: config.router.user ?? "",
      password: config.router.password?.reveal() ?? "",
      tlsFingerprint: config.router.tlsFingerprint,
    });
    const policy = createRouterOSPolicy({
      allowWrite: config.router.allowWrite,
      allowExecute: config.router.allowExecute,
      writeScopes: config.router.writeScopes,
    });
    const probe = await probeRouterOS(router, { policy, signal });
    const out: ProbeOutcome[] = probe.problems.map((p) => ({
      ok: false,
      detail: p,
      fix: "see examples/routeros/README.md for the least-privilege user and the www service",
    }));
    if (config.router.tlsFingerprint && !probe.pinning.supported) {
      out.push({
        ok: false,
        detail: probe.pinning.detail,
        fix: "run MikroClaw on Node for a pinned router",
      });
    }
    if (probe.ok) {
      out.push({
        ok: true,
        detail: `RouterOS ${probe.version ?? "?"}${
          probe.board ? ` on ${probe.board}` : ""
        }; user ${probe.user} in group ${probe.group ?? "?"} (${probe.policies?.join(",") ?? "?"})`,
      });
    }
    return out;
  },
};

const memuReach: DoctorProbe = {
  name: "memU",
  network: true,
  run: async (config, signal) => {
    if (!config.memory.memuApiKey) {
      return { ok: true, detail: "memU not configured: memory stays in MIKROCLAW_STORAGE" };
    }
    const { createMemory } = await import("../lib/memory/create_memory.ts");
    const { memuDriver } = await import("../lib/memory/memu_driver.ts");
    const memory = createMemory({
      driver: memuDriver({
        apiKey: config.memory.memuApiKey.reveal(),
        baseUrl: config.memory.memuBaseUrl,
      }),
    });
    const result = await memory.probe({ signal });
    return result.ok
      ? { ok: true, detail: result.detail }
      : { ok: false, detail: result.detail, fix: "check MEMU_API_KEY and MEMU_BASE_URL" };
  },
};

const channelCredentials: DoctorProbe = {
  name: "channel credentials",
  network: true,
  run: async (config) => {
    const { configuredChannels } = await import("../lib/runtime/channels.ts");
    const idle = {
      run: () => Promise.reject(new Error("not used")),
      stream: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error("not used")) }),
      }),
      reset: () => {},
    };
    const channels = await configuredChannels({ config, agent: idle, logger });
    return Promise.all(channels.map(async (channel): Promise<ProbeOutcome> => {
      const result = await channel.check();
      return result.ok ? { ok: true, detail: `${channel.name}: ${result.detail}` } : {
        ok: false,
        detail: `${channel.name}: ${result.detail}`,
        fix: `check the ${channel.name} bot token`,
      };
    }));
  },
};

const mcpServers: DoctorProbe = {
  name: "MCP servers",
  network: true,
  run: async (config) => {
    if (!config.tools.mcpServers) return [];
    const { connectConfiguredMcp } = await import("../lib/runtime/mcp_servers.ts");
    const connections = await connectConfiguredMcp(config.tools.mcpServers.reveal(), logger);
    try {
      return connections.status().map((s): ProbeOutcome =>
        s.ok
          ? {
            ok: true,
            detail: `${s.name}: ${s.tools.length} tools (${s.tools.join(", ")})` +
              (s.skipped ? `; ${s.detail}` : ""),
          }
          : {
            ok: false,
            detail: `${s.name}: ${s.detail}`,
            fix: "check its command/url in MCP_SERVERS",
          }
      );
    } finally {
      await connections.close();
    }
  },
};

/** The live checks, appended to `PROBES`. */
export const NETWORK_PROBES: DoctorProbe[] = [
  routerReach,
  memuReach,
  channelCredentials,
  mcpServers,
];
