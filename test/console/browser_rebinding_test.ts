import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { type ConsoleRig, launchChromium, lazySetup, SLOW, startConsoleRig } from "./_harness.ts";

// DNS rebinding: chromium resolves attacker.test to 127.0.0.1, where the gateway listens, so a
// page of attacker.test:PORT is same-origin with everything it fetches there, and only the
// gateway's Host check stands between it and the console and API.
const ATTACKER = "attacker.test";

interface Setup {
  rig: ConsoleRig;
  browser: Browser;
  page: Page;
  /** `http://attacker.test:PORT`, the gateway's port under a foreign name. */
  foreign: string;
}

async function start(): Promise<Setup> {
  const browser = await launchChromium([
    `--host-resolver-rules=MAP ${ATTACKER} 127.0.0.1`,
    // Chromium's own Private Network Access rules would block the page's fetches before they
    // leave the browser; Firefox and Safari have no such rule, so switch it off and prove the
    // gateway's Host check holds by itself.
    "--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights," +
    "PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks",
  ]);
  const rig = await startConsoleRig().catch(async (error) => {
    await browser.close();
    throw error;
  });
  try {
    const foreign = `http://${ATTACKER}:${new URL(rig.url).port}`;
    const page = await (await browser.newContext()).newPage();
    return { rig, browser, page, foreign };
  } catch (error) {
    await browser.close();
    await rig.close();
    throw error;
  }
}

describe("web console in chromium: a page reached through a foreign Host name (DNS rebinding)", () => {
  const ready = lazySetup(start, async (s) => {
    await s.browser.close();
    await s.rig.close();
  });

  it(
    "gets 421 for the console and its files, never the page",
    SLOW,
    async () => {
      const s = await ready();
      for (const path of ["/console/", "/console/app.js", "/"]) {
        const before = s.rig.seen.length;
        const res = await s.page.goto(`${s.foreign}${path}`);
        assert.ok(res, path);
        assert.equal(res.status(), 421, path);
        const body = await res.json() as {
          error: { code: string; message: string };
        };
        assert.equal(body.error.code, "E_MISDIRECTED", path);
        assert.match(
          body.error.message,
          /attacker\.test.*GATEWAY_ALLOWED_HOSTS/,
          path,
        );
        // The request did reach this gateway (the name resolved to it) and was refused there;
        // chromium retries a 421 once on a fresh connection, which is refused the same way.
        const reached = s.rig.seen.slice(before);
        assert.ok(reached.length >= 1, path);
        for (const r of reached) {
          assert.deepEqual([r.path, r.status], [path, 421], path);
        }
        assert.equal(await s.page.locator("#pair-code").count(), 0, path);
      }
    },
  );

  it(
    "cannot pair, read or drive anything, even with the right code, and spends no pairing attempt",
    SLOW,
    async () => {
      const s = await ready();
      const code = s.rig.runtime.gateway.pairingCode();
      assert.ok(code, "the gateway has a start-up pairing code");
      // The attacker's own document, served under its name before the name was re-pointed; its
      // script then fetches same-origin, which now reaches the gateway.
      await s.page.route(
        `${s.foreign}/rebind.html`,
        (route) =>
          route.fulfill({
            contentType: "text/html",
            body: "<!doctype html><title>rebind</title>",
          }),
      );
      await s.page.goto(`${s.foreign}/rebind.html`);
      const before = s.rig.seen.length;
      const turns = s.rig.llm.requests.length;
      const outcome: string[] = await s.page.evaluate(async (code) => {
        const attempts: [string, RequestInit][] = [];
        // Wrong codes first (a lockout would lock the owner out), then the right one.
        for (let i = 0; i < 12; i++) {
          attempts.push(["/pair", {
            method: "POST",
            headers: { "x-pairing-code": "000000" },
          }]);
        }
        attempts.push(["/pair", {
          method: "POST",
          headers: { "x-pairing-code": code },
        }]);
        attempts.push(["/health", {}], ["/tasks", {}], ["/jobs", {}], [
          "/changes",
          {},
        ]);
        attempts.push(["/chat", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ input: "hello" }),
        }]);
        const out: string[] = [];
        for (const [path, init] of attempts) {
          try {
            const res = await fetch(path, init);
            const body = await res.json().catch(() => null);
            out.push(
              `${path} ${res.status} ${body?.error?.code ?? ""} ${body?.token ? "TOKEN" : ""}`,
            );
          } catch (error) {
            out.push(`${path} ${String(error)}`);
          }
        }
        return out;
      }, code);
      for (const line of outcome) {
        assert.match(line, /^\/\w+ 421 E_MISDIRECTED $/, line);
      }
      // Each reached the gateway and was refused there (chromium retries a 421 once).
      const reached = s.rig.seen.slice(before);
      assert.ok(
        reached.length >= outcome.length,
        "every request reached the gateway",
      );
      for (const r of reached) {
        assert.equal(r.status, 421, `${r.method} ${r.path}`);
      }
      assert.equal(s.rig.llm.requests.length, turns, "no chat turn ran");

      // The owner, at the gateway's own address, still pairs with that very code at once.
      const paired = await fetch(`${s.rig.url}/pair`, {
        method: "POST",
        headers: { "x-pairing-code": code },
      });
      assert.equal(paired.status, 200);
      assert.equal((await paired.json() as { paired: boolean }).paired, true);
    },
  );
});
