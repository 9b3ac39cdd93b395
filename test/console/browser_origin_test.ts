import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";
import {
  type ConsoleRig,
  launchChromium,
  lazySetup,
  pairConsole,
  SLOW,
  startConsoleRig,
} from "./_harness.ts";

// A page from another origin (another 127.0.0.1 port), open in the same browser as a paired
// console, tries to read and drive the gateway: it must get nothing and change nothing.
const BLOCK = "/ip firewall address-list add list=blocked address=203.0.113.9";

interface Setup {
  rig: ConsoleRig;
  browser: Browser;
  context: BrowserContext;
  /** The owner's paired console tab. */
  console: Page;
  /** The other origin's page, in the same browser. */
  evil: Page;
  evilServer: LocalServer;
  changeId: string;
}

function evilPage(gateway: string, changeId: string): string {
  return `<!doctype html><title>elsewhere</title>
<iframe id="frame" src="${gateway}/console/"></iframe>
<form id="approve" method="post" action="${gateway}/changes/${changeId}/approve">
<input name="ok" value="1"></form>
<script>
window.framed = new Promise((resolve) =>
  document.getElementById("frame").addEventListener("load", () => resolve(true)));
</script>`;
}

async function start(): Promise<Setup> {
  const browser = await launchChromium();
  const rig = await startConsoleRig({
    ROUTEROS_ALLOW_WRITE: "1",
    ROUTEROS_APPROVAL: "writes",
  })
    .catch(async (error) => {
      await browser.close();
      throw error;
    });
  let evilServer: LocalServer | undefined;
  try {
    // A pending change, asked for through the API by another device.
    const code = await rig.runtime.gateway.issuePairingCode();
    const paired = await fetch(`${rig.url}/pair`, {
      method: "POST",
      headers: { "x-pairing-code": code },
    });
    const { token } = await paired.json() as { token: string };
    rig.llm.push({
      toolCalls: [{ name: "routeros_execute", arguments: { command: BLOCK } }],
    });
    const asked = await fetch(`${rig.url}/chat`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ input: "Block 203.0.113.9" }),
    });
    assert.equal(asked.status, 200);
    const change = (await rig.runtime.changes!.list()).find((c) => c.state === "pending");
    assert.ok(change, "a change waits for approval");
    const changeId = change.change_id;
    const server = await serveLocal(() =>
      new Response(evilPage(rig.url, changeId), {
        headers: { "content-type": "text/html" },
      })
    );
    evilServer = server;

    const context = await browser.newContext();
    const console = await pairConsole(
      context,
      rig.url,
      rig.runtime.gateway.pairingCode()!,
    );
    const evil = await context.newPage();
    await evil.goto(`${server.url}/`);
    return {
      rig,
      browser,
      context,
      console,
      evil,
      evilServer: server,
      changeId,
    };
  } catch (error) {
    await browser.close();
    await evilServer?.close();
    await rig.close();
    throw error;
  }
}

describe("web console in chromium: a page from another origin", () => {
  const ready = lazySetup(start, async (s) => {
    await s.browser.close();
    await s.evilServer.close();
    await s.rig.close();
  });

  const pending = async (s: Setup) => (await s.rig.runtime.changes!.get(s.changeId))?.state;

  it(
    "cannot read the gateway: every fetch fails, and the gateway refuses each with 403",
    SLOW,
    async () => {
      const s = await ready();
      const token = await s.console.evaluate(() => sessionStorage.getItem("mikroclaw.token"));
      const outcome = await s.evil.evaluate(async ({ gateway, id, token }) => {
        const attempts: [string, RequestInit][] = [
          ["/health", {}],
          ["/console/", {}],
          ["/changes", { credentials: "include" }],
          [`/changes/${id}/approve`, { method: "POST" }],
          // Even holding a stolen token: the preflight is refused, so the POST is never sent.
          [`/changes/${id}/deny`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}` },
          }],
        ];
        const out: string[] = [];
        for (const [path, init] of attempts) {
          try {
            await fetch(gateway + path, init);
            out.push(`${path}: read`);
          } catch (error) {
            out.push(`${path}: ${(error as Error).name}`);
          }
        }
        return out;
      }, { gateway: s.rig.url, id: s.changeId, token });
      for (const line of outcome) assert.match(line, /: TypeError$/, line);

      const evil = new URL(s.evilServer.url).origin;
      const fromEvil = s.rig.seen.filter((r) => r.origin === evil);
      const answered = fromEvil.map((r) => `${r.method} ${r.path} ${r.status}`);
      assert.deepEqual(answered, [
        "GET /health 403",
        "GET /console/ 403",
        "GET /changes 403",
        `POST /changes/${s.changeId}/approve 403`,
        `OPTIONS /changes/${s.changeId}/deny 403`,
      ]);
      assert.ok(
        !fromEvil.some((r) => r.auth),
        "no request with the token ever reached the gateway",
      );
      assert.equal(await pending(s), "pending");
    },
  );

  it(
    "cannot read the console tab's token, even in a window it opened",
    SLOW,
    async () => {
      const s = await ready();
      const popup = s.evil.waitForEvent("popup");
      await s.evil.evaluate((gateway) => {
        (globalThis as unknown as { opened: Window | null }).opened = globalThis
          .open(
            `${gateway}/console/`,
          );
      }, s.rig.url);
      await (await popup).waitForLoadState();
      const read = await s.evil.evaluate(() => {
        const w = (globalThis as unknown as { opened: Window | null }).opened;
        try {
          return `read ${w?.sessionStorage.getItem("mikroclaw.token")}`;
        } catch (error) {
          return (error as Error).name;
        }
      });
      assert.equal(
        read,
        "SecurityError",
        "the other origin's window is closed to it",
      );
    },
  );

  it(
    "cannot drive it: a form POST is refused by the Origin check and changes nothing",
    SLOW,
    async () => {
      const s = await ready();
      const before = structuredClone(
        s.rig.router.items("/ip/firewall/address-list"),
      );
      const answer = s.evil.waitForResponse((r) =>
        r.url().endsWith(`/changes/${s.changeId}/approve`)
      );
      await s.evil.evaluate(() => (document.getElementById("approve") as HTMLFormElement).submit());
      const res = await answer;
      assert.equal(res.status(), 403);
      assert.match(
        await res.text(),
        /Cross-origin browser requests are refused/,
      );
      assert.equal(await pending(s), "pending");
      assert.deepEqual(s.rig.router.items("/ip/firewall/address-list"), before);
    },
  );

  it(
    "cannot frame the console (frame-ancestors 'none', X-Frame-Options DENY)",
    SLOW,
    async () => {
      const s = await ready();
      await s.evil.goto(`${s.evilServer.url}/`);
      await s.evil.evaluate(() => (globalThis as unknown as { framed: Promise<boolean> }).framed);
      const served = s.rig.seen.filter((r) => r.path === "/console/" && r.status === 200);
      assert.ok(
        served.length > 0,
        "the gateway served the page; the browser refused to show it",
      );
      const frame = s.evil.frames().find((f) => f !== s.evil.mainFrame());
      assert.ok(frame, "the iframe exists");
      assert.equal(
        frame.url(),
        "chrome-error://chromewebdata/",
        "chromium blocked the frame",
      );
      assert.equal(
        await frame.evaluate(() => document.getElementById("pair")),
        null,
      );
    },
  );
});
