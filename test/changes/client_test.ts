import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { createChangeRoutes, createChangesClient } from "../../lib/changes/mod.ts";
import { runChangesCommand } from "../../cli/_gateway_commands.ts";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";
import { changeIdOf, type World, world } from "./_helpers.ts";

describe("changes: CLI client", () => {
  let w: World;
  let server: LocalServer;
  before(async () => {
    w = await world({ approval: "writes" });
    const app = new Hono<{ Variables: { tokenId: string | undefined } }>();
    app.use("*", async (c, next) => {
      const auth = c.req.header("authorization") ?? "";
      const token = /^Bearer (tok[AB])$/.exec(auth)?.[1];
      if (!token) {
        return c.json(
          { error: { code: "E_UNAUTHORIZED", message: "Missing or bad bearer token" } },
          401,
        );
      }
      c.set("tokenId", token);
      await next();
    });
    app.route("/changes", createChangeRoutes(w.manager));
    server = await serveLocal(app.fetch);
  });
  after(async () => {
    await server?.close();
    await w?.close();
  });

  const run = async (args: Partial<Parameters<typeof runChangesCommand>[0]>) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runChangesCommand({
      action: "list",
      url: server.url,
      token: "tokB",
      write: (t) => out.push(t),
      writeError: (t) => err.push(t),
      ...args,
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("lists, shows, refuses self-approval, approves, reverts", async () => {
    const id = changeIdOf(
      await w.executor.execute(
        "/ip firewall address-list add list=blocked address=203.0.113.7",
        { requestedBy: "gateway:tokA" },
      ),
    );
    const listed = await run({ action: "list" });
    assert.equal(listed.code, 0);
    assert.match(listed.out, new RegExp(`${id}\\s+pending`));
    const shown = await run({ action: "show", id, json: true });
    assert.equal(JSON.parse(shown.out).state, "pending");
    const self = await run({ action: "approve", id, token: "tokA" });
    assert.equal(self.code, 1);
    assert.match(self.err, /token that requested it cannot approve/);
    const ok = await run({ action: "approve", id });
    assert.equal(ok.code, 0);
    assert.match(ok.out, /applied/);
    const reverted = await run({ action: "revert", id, force: true });
    assert.equal(reverted.code, 0, reverted.err);
    assert.match(reverted.out, /reverted/);
  });

  it("fails clearly: unknown id, no token, unreachable, bad id", async () => {
    const unknown = await run({ action: "show", id: "zzzzzzzzzz" });
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /Cannot find change/);
    const noToken = await run({ action: "list", token: undefined });
    assert.equal(noToken.code, 1);
    assert.match(noToken.err, /MIKROCLAW_TOKEN/);
    const down = await run({ action: "list", url: "http://127.0.0.1:9" });
    assert.equal(down.code, 1);
    assert.match(down.err, /Cannot reach the gateway/);
    const bad = await run({ action: "approve", id: "../../pair" });
    assert.equal(bad.code, 1);
    assert.throws(() => createChangesClient({ url: "file:///etc" }), TypeError);
  });
});
