/**
 * `doctor`'s probe list. A probe is `{ name, run(config) }` resolving `{ ok, detail, fix? }`;
 * later parts add theirs to {@linkcode PROBES} (router, memU, channels...). Probes never
 * need to catch: {@linkcode runDoctor} turns a throw or a timeout into a failed check.
 * @module
 */
import type { Config } from "../lib/config/types.ts";
import { isLoopbackHost } from "../lib/config/load_config.ts";
import { errorMessage } from "../lib/errors.ts";
import { PROVIDERS } from "../lib/providers/registry.ts";

/** Outcome of one check. */
export interface ProbeOutcome {
  ok: boolean;
  /** One line: what was checked or what is wrong. */
  detail: string;
  /** How to fix it (shown when not ok). */
  fix?: string;
}

/** One doctor check. */
export interface DoctorProbe {
  name: string;
  /** True when the check talks to the network (skipped by `doctor --offline`). */
  network?: boolean;
  /** Returns one outcome, or several (e.g. one per channel). */
  run(config: Config, signal: AbortSignal): Promise<ProbeOutcome | ProbeOutcome[]>;
}

/** One row of the report. */
export interface DoctorCheck extends ProbeOutcome {
  name: string;
}

/** Options of {@linkcode runDoctor}. */
export interface DoctorOptions {
  /** Skip probes with `network: true`. */
  offline?: boolean;
  /** Limit of each probe. @default {10000} */
  timeoutMs?: number;
}

/** Runs `probes` (concurrently) and returns one row per outcome, in probe order. */
export async function runDoctor(
  config: Config,
  probes: readonly DoctorProbe[],
  options: DoctorOptions = {},
): Promise<DoctorCheck[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const selected = probes.filter((p) => !(options.offline && p.network));
  const results = await Promise.all(selected.map(async (probe): Promise<DoctorCheck[]> => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const outcome = await Promise.race([
        probe.run(config, controller.signal),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort();
            reject(new Error(`no answer within ${timeoutMs} ms`));
          }, timeoutMs);
        }),
      ]);
      return [outcome].flat().map((o) => ({ name: probe.name, ...o }));
    } catch (error) {
      return [{ name: probe.name, ok: false, detail: `check failed: ${errorMessage(error)}` }];
    } finally {
      clearTimeout(timer);
    }
  }));
  return results.flat();
}

// --- Built-in probes ---

const configProbe: DoctorProbe = {
  name: "config",
  run: async (config) => ({
    ok: true,
    detail: `configuration is valid${
      config.file ? ` (file ${config.file})` : " (environment only)"
    }`,
  }),
};

const llmKeysProbe: DoctorProbe = {
  name: "llm",
  run: async (config) => {
    const out: ProbeOutcome[] = [];
    const chain = [{ provider: config.llm.provider }, ...config.llm.fallbacks];
    for (const [i, entry] of chain.entries()) {
      const info = PROVIDERS.find((p) => p.name === entry.provider);
      const own = config.llm.providers[entry.provider];
      const key = i === 0 ? config.llm.apiKey : own.apiKey;
      const role = i === 0 ? "primary" : `fallback ${i}`;
      if (info?.keyRequired !== false && !key) {
        const names = i === 0
          ? ["LLM_API_KEY", ...(info?.keyEnv ?? [])]
          : [...(info?.keyEnv ?? [])];
        out.push({
          ok: false,
          detail: `${role} provider ${entry.provider} has no API key`,
          fix: `set ${names.join(" or ")}${info?.docs ? ` (keys: ${info.docs})` : ""}`,
        });
      } else out.push({ ok: true, detail: `${role} provider ${entry.provider} has its key` });
    }
    return out;
  },
};

const llmReachProbe: DoctorProbe = {
  name: "llm reachability",
  network: true,
  run: async (config, signal) => {
    const { createProvider } = await import("../lib/providers/registry.ts");
    const { probeProvider } = await import("../lib/providers/probe.ts");
    const chain = [
      { provider: config.llm.provider, model: config.llm.model },
      ...config.llm.fallbacks,
    ];
    const out: ProbeOutcome[] = [];
    for (const [i, entry] of chain.entries()) {
      const own = config.llm.providers[entry.provider];
      const key = i === 0 ? config.llm.apiKey : own.apiKey;
      const baseURL = i === 0 ? config.llm.baseUrl : own.baseUrl;
      const info = PROVIDERS.find((p) => p.name === entry.provider);
      if (info?.keyRequired !== false && !key) continue; // reported by the "llm" check
      const provider = createProvider(entry.provider, {
        env: {},
        timeoutMs: Math.min(config.llm.timeoutMs, 10_000),
        apiKey: key?.reveal(),
        baseURL,
        model: entry.model,
      });
      const result = await probeProvider(provider, { signal });
      out.push(
        result.ok ? { ok: true, detail: `${entry.provider}: ${result.detail}` } : {
          ok: false,
          detail: `${entry.provider}: ${result.detail}`,
          fix: result.kind === "auth"
            ? `check ${info?.keyEnv.join(" / ") ?? "the API key"}`
            : `check ${info?.baseUrlEnv ?? "the base URL"} and the network`,
        },
      );
    }
    return out.length > 0 ? out : { ok: true, detail: "no provider with a key to call" };
  },
};

