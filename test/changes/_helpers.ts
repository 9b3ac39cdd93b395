/**
 * Shared set-up of the change tests: a fake router, the real REST client, policy and executor,
 * a StateStore and a change manager with an injectable clock.
 * @module
 */
import { createStorage } from "unstorage";
import {
  createRouterOS,
  createRouterOSExecutor,
  createRouterOSPolicy,
  type RouterOS,
  type RouterOSExecutor,
} from "../../lib/routeros/mod.ts";
import { createStateStore } from "../../lib/storage/state_store.ts";
import type { StateStore } from "../../lib/storage/types.ts";
import {
  type ChangeEvent,
  type ChangeManager,
  type ChangeManagerOptions,
  type ChangeRecord,
  createChangeManager,
  createLockoutGuard,
} from "../../lib/changes/mod.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";

/** One test's world. */
export interface World {
  fake: FakeRouterOS;
  router: RouterOS;
  store: StateStore;
  manager: ChangeManager;
  executor: RouterOSExecutor;
  events: [ChangeEvent, ChangeRecord][];
  clock: { t: number };
  /** Builds another manager (and executor) over the same router, e.g. after a "restart". */
  another(
    store?: StateStore,
    extra?: Partial<ChangeManagerOptions>,
  ): { manager: ChangeManager; executor: RouterOSExecutor };
  close(): Promise<void>;
}

/** Options of {@linkcode world}. */
export interface WorldOptions extends Partial<ChangeManagerOptions> {
  allowExecute?: boolean;
  store?: StateStore;
}

/** A fresh memory StateStore. */
export function memoryStore(): StateStore {
  return createStateStore({ storage: createStorage(), kind: "memory" });
}

/** Starts a world; `close()` it in `after`/`finally`. */
export async function world(options: WorldOptions = {}): Promise<World> {
  const fake = await startFakeRouterOS();
  const router = createRouterOS({
    url: fake.url,
    user: FAKE_ROUTEROS_USER,
    password: FAKE_ROUTEROS_PASSWORD,
  });
  const policy = createRouterOSPolicy({
    allowWrite: true,
    allowExecute: options.allowExecute === true,
    writeScopes: [
      "/ip/firewall",
      "/interface",
      "/ip/address",
      "/ip/route",
      "/ip/service",
      "/system/identity",
      "/log",
    ],
  });
  const { store: givenStore, allowExecute: _allowExecute, ...managerOptions } = options;
  const store = givenStore ?? memoryStore();
  const clock = { t: Date.parse("2026-09-28T10:00:00Z") };
  const events: [ChangeEvent, ChangeRecord][] = [];
  const build = (s: StateStore, extra: Partial<ChangeManagerOptions> = {}) => {
    const manager = createChangeManager({
      store: s,
      router,
      policy,
      now: () => clock.t,
      notify: (record, event) => {
        events.push([event, structuredClone(record)]);
      },
      lockout: createLockoutGuard({ router, host: "192.168.88.1", sourceAddress: "192.168.88.10" }),
      ...managerOptions,
      ...extra,
    });
    const executor = createRouterOSExecutor({
      router,
      policy,
      onWrite: manager.onWrite,
      onRefused: manager.onRefused,
    });
    return { manager, executor };
  };
  const { manager, executor } = build(store);
  return {
    fake,
    router,
    store,
    manager,
    executor,
    events,
    clock,
    another: (s = store, extra = {}) => build(s, extra),
    async close() {
      await manager.stop();
      await fake.close();
    },
  };
}

/** Requests of the fake that wrote something (not GET), excluding the scheduler runner's. */
export function writes(fake: FakeRouterOS, menu?: string): string[] {
  return fake.requests
    .filter((r) => r.method !== "GET" && r.user !== "admin")
    .filter((r) => !r.path.endsWith("/print"))
    .map((r) => `${r.method} ${r.path}`)
    .filter((line) => menu === undefined || line.includes(menu));
}

/** The change id in a tool result. */
export function changeIdOf(result: unknown): string {
  const id = (result as { change_id?: unknown }).change_id;
  if (typeof id !== "string") throw new Error(`no change_id in ${JSON.stringify(result)}`);
  return id;
}
