import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createHistory, messageChars } from "../../lib/agent/_history.ts";
import type { Message } from "../../lib/providers/types.ts";

/** An exchange as the agent stores it: user, (assistant with calls, tool results)*, answer. */
const exchange = fc.tuple(
  fc.string({ maxLength: 200 }),
  fc.array(
    fc.tuple(
      fc.string({ maxLength: 100 }),
      fc.array(fc.string({ maxLength: 400 }), { minLength: 1, maxLength: 3 }),
    ),
    { maxLength: 3 },
  ),
  fc.string({ maxLength: 300 }),
).map(([user, steps, answer]) => {
  const messages: Message[] = [{ role: "user", content: user }];
  steps.forEach(([text, results], s) => {
    const ids = results.map((_, i) => `c${s}_${i}`);
    messages.push({
      role: "assistant",
      content: text,
      toolCalls: ids.map((id) => ({ id, name: "t", arguments: { q: text.slice(0, 10) } })),
    });
    results.forEach((content, i) =>
      messages.push({ role: "tool", toolCallId: ids[i]!, name: "t", content })
    );
  });
  messages.push({ role: "assistant", content: answer });
  return messages;
});

describe("createHistory()", () => {
  it("keeps at most maxTurns exchanges and maxChars characters, never orphaning a tool result (property)", () => {
    fc.assert(
      fc.property(
        fc.array(exchange, { maxLength: 12 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 3000 }),
        (exchanges, maxTurns, maxChars) => {
          const history = createHistory({ maxTurns, maxChars });
          for (const e of exchanges) history.add("s", e);
          const kept = history.get("s");
          const chars = kept.reduce((sum, m) => sum + messageChars(m), 0);
          assert.ok(chars <= maxChars, `${chars} > ${maxChars}`);
          assert.ok(kept.filter((m) => m.role === "user").length <= maxTurns);
          // Starts at an exchange boundary; every tool result has its call just before.
          if (kept.length > 0) assert.equal(kept[0]!.role, "user");
          const asked = new Set<string>();
          for (const m of kept) {
            if (m.role === "user") asked.clear();
            if (m.role === "assistant") { for (const c of m.toolCalls ?? []) asked.add(c.id); }
            if (m.role === "tool") assert.ok(asked.has(m.toolCallId));
          }
          // Every kept exchange ends with an answer (assistant without tool calls).
          kept.forEach((m, i) => {
            if (m.role === "user" && i > 0) {
              const prev = kept[i - 1]!;
              assert.ok(prev.role === "assistant" && !prev.toolCalls?.length);
            }
          });
          // The newest exchange is kept whenever there is any room at all.
          if (maxTurns > 0 && exchanges.length > 0) {
            assert.ok(kept.some((m) => m.role === "user"));
            const answer = exchanges.at(-1)!.at(-1)!.content;
            if (messageChars(exchanges.at(-1)![0]!) + answer.length <= maxChars / 2) {
              assert.equal(kept.at(-1)?.content, answer);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("forgets the least recently used session beyond maxSessions", () => {
    const history = createHistory({ maxSessions: 2 });
    const one: Message[] = [{ role: "user", content: "q" }, { role: "assistant", content: "a" }];
    history.add("a", one);
    history.add("b", one);
    history.get("a");
    history.add("c", one);
    assert.equal(history.size, 2);
    assert.equal(history.get("b").length, 0);
    assert.equal(history.get("a").length, 2);
  });

  it("returns copies that callers cannot use to change the history", () => {
    const history = createHistory();
    history.add("s", [{ role: "user", content: "q" }, { role: "assistant", content: "a" }]);
    const copy = history.get("s");
    copy[0]!.content = "changed";
    copy.pop();
    assert.deepEqual(history.get("s").map((m) => m.content), ["q", "a"]);
  });

  it("keeps what was added even when the caller changes it afterwards, tool call arguments too", () => {
    const history = createHistory();
    const args = { address: "192.0.2.1", ports: [22, 80], where: { list: "lan" } };
    const providerData = { sig: { a: 1 } };
    const exchange: Message[] = [
      { role: "user", content: "q" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "c1", name: "scan", arguments: args, providerData }],
      },
    ];
    history.add("s", exchange);
    args.ports.push(443);
    args.where.list = "wan";
    providerData.sig.a = 2;
    exchange[0] = { role: "user", content: "changed" };
    const [user, assistant] = history.get("s");
    assert.equal(user!.content, "q");
    assert.deepEqual((assistant as { toolCalls: unknown[] }).toolCalls, [{
      id: "c1",
      name: "scan",
      arguments: { address: "192.0.2.1", ports: [22, 80], where: { list: "lan" } },
      providerData: { sig: { a: 1 } },
    }]);
  });

  it("rejects bad bounds", () => {
    assert.throws(() => createHistory({ maxTurns: -1 }), RangeError);
    assert.throws(() => createHistory({ maxChars: 0 }), RangeError);
    assert.throws(() => createHistory({ maxSessions: 1.5 }), RangeError);
  });
});
