import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeLLMServer, startFakeOpenAI } from "../_fakes/openai.ts";
import type { LocalServer } from "../_utils/serve.ts";
import { type Served, servedRuntime } from "./_helpers.ts";
import { runCli } from "../_utils/cli.ts";
import { waitFor } from "../_utils/wait.ts";

describe("mikroclaw jobs against a running gateway", () => {
  let llm: FakeLLMServer;
  let served: Served;
  let server: LocalServer;
  let token = "";
  let cwd = "";

  before(async () => {
    cwd = mkdtempSync(join(tmpdir(), "mikroclaw-jobs-cli-"));
    llm = await startFakeOpenAI([], { onEmpty: { text: "Weekly report: all quiet." } });
    served = await servedRuntime({
      LLM_PROVIDER: "openai",
      OPENAI_API_KEY: "sk-cli-jobs",
      OPENAI_BASE_URL: llm.baseURL,
      // The scheduler test polls the job; this suite is not about rate limits.
      GATEWAY_RATE_LIMIT: "1000",
      GATEWAY_RATE_BURST: "1000",
    });
    ({ server, token } = served);
  });

  after(async () => {
    await served?.close();
    await llm?.close();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  const jobs = (...args: string[]) =>
    runCli(["jobs", ...args, "--url", server.url], { cwd, env: { MIKROCLAW_TOKEN: token } });

  it("adds, lists with the zone, runs as a task, and removes a job", {
    timeout: 60_000,
  }, async () => {
    const added = await jobs(
      "add",
      "--schedule",
      "0 8 * * 1",
      "--prompt",
      "Summarise last week",
      "--tz",
      "Europe/Riga",
      "--json",
    );
    assert.equal(added.code, 0, added.stderr);
    const job = JSON.parse(added.stdout) as { job_id: string; tz: string; next_run: string };
    assert.equal(job.tz, "Europe/Riga");
    assert.match(job.next_run, /T0[56]:00:00\.000Z$/, "08:00 Riga is 05:00 or 06:00 UTC");

    const listed = await jobs("list");
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stdout,
      new RegExp(`${job.job_id}\\s+active\\s+"0 8 \\* \\* 1"\\s+tz=Europe/Riga`),
    );

    const run = await jobs("run", job.job_id);
    assert.equal(run.code, 0, run.stderr);
    const taskId = /task ([0-9a-f]{32})/.exec(run.stdout)?.[1];
    assert.ok(taskId, run.stdout);
    const task = await waitFor(async () => {
      const res = await fetch(`${server.url}/tasks/${taskId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const t = await res.json() as { type: string; status: string; result?: string };
      return t.status === "complete" || t.status === "failed" ? t : undefined;
    }, { timeout: 30_000, message: `task ${taskId} finished` });
    assert.equal(task?.type, "job");
    assert.equal(task?.status, "complete", JSON.stringify(task));
    assert.equal(task?.result, "Weekly report: all quiet.");

    const removed = await jobs("remove", job.job_id);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match((await jobs("list")).stdout, /no jobs/);
  });

  it("a job without --tz shows the zone it got (TZ, else UTC: no router here)", async () => {
    const added = await runCli(
      [
        "jobs",
        "add",
        "--schedule",
        "every 2h",
        "--recipe",
        "analyze",
        "--url",
        server.url,
        "--json",
      ],
      { cwd, env: { MIKROCLAW_TOKEN: token } },
    );
    assert.equal(added.code, 0, added.stderr);
    const job = JSON.parse(added.stdout) as { tz: string };
    assert.equal(job.tz, Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
  });

  it("the running gateway's scheduler fires a due job by itself", {
    timeout: 60_000,
  }, async () => {
    const added = await jobs("add", "--schedule", "every 1s", "--prompt", "tick", "--json");
    assert.equal(added.code, 0, added.stderr);
    const { job_id } = JSON.parse(added.stdout) as { job_id: string };
    const job = await waitFor(async () => {
      const res = await fetch(`${server.url}/jobs/${job_id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200, await res.clone().text());
      const j = await res.json() as { last_status?: string; last_run?: string };
      return j.last_status === "complete" ? j : undefined;
    }, { timeout: 60_000, interval: 25, message: `job ${job_id} run by the scheduler` });
    assert.equal(job?.last_status, "complete", JSON.stringify(job));
    assert.equal((await jobs("remove", job_id)).code, 0);
  });

  it("netwatch prints a router entry whose scripts post to /watch/events with a new token", async () => {
    const printed = await jobs("netwatch", "--host", "192.0.2.1");
    assert.equal(printed.code, 0, printed.stderr);
    const line = printed.stdout.split("\n").find((l) => l.startsWith("/tool netwatch add "))!;
    assert.match(line, /^\/tool netwatch add host=192\.0\.2\.1 interval=30s .*down-script="/);
    const down = unquote(/down-script=("(?:[^"\\]|\\.)*")/.exec(line)![1]!);
    const url = unquote(/url=("(?:[^"\\]|\\.)*")/.exec(down)![1]!);
    const headers = unquote(/http-header-field=("(?:[^"\\]|\\.)*")/.exec(down)![1]!);
    const data = unquote(/http-data=("(?:[^"\\]|\\.)*")/.exec(down)![1]!);
    assert.equal(url, `${server.url}/watch/events`);
    assert.deepEqual(JSON.parse(data), {
      source: "netwatch",
      subject: "192.0.2.1",
      status: "down",
    });
    const routerToken = /^Authorization: Bearer ([\w-]+),/.exec(headers)![1]!;
    assert.notEqual(routerToken, token, "the router gets a token of its own");
    // What the router's /tool fetch would send:
    const res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${routerToken}`, "content-type": "application/json" },
      body: data,
    });
    assert.equal(res.status, 202);
  });

  it("bad input: usage errors exit 2, gateway refusals exit 1 naming the field", {
    timeout: 60_000,
  }, async () => {
    const noSchedule = await jobs("add", "--prompt", "x");
    assert.equal(noSchedule.code, 2);
    assert.match(noSchedule.stderr, /--schedule/);
    const both = await jobs(
      "add",
      "--schedule",
      "every 1h",
      "--prompt",
      "x",
      "--recipe",
      "analyze",
    );
    assert.equal(both.code, 2);
    const noId = await jobs("run");
    assert.equal(noId.code, 2);
    const badZone = await jobs(
      "add",
      "--schedule",
      "0 8 * * *",
      "--prompt",
      "x",
      "--tz",
      "Nowhere/City",
    );
    assert.equal(badZone.code, 1);
    assert.match(badZone.stderr, /tz: "Nowhere\/City" is not an IANA time zone/);
    const unknown = await jobs("remove", "0123456789abcdef");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Cannot find job/);
    const noToken = await runCli(["jobs", "list", "--url", server.url], { cwd });
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /MIKROCLAW_TOKEN/);
  });
});

/** Reads a RouterOS string literal (`\"`, `\\`, `\$`, `\?` and `\HH` escapes). */
function unquote(literal: string): string {
  const bytes: number[] = [];
  const body = literal.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") bytes.push(c.charCodeAt(0));
    else if (/^[0-9A-F]{2}$/.test(body.slice(i + 1, i + 3))) {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(body.charCodeAt(++i));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
