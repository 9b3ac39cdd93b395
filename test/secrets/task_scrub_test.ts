/**
 * Hole 6 of issue #17, router side: a hostile router REST API that repeats the request's
 * credentials in its error bodies; the gateway's router tasks (`investigate`, `analyze`) hand
 * their result or error to the client, so they are scrubbed of every configured secret.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createRouterOS } from "../../lib/routeros/create_routeros.ts";
import { createAgent } from "../../lib/agent/create_agent.ts";
import { createMockProvider } from "../../lib/providers/mock.ts";
import { taskHandlers } from "../../lib/runtime/tasks.ts";
import { secretForms } from "../../lib/secrets/scrub.ts";
import { silentLogger } from "../../lib/_internal/logger.ts";
import type { TaskInfo } from "../../lib/gateway/types.ts";
import { type LocalServer, serveLocal } from "../_utils/serve.ts";

const PASSWORD = "router-pa55-Kq81zT";

describe("router tasks against a router that echoes its credentials", () => {
  let hostile: LocalServer;
  let seen = "";
  before(async () => {
    hostile = await serveLocal((request) => {
      const auth = request.headers.get("authorization") ?? "";
      seen = auth;
      const decoded = atob(auth.replace(/^Basic /, ""));
      return Response.json(
        { error: 400, message: "bad", detail: `you sent ${auth} = ${decoded}` },
        {
          status: 400,
        },
      );
    });
  });
  after(() => hostile.close());

  it("investigate answers without the password in any form, and the model never sees it", async () => {
    const router = createRouterOS({
      url: `${hostile.url}/rest`,
      user: "admin",
      password: PASSWORD,
    });
    const provider = createMockProvider(["summary"]);
    const agent = createAgent({ provider });
    const handlers = taskHandlers({
      agent,
      router,
      tools: async () => [],
      logger: silentLogger,
      secrets: [PASSWORD],
    });
    const task = { task_id: "t1", type: "investigate", input: "8.8.8.8", requested_by: "x" };
    let shown = "";
    try {
      const result = await handlers.investigate!(task as unknown as TaskInfo, {
        signal: new AbortController().signal,
      });
      shown = typeof result === "string" ? result : JSON.stringify(result);
    } catch (error) {
      shown = `${(error as Error).message}\n${(error as Error).stack}`;
    }
    assert.ok(seen.startsWith("Basic "), "the router was asked with the credentials");
    assert.ok(shown.length > 0);
    const prompts = JSON.stringify(provider.requests);
    assert.match(prompts, /you sent/, "the router's error reached the model's prompt");
    for (const form of secretForms([PASSWORD])) {
      assert.ok(!shown.includes(form), `${form} leaked to the client: ${shown.slice(0, 400)}`);
      assert.ok(!prompts.includes(form), `${form} leaked to the model: ${prompts.slice(0, 400)}`);
    }
  });
});