const gatewayProbe: DoctorProbe = {
  name: "gateway",
  run: async ({ gateway }) => {
    const loopback = isLoopbackHost(gateway.bind);
    return {
      ok: true,
      detail: `binds ${gateway.bind}:${gateway.port}, pairing ${
        gateway.pairingRequired ? "required" : "off"
      }${loopback ? "" : " (reachable from the network: keep the router firewall tight)"}`,
    };
  },
};

const channelsProbe: DoctorProbe = {
  name: "channels",
  run: async ({ channels }) => {
    const out: ProbeOutcome[] = [];
    const entries = [
      ["telegram", channels.telegram.botToken, channels.telegram.allowlist, "TELEGRAM_ALLOWLIST"],
      ["discord", channels.discord.botToken, channels.discord.allowlist, "DISCORD_ALLOWLIST"],
      ["slack", channels.slack.botToken, channels.slack.allowlist, "SLACK_ALLOWLIST"],
    ] as const;
    for (const [name, token, allowlist, variable] of entries) {
      if (!token) continue;
      if (!allowlist.all && allowlist.ids.length === 0) {
        out.push({
          ok: false,
          detail:
            `${name} is configured but its allowlist is empty, so nobody can talk to the agent`,
          fix:
            `set ${variable} to the sender ids allowed (e.g. ${variable}=123456789), or * for everyone`,
        });
      } else {
        out.push({
          ok: true,
          detail: `${name}: ${
            allowlist.all ? "everyone allowed (*)" : `${allowlist.ids.length} sender(s) allowed`
          }`,
        });
      }
    }
    if (channels.discord.botToken && !channels.discord.publicKey) {
      out.push({
        ok: true,
        detail: "discord: no DISCORD_PUBLIC_KEY, so the interactions endpoint stays off",
      });
    }
    return out.length > 0 ? out : { ok: true, detail: "no chat channel configured (gateway only)" };
  },
};

const routerProbe: DoctorProbe = {
  name: "router",
  run: async ({ router }) => {
    if (!router.url) {
      return {
        ok: true,
        detail: "no router configured (set ROUTER_HOST or ROUTER_URL to manage one)",
      };
    }
    const out: ProbeOutcome[] = [];
    if (!router.user || !router.password) {
      out.push({
        ok: false,
        detail: "router configured without credentials",
        fix: "set ROUTER_USER and ROUTER_PASS (a user in a least-privilege group)",
      });
    }
    if (
      router.url.startsWith("http:") &&
      !/^http:\/\/(?:127\.|172\.1[6-9]\.|172\.2\d\.|172\.3[01]\.|\[::1\]|localhost)/.test(
        router.url,
      )
    ) {
      out.push({
        ok: false,
        detail: `the router password would cross the network in clear text (${
          new URL(router.url).host
        })`,
        fix: "use https (ROUTER_HOST or an https ROUTER_URL) with ROUTER_TLS_FINGERPRINT",
      });
    }
    const writes = router.allowWrite
      ? `writes allowed in ${router.writeScopes.join(", ")}`
      : "read-only";
    out.push({
      ok: true,
      detail: `${new URL(router.url).host}: ${writes}${
        router.allowExecute ? ", execute allowed" : ""
      }${router.approval === "writes" ? ", writes need approval" : ""}`,
    });
    return out;
  },
};

const storageProbe: DoctorProbe = {
  name: "storage",
  network: false,
  run: async (config) => {
    const { createStateStoreFromUrl } = await import("../lib/storage/from_url.ts");
    const { probeStorage } = await import("../lib/storage/probe_storage.ts");
    const store = await createStateStoreFromUrl(config.storage.url);
    try {
      const result = await probeStorage(store);
      return result.ok
        ? { ok: true, detail: `${config.storage.kind}: ${result.detail}` }
        : { ok: false, detail: result.detail, fix: "check MIKROCLAW_STORAGE" };
    } finally {
      await store.dispose();
    }
  },
};

const secretsProbe: DoctorProbe = {
  name: "secrets",
  run: async (config) => ({
    ok: true,
    detail: config.secrets.secretKey
      ? "MIKROCLAW_SECRET_KEY is set: ENCRYPTED:v2: values are decrypted at start"
      : "no MIKROCLAW_SECRET_KEY: secrets are plain text in the environment (see mikroclaw encrypt)",
  }),
};

/** Every check `doctor` runs, in report order. Later parts append theirs here. */
export const PROBES: DoctorProbe[] = [
  configProbe,
  secretsProbe,
  llmKeysProbe,
  llmReachProbe,
  gatewayProbe,
  channelsProbe,
  routerProbe,
  storageProbe,
];
