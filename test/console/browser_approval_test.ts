import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  chat,
  type ConsoleRig,
  launchChromium,
  lazySetup,
  pairConsole,
  SLOW,
  startConsoleRig,
} from "./_harness.ts";

// Two browser contexts paired separately drive one real runtime (on a real socket) whose router
// is the RouterOS fake with writes allowed and every write waiting for approval.
const BLOCK = '/ip firewall address-list add list=blocked address=203.0.113.7 comment="scanner"';

interface Setup {
  rig: ConsoleRig;
  browser: Browser;
  /** Paired with the start-up code; asks for the change. */
  asker: Page;
  /** Paired with a code the gateway issued separately; approves it. */
  approver: Page;
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
  try {
    const startup = rig.runtime.gateway.pairingCode();
    assert.ok(startup, "the gateway has a start-up pairing code");
    const asker = await pairConsole(
      await browser.newContext(),
      rig.url,
      startup,
    );
    const approver = await pairConsole(
      await browser.newContext(),
      rig.url,
      await rig.runtime.gateway.issuePairingCode(),
    );
    return { rig, browser, asker, approver };
  } catch (error) {
    await browser.close();
    await rig.close();
    throw error;
  }
}

async function openChange(page: Page, url: string, id: string): Promise<void> {
  await page.goto(`${url}/console/#/changes/${id}`);
  await page.locator("#change-detail h3").filter({ hasText: id }).waitFor();
}

