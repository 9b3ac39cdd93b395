/**
 * Takes the README's screenshots of the web console (`node scripts/console_screenshots.ts`):
 * a real runtime against the scripted OpenAI and RouterOS fakes, driven in chromium, saved as
 * `docs/console/<screen>.png` (desktop) and, for pairing, chat and changes,
 * `docs/console/<screen>-phone.png` (390 px wide).
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { chat, launchChromium, pairConsole, startConsoleRig } from "../test/console/_harness.ts";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "../docs/console");
const BLOCK = '/ip firewall address-list add list=blocked address=203.0.113.7 comment="scanner"';

const PHONE_SCREENS = new Set(["pair", "chat", "changes"]);

async function shoot(page: Page, name: string): Promise<void> {
  const [screen, phone] = name.split("-");
  if (phone && !PHONE_SCREENS.has(screen!)) return;
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
  console.log(`docs/console/${name}.png`);
}

/** Real jobs through the API as the paired page's token, and one run now (its task completes). */
async function addJobs(page: Page): Promise<void> {
  const token = await page.evaluate(() => sessionStorage.getItem("mikroclaw.token"));
  const call = async (path: string, body?: unknown) => {
    const res = await fetch(`${rig.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return await res.json() as Record<string, string>;
  };
  const morning = await call("/jobs", {
    schedule: "0 7 * * *",
    tz: "Europe/Berlin",
    prompt: "Summarise the night's firewall drops",
  });
  await call("/jobs", {
    schedule: "*/30 * * * *",
    tz: "UTC",
    prompt: "Check that the WAN link and DNS answer; report only problems",
  });
  await call("/jobs", { schedule: "0 9 * * 1", tz: "America/New_York", recipe: "analyze" });
  rig.llm.push({ text: "Twelve drops overnight, all from 198.51.100.4." });
  await call(`/jobs/${morning.job_id}/run`);
}

mkdirSync(OUT, { recursive: true });
const rig = await startConsoleRig({ ROUTEROS_ALLOW_WRITE: "1", ROUTEROS_APPROVAL: "writes" });
const browser = await launchChromium();
try {
  const views = [
    { suffix: "", viewport: { width: 1000, height: 720 } },
    { suffix: "-phone", viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true },
  ];
  for (const { suffix, ...options } of views) {
    const context = await browser.newContext({ ...options, colorScheme: "light" });
    const pairPage = await context.newPage();
    await pairPage.goto(`${rig.url}/`);
    await pairPage.getByLabel("Pairing code").waitFor();
    await shoot(pairPage, `pair${suffix}`);
    await pairPage.close();

    const code = await rig.runtime.gateway.issuePairingCode();
    const page = await pairConsole(context, rig.url, code);
    rig.llm.push(
      { toolCalls: [{ name: "routeros_execute", arguments: { command: "/interface print" } }] },
      { text: "ether3 is down (not running); ether1, ether2 and bridge are up." },
    );
    await chat(page, "Which interfaces are down?");
    rig.llm.push(
      { toolCalls: [{ name: "routeros_execute", arguments: { command: BLOCK } }] },
      { text: "I asked to add 203.0.113.7 to the blocked list; it waits for your approval." },
    );
    await chat(page, "Block 203.0.113.7, it keeps scanning us");
    await shoot(page, `chat${suffix}`);

    const pending = (await rig.runtime.changes!.list()).find((c) => c.state === "pending")!;
    await page.goto(`${rig.url}/console/#/changes/${pending.change_id}`);
    await page.locator("#change-detail .diff").waitFor();
    await page.getByRole("button", { name: "Approve" }).click();
    await page.locator("#changes-error").filter({ hasText: "cannot approve" }).waitFor();
    await shoot(page, `changes${suffix}`);

    await page.goto(`${rig.url}/console/#/tasks`);
    rig.llm.push({ text: "Six filter rules: the defconf set; nothing unusual." });
    await page.getByLabel("Input").fill("Summarise the firewall filter rules");
    await page.getByRole("button", { name: "Queue task" }).click();
    await page.locator("#task-detail .state.ok").waitFor({ timeout: 15_000 });
    await shoot(page, `tasks${suffix}`);

    await page.goto(`${rig.url}/console/#/health`);
    await page.locator("#health-list li").first().waitFor();
    await shoot(page, `health${suffix}`);

    if (!suffix) await addJobs(page);
    await page.goto(`${rig.url}/console/#/jobs`);
    await page.locator("#jobs-list li .state.ok").first().waitFor({ timeout: 15_000 });
    await shoot(page, `jobs${suffix}`);
    // The next pass starts from a clean slate: deny what this one left pending.
    await rig.runtime.changes!.deny(pending.change_id, "gateway:screenshots");
    await context.close();
  }
} finally {
  await browser.close();
  await rig.close();
}
