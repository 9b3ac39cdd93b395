import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type FakeLLMServer, sseEvent, startFakeOpenAI } from "../_fakes/openai.ts";
import { type FakeRouterOS, startFakeRouterOS } from "../_fakes/routeros.ts";
import { type CliServer, startCli } from "../_utils/cli.ts";
import { chat, fakeEnv, launchChromium, lazySetup, SLOW, startConsoleRig } from "./_harness.ts";

// Browser tests: the real `mikroclaw gateway` command (spawned with this runtime), the scripted
// OpenAI and RouterOS fakes, and Debian's chromium driven by playwright-core.
const HOSTILE = `<img src=x onerror="document.title='pwned'">`;

function openaiChunk(delta: Record<string, unknown>): string {
  return sseEvent({
    id: "chatcmpl-console",
    object: "chat.completion.chunk",
    created: 1730000000,
    model: "fake-model",
    choices: [{ index: 0, delta, finish_reason: null }],
  });
}

interface Setup {
  llm: FakeLLMServer;
  router: FakeRouterOS;
  cli: CliServer;
  url: string;
  code: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console messages about refused content (CSP) seen by any page. */
  refused: string[];
  cwd: string;
}

async function start(): Promise<Setup> {
  const browser = await launchChromium();
  const llm = await startFakeOpenAI([], { onEmpty: { text: "Done." } });
  const router = await startFakeRouterOS();
  const cwd = mkdtempSync(join(tmpdir(), "mikroclaw-console-"));
  const cli = startCli(["gateway", "--port", "0"], {
    cwd,
    env: { MIKROCLAW_STORAGE: "memory", ...fakeEnv(llm, router) },
  });
  try {
    const [, url] = await cli.waitFor(
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      30_000,
    );
    const [, code] = await cli.waitFor(/pairing code: (\d{6})/, 30_000);
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused: string[] = [];
    context.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) {
        refused.push(message.text());
      }
    });
    return {
      llm,
      router,
      cli,
      url: url!,
      code: code!,
      browser,
      context,
      page,
      refused,
      cwd,
    };
  } catch (error) {
    await browser.close();
    await cli.stop();
    await Promise.all([llm.close(), router.close()]);
    rmSync(cwd, { recursive: true, force: true });
    throw error;
  }
}