describe("web console in chromium: approve and undo a router change from a second device", () => {
  const ready = lazySetup(start, async (s) => {
    await s.browser.close();
    await s.rig.close();
  });
  let changeId = "";
  /** The router's address list before the change was applied. */
  let listBefore: unknown;

  const blocked = (s: Setup) =>
    s.rig.router.items("/ip/firewall/address-list").filter((r) => r.address === "203.0.113.7");

  it(
    "a write the model asks for shows as pending, with its diff, and touches nothing",
    SLOW,
    async () => {
      const s = await ready();
      const { asker, rig } = s;
      rig.llm.push(
        {
          toolCalls: [{
            name: "routeros_execute",
            arguments: { command: BLOCK },
          }],
        },
        { text: "I asked to block 203.0.113.7; it waits for approval." },
      );
      await chat(asker, "Block 203.0.113.7");
      const notice = asker.locator("#chat-log .notice").last();
      assert.match(await notice.innerText(), /awaits a person's approval/);
      changeId = /Change (\S+) awaits/.exec(await notice.innerText())![1]!;
      assert.equal(
        (await rig.runtime.changes!.get(changeId))?.state,
        "pending",
      );

      await notice.getByRole("link", { name: "Review it" }).click();
      await asker.locator("#change-detail h3").filter({ hasText: changeId })
        .waitFor();
      const diff = await asker.locator("#change-detail .diff").innerText();
      assert.match(diff, /^add \/ip\/firewall\/address-list/m);
      assert.match(diff, /^\+ address=203\.0\.113\.7$/m);
      assert.match(diff, /^\+ list=blocked$/m);
      assert.equal(
        await asker.locator("#change-detail .state").first().innerText(),
        "PENDING",
      );
      assert.equal(await asker.locator("#pending-badge").innerText(), "1");
      assert.equal(blocked(s).length, 0, "nothing is written while it waits");
    },
  );

  it(
    "refuses Approve from the browser that asked, showing the gateway's 403 message",
    SLOW,
    async () => {
      const s = await ready();
      const answer = s.asker.waitForResponse((r) =>
        r.url().endsWith(`/changes/${changeId}/approve`)
      );
      await s.asker.getByRole("button", { name: "Approve" }).click();
      assert.equal((await answer).status(), 403);
      const error = s.asker.locator("#changes-error");
      await error.filter({
        hasText: "the token that requested it cannot approve it",
      }).waitFor();
      assert.match(
        await error.innerText(),
        /^This browser asked for this change, so it cannot approve it itself/,
      );
      assert.equal(
        (await s.rig.runtime.changes!.get(changeId))?.state,
        "pending",
      );
      assert.equal(blocked(s).length, 0);
    },
  );

  it(
    "refuses Approve from a browser paired with a code the asker minted (“Pair a device”), saying why",
    SLOW,
    async () => {
      const s = await ready();
      await s.asker.getByRole("button", { name: "Pair a device" }).click();
      const code = await s.asker.locator("#minted-code").innerText();
      assert.match(
        await s.asker.locator("#minted").innerText(),
        /That device counts as this one: it cannot approve this browser's router changes/,
      );
      const child = await pairConsole(
        await s.browser.newContext(),
        s.rig.url,
        code,
      );
      await openChange(child, s.rig.url, changeId);
      const answer = child.waitForResponse((r) => r.url().endsWith(`/changes/${changeId}/approve`));
      await child.getByRole("button", { name: "Approve" }).click();
      const refused = await answer;
      assert.equal(refused.status(), 403);
      assert.match(
        (await refused.json() as { error: { message: string } }).error.message,
        /paired with a code the requesting token minted/,
      );
      const error = child.locator("#changes-error");
      await error.filter({ hasText: "counts both as the same device" })
        .waitFor();
      assert.match(
        await error.innerText(),
        /^This browser cannot approve this change: it was paired with a code made by “Pair a device” on the browser that asked for it/,
      );
      assert.equal(
        (await s.rig.runtime.changes!.get(changeId))?.state,
        "pending",
      );
      assert.equal(blocked(s).length, 0);
      await child.context().close();
    },
  );

  it(
    "approves it from a second, separately paired browser: the router gets the entry",
    SLOW,
    async () => {
      const s = await ready();
      listBefore = structuredClone(
        s.rig.router.items("/ip/firewall/address-list"),
      );
      await openChange(s.approver, s.rig.url, changeId);
      await s.approver.getByRole("button", { name: "Approve" }).click();
      await s.approver.locator("#change-progress").filter({
        hasText: "is now applied",
      }).waitFor();
      assert.equal(
        await s.approver.locator("#change-detail .state").first().innerText(),
        "APPLIED",
      );
      assert.equal(
        (await s.rig.runtime.changes!.get(changeId))?.state,
        "applied",
      );
      assert.equal(blocked(s).length, 1);
      assert.equal(blocked(s)[0]!.comment, "scanner");
    },
  );

  it(
    "undoes it from the console: the change is reverted and the router is as before",
    SLOW,
    async () => {
      const s = await ready();
      await s.approver.getByRole("button", { name: "Undo" }).click();
      await s.approver.locator("#change-progress").filter({
        hasText: "is now reverted",
      }).waitFor();
      assert.equal(
        (await s.rig.runtime.changes!.get(changeId))?.state,
        "reverted",
      );
      assert.deepEqual(
        s.rig.router.items("/ip/firewall/address-list"),
        listBefore,
      );
      assert.equal(blocked(s).length, 0);
      // The asker's open page catches up by itself (it polls), without a reload.
      await s.asker.locator("#change-detail .state").filter({
        hasText: "reverted",
      }).waitFor();
      await s.asker.locator("#pending-badge").waitFor({ state: "hidden" });
    },
  );

  it(
    "lists tasks with their states, health per component, and the (empty) jobs list",
    SLOW,
    async () => {
      const s = await ready();
      const page = s.approver;
      s.rig.llm.push({ text: "Six filter rules, the defconf set." });
      await page.goto(`${s.rig.url}/console/#/tasks`);
      await page.getByLabel("Input").fill("Summarise the firewall rules");
      await page.getByRole("button", { name: "Queue task" }).click();
      const detail = page.locator("#task-detail");
      await detail.locator(".state").filter({ hasText: "complete" }).waitFor({
        timeout: 30_000,
      });
      assert.match(
        await detail.locator("pre.result").innerText(),
        /Six filter rules/,
      );
      const taskId = /Task (\S+)/.exec(
        await detail.locator("h3").first().innerText(),
      )![1]!;
      const row = page.locator("#tasks-list a.row").filter({ hasText: taskId });
      await row.filter({ hasText: "complete" }).waitFor();

      await page.goto(`${s.rig.url}/console/#/health`);
      for (const name of ["llm", "gateway", "routeros"]) {
        await page.locator("#health-list li").filter({ hasText: name }).filter({
          hasText: "ok",
        })
          .waitFor();
      }
      await page.locator("#health-list li").filter({ hasText: "memu" })
        .filter({ hasText: "not configured" }).waitFor();

      // Jobs exist on this gateway: none yet (test/console/browser_jobs_test.ts adds and runs some).
      await page.goto(`${s.rig.url}/console/#/jobs`);
      await page.locator("#jobs-list li").filter({
        hasText: "No jobs scheduled.",
      }).waitFor();
      assert.equal(await page.locator("#job-form").isVisible(), true);
    },
  );
});
