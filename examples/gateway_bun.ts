/**
 * The MikroClaw gateway on Bun's own server (`Bun.serve`): `createGateway(...).fetch` is a
 * standard `(Request) => Promise<Response>` handler, so no adapter is needed.
 *
 *   LLM_PROVIDER=openai OPENAI_API_KEY=sk-... bun examples/gateway_bun.ts
 *
 * Prints `pairing code: NNNNNN` and `listening on http://HOST:PORT`; stops on Ctrl-C.
 * @module
 */
import process from "node:process";
import { gatewayFromEnv } from "./_gateway_from_env.ts";

interface BunServer {
  hostname: string;
  port: number;
  requestIP(request: Request): { address: string } | null;
  stop(closeActive?: boolean): Promise<void> | void;
}
interface BunLike {
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request, server: BunServer): Promise<Response>;
  }): BunServer;
}

const Bun = (globalThis as unknown as { Bun?: BunLike }).Bun;
if (!Bun) throw new Error("Cannot run examples/gateway_bun.ts: run it with bun");

const app = await gatewayFromEnv();
const server = Bun.serve({
  port: app.config.gateway.port,
  hostname: app.config.gateway.bind,
  fetch(request, srv) {
    // The gateway rate-limits per peer: it reads the address from `request.ip`.
    Object.defineProperty(request, "ip", { value: srv.requestIP(request)?.address });
    return app.gateway.fetch(request);
  },
});
console.log(`listening on http://${server.hostname}:${server.port}`);
const code = app.gateway.pairingCode();
if (code) console.log(`pairing code: ${code}`);

async function stop(): Promise<void> {
  await server.stop(true);
  await app.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
