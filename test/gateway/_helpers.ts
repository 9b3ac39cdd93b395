/**
 * Shared set-up for the gateway tests: a memory StateStore, small in-test agents and
 * request builders that carry a peer address the way srvx does (`request.ip`).
 * @module
 */
import { createStorage } from "unstorage";
import type { Agent, AgentEvent, TurnInput, TurnResult } from "../../lib/agent/types.ts";
import { createStateStore } from "../../lib/storage/state_store.ts";
import type { StateStore } from "../../lib/storage/types.ts";
import { createGateway } from "../../lib/gateway/mod.ts";
import type { Gateway, GatewayOptions } from "../../lib/gateway/mod.ts";
import { waitFor } from "../_utils/wait.ts";

/** A fresh memory StateStore. */
export function memoryStore(): StateStore {
  return createStateStore({ storage: createStorage(), kind: "memory" });
}

/** An agent that echoes its input, recording every turn. */
export interface EchoAgent extends Agent {
  readonly turns: TurnInput[];
}

/** Replies `echo: <input>`; streams one text delta, a tool pair and turn-end. */
export function echoAgent(): EchoAgent {
  const turns: TurnInput[] = [];
  const result = (input: string): TurnResult => ({
    text: `echo: ${input}`,
    steps: 1,
    stopReason: "stop",
    toolCalls: 0,
  });
  return {
    turns,
    async run(input) {
      turns.push(input);
      return result(input.input);
    },
    async *stream(input): AsyncIterable<AgentEvent> {
      turns.push(input);
      yield { type: "turn-start", sessionKey: input.sessionKey };
      yield { type: "text-delta", text: `echo: ${input.input}` };
      const toolCall = { id: "c1", name: "clock", arguments: {} };
      yield { type: "tool-start", toolCall };
      yield {
        type: "tool-end",
        toolCall,
        result: { content: "12:00" } as never,
        durationMs: 1,
      };
      yield { type: "turn-end", text: `echo: ${input.input}`, steps: 1 };
    },
    reset() {},
  };
}

/** An agent whose turns wait until their signal aborts; `started` resolves on each start. */
export interface HangingAgent extends Agent {
  readonly signals: AbortSignal[];
  /** Resolves once `n` turns have started. */
  started(n: number): Promise<void>;
}

/** Every turn hangs until aborted, then rejects with the abort reason. */
export function hangingAgent(): HangingAgent {
  const signals: AbortSignal[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  function begin(signal: AbortSignal | undefined): Promise<never> {
    if (!signal) return Promise.reject(new TypeError("no signal"));
    signals.push(signal);
    for (const w of waiters.filter((w) => signals.length >= w.n)) w.resolve();
    return new Promise((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  }
  return {
    signals,
    started(n) {
      if (signals.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    run: (input) => begin(input.signal),
    async *stream(input) {
      yield { type: "turn-start", sessionKey: input.sessionKey };
      await begin(input.signal).catch(() => {});
    },
    reset() {},
  };
}

/** A request with a peer address, like srvx's `request.ip`. */
export function req(
  path: string,
  init: RequestInit & { ip?: string; token?: string; json?: unknown } = {},
): Request {
  const { ip = "10.0.0.1", token, json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  if (json !== undefined) headers.set("content-type", "application/json");
  const request = new Request(`http://127.0.0.1:18789${path}`, {
    ...rest,
    headers,
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return Object.assign(request, { ip });
}

/** Fast timers so the suite stays quick. */
export const FAST: Partial<GatewayOptions> = {
  taskPollMs: 20,
  taskCancelPollMs: 20,
  taskDrainMs: 200,
  healthIntervalMs: 60_000,
  rateLimit: { rps: 1000, burst: 1000 },
};

/** A started gateway and a paired token. */
export interface Paired {
  gateway: Gateway;
  store: StateStore;
  token: string;
}

/** Starts a gateway (fast timers) and pairs one client with the start-up code. */
export async function pairedGateway(
  options: Partial<GatewayOptions> & { agent?: Agent } = {},
): Promise<Paired> {
  const store = options.store ?? memoryStore();
  const gateway = createGateway({ agent: echoAgent(), ...FAST, ...options, store });
  await gateway.start();
  const res = await gateway.fetch(
    req("/pair", { method: "POST", headers: { "X-Pairing-Code": gateway.pairingCode()! } }),
  );
  if (res.status !== 200) throw new Error(`pairing failed: ${res.status}`);
  const { token } = await res.json() as { token: string };
  return { gateway, store, token };
}

/** Waits until `check` holds (the shared {@linkcode waitFor}); rejects after `ms`. */
export async function until(
  check: () => Promise<boolean> | boolean,
  ms = 10_000,
): Promise<void> {
  await waitFor(check, { timeout: ms });
}
