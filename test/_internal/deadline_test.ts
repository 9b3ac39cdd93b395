import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as v from "valibot";
import { withDeadline } from "../../lib/_internal/deadline.ts";
import { defineTool } from "../../lib/tools/define_tool.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";

const reasons = {
  timeoutReason: () => new Error("timed out after 30 ms"),
  timedOut: () => new Error("deadline passed"),
  cancelled: () => new Error("cancelled by caller"),
};

/** Work that never settles and ignores its signal; reports the signal it got. */
function deaf(seen: AbortSignal[]): (signal: AbortSignal) => Promise<never> {
  return (signal) => {
    seen.push(signal);
    return new Promise<never>(() => {});
  };
}

describe("withDeadline()", () => {
  it("resolves with the work's own result and then aborts the work's signal", async () => {
    const seen: AbortSignal[] = [];
    const value = await withDeadline((signal) => {
      seen.push(signal);
      return 42;
    }, { signal: new AbortController().signal, timeoutMs: 1000, ...reasons });
    assert.equal(value, 42);
    assert.equal(seen[0]!.aborted, true);
  });

  it("ends work that ignores its signal at the deadline, with the timeout error", async () => {
    const seen: AbortSignal[] = [];
    const started = Date.now();
    await assert.rejects(
      withDeadline(deaf(seen), { signal: new AbortController().signal, timeoutMs: 30, ...reasons }),
      /deadline passed/,
    );
    assert.ok(Date.now() - started >= 25);
    assert.match(String(seen[0]!.reason), /timed out after 30 ms/);
  });

  it("lets the caller's abort win over the deadline", async () => {
    const caller = new AbortController();
    const seen: AbortSignal[] = [];
    const run = withDeadline(deaf(seen), { signal: caller.signal, timeoutMs: 60_000, ...reasons });
    caller.abort(new Error("stop"));
    await assert.rejects(run, /cancelled by caller/);
    assert.equal(seen[0]!.aborted, true);
  });

  it("rejects at once with the cancel error when the caller already aborted", async () => {
    const caller = new AbortController();
    caller.abort();
    await assert.rejects(
      withDeadline(() => "late", { signal: caller.signal, timeoutMs: 60_000, ...reasons }),
      /cancelled by caller/,
    );
  });

  it("turns a synchronous throw of the work into a rejection", async () => {
    await assert.rejects(
      withDeadline(() => {
        throw new Error("boom");
      }, { signal: new AbortController().signal, timeoutMs: 1000, ...reasons }),
      /boom/,
    );
  });
});

describe("defineTool() call under its deadline", () => {
  /** A tool whose `run` never settles and ignores its signal. */
  const deafTool = (timeoutMs: number) =>
    defineTool({
      name: "deaf",
      description: "never answers",
      input: v.object({}),
      timeoutMs,
      run: () => new Promise<never>(() => {}),
    });

  const context = (signal: AbortSignal) => ({
    signal,
    sessionKey: "s",
    requestedBy: "s",
    logger: silentLogger,
  });

  it("a tool that ignores its signal answers with the timeout error at its timeout", async () => {
    const tool = deafTool(30);
    const result = await tool.call({}, context(new AbortController().signal));
    assert.equal(result.isError, true);
    assert.match(result.content, /Tool \\"deaf\\" timed out after 30 ms/);
  });

  it("the caller's abort wins: the call answers cancelled", async () => {
    const caller = new AbortController();
    const tool = deafTool(60_000);
    const pending = tool.call({}, context(caller.signal));
    caller.abort();
    const result = await pending;
    assert.equal(result.isError, true);
    assert.match(result.content, /Tool call cancelled/);
  });
});