describe("web console in chromium, served by the real `gateway` command", () => {
  const ready = lazySetup(start, async (s) => {
    await s.browser.close();
    await s.cli.stop();
    await Promise.all([s.llm.close(), s.router.close()]);
    rmSync(s.cwd, { recursive: true, force: true });
  });

  it(
    "pairs with the printed code; the token stays in this tab (not a URL, cookie or localStorage)",
    SLOW,
    async () => {
      const { page, url, code, context } = await ready();
      await page.goto(`${url}/`);
      assert.equal(
        new URL(page.url()).pathname,
        "/console/",
        "GET / redirects a browser",
      );
      await page.getByLabel("Pairing code").fill("000000");
      await page.getByRole("button", { name: "Pair" }).click();
      await page.locator("#pair-error").filter({
        hasText: "Wrong, used or expired",
      }).waitFor();

      await page.getByLabel("Pairing code").fill(code);
      await page.getByRole("button", { name: "Pair" }).click();
      await page.locator("#nav").waitFor();
      await page.locator("#conn").filter({ hasText: "Gateway" }).waitFor();

      const kept = await page.evaluate(() => ({
        token: sessionStorage.getItem("mikroclaw.token"),
        local: localStorage.length,
        href: location.href,
      }));
      assert.match(kept.token ?? "", /.{20,}/);
      assert.equal(kept.local, 0);
      assert.ok(
        !kept.href.includes(kept.token!),
        "the token is not in the URL",
      );
      assert.deepEqual(await context.cookies(), []);
      const tasks = await fetch(`${url}/tasks`, {
        headers: { authorization: `Bearer ${kept.token}` },
      });
      assert.equal(
        tasks.status,
        200,
        "the tab's token is a real gateway token",
      );
    },
  );

  it(
    "streams the answer while the model is still writing, and Stop ends the turn",
    SLOW,
    async () => {
      const { page, llm } = await ready();
      // The model sends half an answer, then goes quiet with the connection open.
      llm.push({
        raw: [
          openaiChunk({ role: "assistant", content: "Interface ether3 " }),
          openaiChunk({ content: "is down" }),
        ],
        stallAfterBytes: 1_000_000,
      });
      const request = page.waitForRequest((r) => r.url().endsWith("/chat"));
      const response = page.waitForResponse((r) => r.url().endsWith("/chat"));
      await page.getByLabel("Message to the agent").fill(
        "Which interface is down?",
      );
      await page.getByLabel("Message to the agent").press("Enter");
      assert.equal((await request).headers().accept, "text/event-stream");
      assert.match(
        (await response).headers()["content-type"] ?? "",
        /^text\/event-stream/,
      );

      const reply = page.locator("#chat-log li.agent").last();
      await reply.locator(".text").filter({
        hasText: "Interface ether3 is down",
      }).waitFor();
      assert.equal(
        await reply.getAttribute("aria-busy"),
        "true",
        "shown while the turn runs",
      );
      assert.match(await page.locator("#chat-status").innerText(), /Writing/);

      await page.getByRole("button", { name: "Stop" }).click();
      await reply.and(page.locator('[aria-busy="false"]')).waitFor();
      assert.match(await reply.innerText(), /Stopped\./);

      llm.push({ text: "All four interfaces are up again.", textChunks: 4 });
      await chat(page, "And now?");
      assert.equal(
        await page.locator("#chat-log li.agent").last().locator(".text")
          .innerText(),
        "All four interfaces are up again.",
      );
    },
  );

  it(
    "shows hostile tool output and model text as text, never as HTML",
    SLOW,
    async () => {
      const { page, llm, router, refused } = await ready();
      router.items("/interface")[0]!.comment = HOSTILE;
      llm.push(
        {
          toolCalls: [{
            name: "routeros_execute",
            arguments: { command: "/interface print" },
          }],
        },
        {
          text: `Here is the comment: ${HOSTILE} <script>document.title='pwned'</script>`,
        },
      );
      await chat(page, "Show the interface comments");
      const reply = page.locator("#chat-log li.agent").last();
      assert.match(
        await reply.locator("pre.result").textContent() ?? "",
        /<img src=x onerror=/,
      );
      assert.match(
        await reply.locator(".text").innerText(),
        /<script>document\.title='pwned'<\/script>/,
      );
      assert.equal(
        await page.locator("#chat-log img, #chat-log script").count(),
        0,
      );
      assert.equal(await page.title(), "MikroClaw console");
      assert.deepEqual(
        refused,
        [],
        "the console itself never trips its own CSP",
      );
    },
  );

  it(
    "pairs a phone by keyboard with a code minted here, fits its screen, and signs out",
    SLOW,
    async () => {
      const { page, browser, url } = await ready();
      await page.getByRole("button", { name: "Pair a device" }).click();
      const code = await page.locator("#minted-code").innerText();
      assert.match(code, /^\d{6}$/);

      const phone = await browser.newContext({
        viewport: { width: 390, height: 780 },
        isMobile: true,
        hasTouch: true,
      });
      try {
        const p = await phone.newPage();
        await p.goto(`${url}/`);
        await p.locator("#pair-code:focus").waitFor();
        await p.keyboard.type(code);
        await p.keyboard.press("Enter");
        await p.locator("#nav").waitFor();
        let focused = "";
        for (let i = 0; i < 12 && focused !== "Tasks"; i++) {
          await p.keyboard.press("Tab");
          focused = await p.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
        }
        assert.equal(focused, "Tasks", "the tabs are reachable with Tab");
        await p.keyboard.press("Enter");
        await p.locator("#view-tasks").waitFor();
        for (const view of ["chat", "tasks", "changes", "health"]) {
          await p.goto(`${url}/console/#/${view}`);
          await p.locator(`#view-${view}`).waitFor();
          const fits = await p.evaluate(() =>
            document.documentElement.scrollWidth <=
              document.documentElement.clientWidth
          );
          assert.ok(fits, `#/${view} scrolls sideways on a phone`);
        }

        const token = await p.evaluate(() => sessionStorage.getItem("mikroclaw.token"));
        await p.getByRole("button", { name: "Sign out" }).click();
        await p.locator("#pair").waitFor();
        const after = await fetch(`${url}/tasks`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(after.status, 401, "signing out revokes the token");
        assert.equal(
          await p.evaluate(() => sessionStorage.getItem("mikroclaw.token")),
          null,
        );
      } finally {
        await phone.close();
      }
    },
  );
});

describe("web console in chromium with pairing off (loopback only)", () => {
  const ready = lazySetup(async () => {
    const rig = await startConsoleRig({ PAIRING_REQUIRED: "0" });
    const browser = await launchChromium().catch(async (error) => {
      await rig.close();
      throw error;
    });
    return { rig, browser };
  }, async ({ rig, browser }) => {
    await browser.close();
    await rig.close();
  });

  it(
    "opens straight on the console, says pairing is off, and offers no sign-out",
    SLOW,
    async () => {
      const { rig, browser } = await ready();
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${rig.url}/`);
      await page.locator("#nav").waitFor();
      await page.locator("#conn").filter({ hasText: "pairing off" }).waitFor();
      assert.equal(await page.locator("#pair").isHidden(), true);
      assert.equal(await page.locator("#account").isHidden(), true);
      rig.llm.push({ text: "Hello from the loopback console." });
      await chat(page, "Hello");
      assert.equal(
        await page.locator("#chat-log li.agent .text").last().innerText(),
        "Hello from the loopback console.",
      );
    },
  );
});
