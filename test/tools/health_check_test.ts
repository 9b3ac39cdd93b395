import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { healthCheckTool } from "../../lib/tools/health_check.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";
import { VERSION } from "../../lib/version.ts";
import type { ToolContext } from "../../lib/tools/types.ts";

function context(): ToolContext {
  return {
    signal: new AbortController().signal,
    requestedBy: "test",
    sessionKey: "test",
    logger: silentLogger,
  };
}

describe("healthCheckTool()", () => {
  it("offers exactly the seed's name, description and JSON schema", () => {
    const tool = healthCheckTool();
    assert.equal(tool.name, "health_check");
    assert.equal(tool.description, "Return process health");
    assert.deepEqual(tool.parameters, { type: "object", properties: {} });
  });

  it("reports the component state from the health source plus process facts", async () => {
    let probes = 0;
    const tool = healthCheckTool({
      healthSource: async () => {
        probes++;
        return {
          status: "degraded",
          components: { llm: true, gateway: true, routeros: false, memu: true },
        };
      },
    });
    const result = await tool.call({}, context());
    assert.equal(result.isError, false);
    const report = JSON.parse(result.content);
    assert.equal(probes, 1);
    assert.equal(report.status, "degraded");
    assert.deepEqual(report.components, {
      llm: true,
      gateway: true,
      routeros: false,
      memu: true,
    });
    assert.equal(report.version, VERSION);
    assert.equal(typeof report.uptimeSeconds, "number");
    assert.match(report.runtime, /^(node|deno|bun) /);
    assert.equal(typeof report.memoryMB.rss, "number");
  });

  it("says so when the health source fails, and still reports the process", async () => {
    const tool = healthCheckTool({
      healthSource: async () => {
        throw new Error("router unreachable");
      },
    });
    const result = await tool.call({}, context());
    const report = JSON.parse(result.content);
    assert.equal(report.status, "unknown");
    assert.match(report.error, /router unreachable/);
    assert.equal(report.version, VERSION);
  });

  it("says components are not probed when no health source is given", async () => {
    const report = JSON.parse((await healthCheckTool().call({}, context())).content);
    assert.equal(report.status, "unknown");
    assert.match(report.components, /not probed/);
  });

  it("times out a hanging health source as an error result", async () => {
    const tool = healthCheckTool({
      timeoutMs: 30,
      healthSource: () => new Promise(() => {}),
    });
    const result = await tool.call({}, context());
    assert.equal(result.isError, true);
    assert.match(result.content, /timed out/);
  });
});
