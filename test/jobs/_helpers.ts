/**
 * A started runtime served on a real socket (127.0.0.1, port 0) with one paired token, for the
 * jobs tests.
 * @module
 */
import { loadConfig } from "../../lib/config/mod.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";
import type { TelegramCall } from "../_fakes/telegram.ts";

/** True for a `sendMessage` to chat `owner`. */
export const sentTo = (owner: number) => (c: TelegramCall): boolean =>
  c.method === "sendMessage" && String(c.params.chat_id) === String(owner);

/** The text of a Telegram call. */
export const callText = (c: TelegramCall): string => String(c.params.text);

/** The served runtime. */
export interface Served {
  runtime: Runtime;
  server: LocalServer;
  token: string;
  close(): Promise<void>;
}

/** Loads `env`, starts the runtime, serves its gateway and pairs one client. */
export async function servedRuntime(
  env: Record<string, string>,
  options: { channels?: boolean } = {},
): Promise<Served> {
  const config = await loadConfig({ env });
  const runtime = await createRuntime({ config, channels: options.channels ?? false });
  await runtime.start();
  const server = await serveLocal((request) => runtime.gateway.fetch(request));
  const paired = await fetch(`${server.url}/pair`, {
    method: "POST",
    headers: { "x-pairing-code": runtime.gateway.pairingCode()! },
  });
  const { token } = (await paired.json()) as { token: string };
  return {
    runtime,
    server,
    token,
    async close() {
      await server.close();
      await runtime.stop();
    },
  };
}
