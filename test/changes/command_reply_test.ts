/**
 * Command replies reach the model through the change manager (issue #23): a script's output,
 * the id an `add` created and a command's rows are in the tool result and kept in the change
 * record; a script that fails (HTTP 200, error text in `ret`) is a failure with the router's text.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { routerosExecuteTool } from "../../lib/tools/routeros_execute.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";
import { changeIdOf, type World, world } from "./_helpers.ts";

const context = () => ({
  signal: new AbortController().signal,
  requestedBy: "telegram:4242",
  sessionKey: "telegram:4242",
  logger: silentLogger,
});

describe("command replies through the change manager", () => {
  let w: World;
  before(async () => {
    w = await world({ allowExecute: true });
    w.fake.state.singletons.set("/system/identity", { name: "edge-7" });
  });
  after(() => w.close());

  it("a script's output is the result's output and stays in the change record", async () => {
    const result = await w.executor.execute(":put [/system identity get name]", {
      requestedBy: "telegram:4242",
    }) as Record<string, unknown>;
    assert.equal(result.ok, true);
    assert.equal(result.output, "edge-7");
    const record = await w.manager.get(changeIdOf(result));
    assert.equal(record?.state, "applied");
    assert.deepEqual(record?.replies, [{ ret: "edge-7\r\n" }]);
  });

  it("the id an add created is in the result and the record", async () => {
    const result = await w.executor.execute(
      "/ip firewall address-list add list=blocked address=192.0.2.77",
      { requestedBy: "telegram:4242" },
    ) as { applied: string[]; change_id: string };
    const created = w.fake.items("/ip/firewall/address-list").find((r) =>
      r.address === "192.0.2.77"
    )!;
    assert.deepEqual(result.applied, [`PUT /ip/firewall/address-list -> ${created[".id"]}`]);
    const record = await w.manager.get(result.change_id);
    assert.equal((record?.replies?.[0] as Record<string, string>)[".id"], created[".id"]);
  });

  it("a failing script is a failure with the router's text, recorded as failed", async () => {
    const tool = routerosExecuteTool(w.executor);
    const result = await tool.call({ command: ":frobnicate now" }, context());
    assert.equal(result.isError, true);
    assert.match(result.content, /bad command name frobnicate \(line 1 column 2\)/);
    const failed = (await w.manager.list()).find((r) => r.command === ":frobnicate now");
    const record = await w.manager.get(failed!.change_id);
    assert.equal(record?.state, "failed");
    assert.match(record!.error!, /bad command name frobnicate/);
  });

  it("output before the error still fails the call, with the error line", async () => {
    const tool = routerosExecuteTool(w.executor);
    const result = await tool.call({
      command: ':put "step 1"; :put [/system identity get nosuch]',
    }, context());
    assert.equal(result.isError, true);
    assert.match(result.content, /input does not match any value of value-name/);
  });
});
