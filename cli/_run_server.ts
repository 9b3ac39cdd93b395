/**
 * What `agent` and `gateway` share: build the runtime, serve the gateway, print where it
 * listens and the pairing code, run the opt-in router setup, and drain on SIGINT/SIGTERM.
 * @module
 */
import module from "node:module";
import type { Config } from "../lib/config/types.ts";
import { createRuntime, type Runtime } from "../lib/runtime/create_runtime.ts";
import { configureLogger, logger } from "./_logger.ts";
import { listen, type Listening } from "./_serve.ts";
import { print } from "./_context.ts";

/** Options of {@linkcode runServer}. */
export interface RunServerOptions {
  config: Config;
  /** Start the chat channels too (`agent`). */
  channels: boolean;
  port?: number | undefined;
  host?: string | undefined;
}

/** Our address on the way to the router: the local end of a TCP connection to its REST port. */
async function localAddressToward(rest: URL): Promise<string> {
  const { connect } = await import("node:net");
  const port = Number(rest.port) || (rest.protocol === "https:" ? 443 : 80);
  return await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: rest.hostname.replace(/^\[|\]$/g, ""), port }, () => {
      const address = socket.localAddress;
      socket.destroy();
      if (address) resolve(address);
      else reject(new Error("Cannot tell the local address toward the router"));
    });
    socket.setTimeout(5000, () => socket.destroy(new Error("Cannot reach the router in 5 s")));
    socket.once("error", reject);
  });
}

async function routerSetup(
  runtime: Runtime,
  port: number,
  undo: (() => Promise<unknown>)[],
): Promise<void> {
  const { router } = runtime;
  const { config } = runtime;
  if (!router) return;
  const setup = await import("../lib/routeros/setup.ts");
  if (config.router.firewall) {
    await setup.ensureGatewayFirewallRule({
      router,
      port,
      allowSubnets: config.router.allowSubnets,
    });
    undo.push(() => setup.removeGatewayFirewallRule({ router }));
    logger.info(
      `RouterOS: input rule for port ${port} from ${
        config.router.allowSubnets.join(", ") || "(none)"
      } in place`,
    );
  }
  if (config.router.heartbeat) {
    // The router calls this URL: on a wildcard bind, use our address on the way to the router.
    const wildcard = config.gateway.bind === "0.0.0.0" || config.gateway.bind === "::";
    const host = wildcard ? await localAddressToward(new URL(router.url)) : config.gateway.bind;
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}/health/heartbeat`;
    await setup.ensureHeartbeatScheduler({ router, url });
    logger.info(`RouterOS: heartbeat scheduler in place (${url})`);
  }
}

/** Resolves on the first SIGINT or SIGTERM (Deno needs its own listener API). */
function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const deno = (globalThis as {
      Deno?: { addSignalListener(signal: string, handler: () => void): void };
    }).Deno;
    if (deno) {
      deno.addSignalListener("SIGINT", () => resolve());
      deno.addSignalListener("SIGTERM", () => resolve());
      return;
    }
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

/** Serves until SIGINT/SIGTERM, then drains; resolves the exit code. */
export async function runServer(options: RunServerOptions): Promise<number> {
  const config = options.config;
  const host = options.host ?? config.gateway.bind;
  const port = options.port ?? config.gateway.port;
  const runtime = await createRuntime({ config, logger, channels: options.channels });
  // The runtime knows more secrets than the configuration alone (the values in MCP_SERVERS).
  configureLogger({ secrets: runtime.secrets });
  let server: Listening | undefined;
  const undo: (() => Promise<unknown>)[] = [];
  try {
    const stopped = untilSignal();
    server = await listen(runtime.gateway.fetch, host, port);
    await runtime.start();
    print(`MikroClaw gateway listening on ${server.url}`);
    const code = runtime.gateway.pairingCode();
    if (code) print(`pairing code: ${code} (one-time, expires in 10 minutes)`);
    else print("pairing is off (PAIRING_REQUIRED=0, loopback only)");
    // What the start compiled goes to Node's compile cache (turned on in mikroclaw.ts) soon,
    // not only at a clean exit: the next start after a crash or a kill uses it too (issue #19).
    setTimeout(() => module.flushCompileCache?.(), 1000).unref?.();
    if (!runtime.identity.persistent) {
      logger.info("Storage is memory: tokens and identity last until this process stops");
    }
    for (const channel of runtime.channels) logger.info(`Channel ${channel.name} started`);
    await routerSetup(runtime, server.port, undo).catch((error: unknown) => {
      logger.warn("RouterOS setup failed:", error instanceof Error ? error.message : error);
    });
    await stopped;
    logger.info("Stopping: draining tasks and channels");
    return 0;
  } finally {
    for (const step of undo) await step().catch(() => {});
    await server?.close();
    await runtime.stop();
  }
}
