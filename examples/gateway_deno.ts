/**
 * The MikroClaw gateway on Deno's own server (`Deno.serve`): `createGateway(...).fetch` is a
 * standard `(Request) => Promise<Response>` handler, so no adapter is needed.
 *
 *   LLM_PROVIDER=openai OPENAI_API_KEY=sk-... deno run -A examples/gateway_deno.ts
 *
 * Prints `pairing code: NNNNNN` and `listening on http://HOST:PORT`; stops on Ctrl-C.
 * @module
 */
import { gatewayFromEnv } from "./_gateway_from_env.ts";

interface DenoServeInfo {
  remoteAddr: { hostname: string };
}
interface DenoLike {
  serve(
    options: {
      port: number;
      hostname: string;
      onListen(addr: { hostname: string; port: number }): void;
    },
    handler: (request: Request, info: DenoServeInfo) => Promise<Response>,
  ): { shutdown(): Promise<void>; finished: Promise<void> };
  addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
}

const Deno = (globalThis as unknown as { Deno?: DenoLike }).Deno;
if (!Deno) throw new Error("Cannot run examples/gateway_deno.ts: run it with deno run -A");

const app = await gatewayFromEnv();
const server = Deno.serve(
  {
    port: app.config.gateway.port,
    hostname: app.config.gateway.bind,
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
  },
  (request, info) => {
    // The gateway rate-limits per peer: it reads the address from `request.ip`.
    Object.defineProperty(request, "ip", { value: info.remoteAddr.hostname });
    return app.gateway.fetch(request);
  },
);
const code = app.gateway.pairingCode();
if (code) console.log(`pairing code: ${code}`);

async function stop(): Promise<void> {
  await server.shutdown();
  await app.close();
}
Deno.addSignalListener("SIGINT", () => void stop());
Deno.addSignalListener("SIGTERM", () => void stop());
await server.finished;
