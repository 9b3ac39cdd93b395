/**
 * A fleet of gateways on one Redis: every gateway keeps its tokens, pairing codes, lockouts
 * and task queue in the same Redis, so a token paired on one works on all of them and a task
 * queued on one can be read (or run) by any other. Put a load balancer in front.
 *
 *   MIKROCLAW_STORAGE=redis://127.0.0.1:6379/0 OPENAI_API_KEY=sk-... LLM_PROVIDER=openai \
 *     node examples/fleet_redis.ts 3        # three gateways on ports from GATEWAY_PORT up
 * @module
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { serve } from "srvx";
import {
  createAgent,
  createGateway,
  createProvider,
  createStateStoreFromUrl,
  type Gateway,
  loadConfig,
  type StateStore,
} from "../mod.ts";
import type { Provider } from "../lib/providers/types.ts";

/** Options of {@linkcode startFleet}. */
export interface FleetOptions {
  /** The shared Redis, e.g. `redis://127.0.0.1:6379/0`. */
  redisUrl: string;
  /** How many gateways. @default {2} */
  size?: number;
  provider: Provider;
  /** First port; each gateway takes the next one, 0 = any free port. @default {0} */
  port?: number;
  /** Redis key prefix (one per deployment). @default {"mikroclaw"} */
  prefix?: string;
}

/** A running fleet. */
export interface Fleet {
  /** Base URL of each gateway. */
  urls: string[];
  gateways: Gateway[];
  stop(): Promise<void>;
}

/** Starts `size` gateways on 127.0.0.1 sharing one Redis. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  if (!/^rediss?:\/\//.test(options.redisUrl)) {
    throw new TypeError(
      "Cannot start fleet: redisUrl must be a redis:// URL (a fleet shares state)",
    );
  }
  const size = options.size ?? 2;
  const stores: StateStore[] = [];
  const gateways: Gateway[] = [];
  const servers: ReturnType<typeof serve>[] = [];
  const urls: string[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const store = await createStateStoreFromUrl(options.redisUrl, {
        ...(options.prefix ? { prefix: options.prefix } : {}),
      });
      stores.push(store);
      const gateway = createGateway({ agent: createAgent({ provider: options.provider }), store });
      gateways.push(gateway);
      await gateway.start();
      const server = serve({
        fetch: gateway.fetch,
        port: options.port ? options.port + i : 0,
        hostname: "127.0.0.1",
        silent: true,
      });
      servers.push(server);
      await server.ready();
      urls.push(`http://127.0.0.1:${new URL(server.url!).port}`);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  async function stopAll(): Promise<void> {
    await Promise.allSettled(servers.map((s) => s.close(true)));
    await Promise.allSettled(gateways.map((g) => g.stop()));
    await Promise.allSettled(stores.map((s) => s.dispose()));
  }
  return { urls, gateways, stop: stopAll };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = await loadConfig();
  const fleet = await startFleet({
    redisUrl: config.storage.url,
    size: Number(process.argv[2] ?? 2),
    port: config.gateway.port,
    provider: createProvider(config.llm.provider, {
      ...(config.llm.apiKey ? { apiKey: config.llm.apiKey.reveal() } : {}),
      ...(config.llm.baseUrl ? { baseURL: config.llm.baseUrl } : {}),
      ...(config.llm.model ? { model: config.llm.model } : {}),
    }),
  });
  fleet.urls.forEach((url, i) => {
    console.log(
      `gateway ${i + 1}: ${url}  pairing code: ${fleet.gateways[i]!.pairingCode() ?? "-"}`,
    );
  });
  const stop = () => void fleet.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
