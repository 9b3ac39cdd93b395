/**
 * A real gateway (echo agent, fast timers, memory store) behind the CLI's server adapter
 * (`cli/_serve.ts`) on 127.0.0.1, for the server tests.
 * @module
 */
import { listen, type Listening } from "../../cli/_serve.ts";
import { createGateway, type GatewayOptions } from "../../lib/gateway/mod.ts";
import { echoAgent, FAST, memoryStore } from "../gateway/_helpers.ts";

/** A served gateway; `close` stops server and gateway. */
export interface Served {
  server: Listening;
  close(): Promise<void>;
}

/** Starts a gateway with `options` and serves it on a free loopback port. */
export async function serveGateway(options: Partial<GatewayOptions> = {}): Promise<Served> {
  const gateway = createGateway({ agent: echoAgent(), ...FAST, store: memoryStore(), ...options });
  await gateway.start();
  const server = await listen(gateway.fetch, "127.0.0.1", 0);
  return {
    server,
    async close() {
      await server.close();
      await gateway.stop();
    },
  };
}
