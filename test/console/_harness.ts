/**
 * Shared set-up for the web console's tests and screenshots: the scripted OpenAI and RouterOS
 * fakes, a real runtime (`createRuntime`) served on 127.0.0.1, and Debian's chromium driven by
 * playwright-core with a fresh profile.
 * @module
 */
import { existsSync } from "node:fs";
import { after } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { loadConfig } from "../../lib/config/mod.ts";
import { createRuntime, type Runtime } from "../../lib/runtime/mod.ts";
import { type FakeLLMServer, type FakeReply, startFakeOpenAI } from "../_fakes/openai.ts";
import {
  FAKE_ROUTEROS_PASSWORD,
  FAKE_ROUTEROS_USER,
  type FakeRouterOS,
  startFakeRouterOS,
} from "../_fakes/routeros.ts";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";

/** Debian's chromium package. */
export const CHROMIUM = "/usr/bin/chromium";

/** Options of a browser test: chromium on a busy machine is slow, never a hang. */
export const SLOW: { timeout: number } = { timeout: 90_000 };

/** Starts headless chromium with a fresh temporary profile; `extraArgs` are added to its flags. */
export async function launchChromium(
  extraArgs: readonly string[] = [],
): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Cannot run the browser tests: no ${CHROMIUM} (apt-get install chromium)`,
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
}

/**
 * A suite's set-up, run by the first test that asks for it (Bun gives hooks only 5 s, a test may
 * take longer) and torn down after the suite. Call inside `describe`.
 */
export function lazySetup<T>(
  start: () => Promise<T>,
  stop: (value: T) => Promise<void>,
): () => Promise<T> {
  let value: Promise<T> | undefined;
  after(async () => {
    const started = await value?.catch(() => undefined);
    if (started !== undefined) await stop(started);
  });
  return () => (value ??= start());
}

/** Settings that point the agent at the OpenAI fake and the router at the RouterOS fake. */
export function fakeEnv(
  llm: FakeLLMServer,
  router: FakeRouterOS,
): Record<string, string> {
  return {
    LLM_PROVIDER: "openai",
    OPENAI_API_KEY: "sk-console-test",
    OPENAI_BASE_URL: llm.baseURL,
    ROUTER_URL: router.url,
    ROUTER_USER: FAKE_ROUTEROS_USER,
    ROUTER_PASS: FAKE_ROUTEROS_PASSWORD,
  };
}

/** A request the rig's gateway answered. */
export interface SeenRequest {
  method: string;
  path: string;
  origin: string | null;
  /** Whether it carried an `Authorization` header. */
  auth: boolean;
  status: number;
}

/** A real runtime with its gateway on a real socket, plus the fakes behind it. */
export interface ConsoleRig {
  /** The gateway's origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Every request the gateway answered, in order. */
  seen: SeenRequest[];
  runtime: Runtime;
  llm: FakeLLMServer;
  router: FakeRouterOS;
  close(): Promise<void>;
}

/**
 * Starts the fakes and a runtime whose agent talks to the scripted OpenAI fake and manages the
 * RouterOS fake; `env` adds or overrides settings (e.g. `ROUTEROS_APPROVAL`).
 */
export async function startConsoleRig(
  env: Record<string, string> = {},
  onEmpty: FakeReply = { text: "Done." },
): Promise<ConsoleRig> {
  const llm = await startFakeOpenAI([], { onEmpty });
  const router = await startFakeRouterOS();
  let runtime: Runtime | undefined;
  let server: LocalServer | undefined;
  const seen: SeenRequest[] = [];
  try {
    const config = await loadConfig({
      env: { ...fakeEnv(llm, router), ...env },
    });
    runtime = await createRuntime({ config });
    await runtime.start();
    const gateway = runtime.gateway;
    server = await serveLocal(async (request) => {
      const response = await gateway.fetch(request);
      seen.push({
        method: request.method,
        path: new URL(request.url).pathname,
        origin: request.headers.get("origin"),
        auth: request.headers.has("authorization"),
        status: response.status,
      });
      return response;
    });
  } catch (error) {
    await runtime?.stop();
    await Promise.all([llm.close(), router.close()]);
    throw error;
  }
  const rt = runtime;
  const srv = server;
  return {
    url: srv.url,
    seen,
    runtime: rt,
    llm,
    router,
    async close() {
      await srv.close();
      await rt.stop();
      await Promise.all([llm.close(), router.close()]);
    },
  };
}

/** Opens the console in `context` and pairs it with `code` by typing it, as a person would. */
export async function pairConsole(
  context: BrowserContext,
  url: string,
  code: string,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.getByLabel("Pairing code").fill(code);
  await page.getByLabel("Pairing code").press("Enter");
  await page.locator("#nav").waitFor({ state: "visible" });
  return page;
}

/** Sends one chat message through the console and waits until the reply has finished. */
export async function chat(page: Page, message: string): Promise<void> {
  await page.goto(page.url().replace(/#.*$/, "") + "#/chat");
  await page.getByLabel("Message to the agent").fill(message);
  const replies = page.locator("#chat-log li.agent");
  const before = await replies.count();
  await page.getByRole("button", { name: "Send" }).click();
  await replies.nth(before).and(page.locator('[aria-busy="false"]')).waitFor();
}
