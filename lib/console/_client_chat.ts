/**
 * The Chat view: a message goes to `POST /chat` and the answer streams back as server-sent events
 * (text, tool calls and their results, a change that awaits approval). Served as the text of
 * {@linkcode consoleChat} in the console's one script, so the function must use nothing from
 * outside its own body and its `kit`.
 * @module
 */
import type { ConsoleKit } from "./_client_kit.ts";

/** Sets up the view in the page; `stop()` ends a streaming answer (on sign-out). */
export function consoleChat(kit: ConsoleKit): { stop(): void } {
  const { $, h, fill, text, sse, token, signOut, refreshBadge } = kit;
  const SESSION_KEY = "mikroclaw.session";
  const tab = globalThis.sessionStorage;
  let chatAbort: AbortController | null = null;
  let session = tab.getItem(SESSION_KEY);
  if (!session) {
    session = crypto.randomUUID();
    tab.setItem(SESSION_KEY, session);
  }

  const chatInput = $<HTMLTextAreaElement>("chat-input");
  const chatStatus = $("chat-status");

  chatInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $<HTMLFormElement>("chat-form").requestSubmit();
    }
  });
  $("chat-stop").addEventListener("click", () => chatAbort?.abort());
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = chatInput.value.trim();
    if (input && !chatAbort) void sendChat(input);
  });

  function pendingChange(content: string): string | null {
    try {
      const parsed = JSON.parse(content);
      return parsed?.status === "pending_approval" &&
          typeof parsed.change_id === "string"
        ? parsed.change_id
        : null;
    } catch {
      return null;
    }
  }

  async function sendChat(input: string): Promise<void> {
    const log = $("chat-log");
    log.append(
      h("li", { class: "msg user" }, h("span", { class: "who" }, "You"), input),
    );
    chatInput.value = "";
    const body = h("div", { class: "body" });
    const item = h(
      "li",
      { class: "msg agent", "aria-busy": "true" },
      h("span", { class: "who" }, "MikroClaw"),
      body,
    );
    log.append(item);
    item.scrollIntoView({ block: "nearest" });
    let segment: HTMLElement | null = null;
    const tools = new Map<string, HTMLElement>();
    chatAbort = new AbortController();
    $<HTMLButtonElement>("chat-send").disabled = true;
    $("chat-stop").hidden = false;
    fill(chatStatus, "Sending…");
    try {
      const res = await fetch("/chat", {
        method: "POST",
        headers: {
          authorization: token() ? `Bearer ${token()}` : "",
          "content-type": "application/json",
          accept: "text/event-stream",
        },
        body: JSON.stringify({ input, session }),
        cache: "no-store",
        credentials: "omit",
        redirect: "error",
        signal: chatAbort.signal,
      });
      if (!res.ok || !res.body) {
        const data = await res.json().catch(() => null);
        if (res.status === 401) {
          signOut("Your token expired or was revoked: pair again.");
        }
        throw new Error(
          String(data?.error?.message ?? `The gateway answered ${res.status}`),
        );
      }
      for await (const [event, data] of sse(res.body)) {
        if (event === "turn-start") fill(chatStatus, "Thinking…");
        else if (event === "text-delta") {
          segment ??= body.appendChild(h("p", { class: "text" }));
          segment.append(String(data?.text ?? ""));
          fill(chatStatus, "Writing…");
        } else if (event === "tool-start") {
          segment = null;
          const call = data?.toolCall ?? {};
          const box = h(
            "details",
            { class: "tool" },
            h("summary", null, `Tool ${String(call.name)}: running…`),
            h("pre", null, text(call.arguments)),
          );
          tools.set(String(call.id), box);
          body.append(box);
          fill(chatStatus, `Running tool ${String(call.name)}…`);
        } else if (event === "tool-end") {
          const call = data?.toolCall ?? {};
          const result = data?.result ?? {};
          const box = tools.get(String(call.id)) ??
            body.appendChild(h("details", { class: "tool" }));
          const failed = result.isError === true;
          box.classList.toggle("failed", failed);
          const summary = box.querySelector("summary") ??
            box.appendChild(h("summary", null));
          summary.textContent = `Tool ${String(call.name)}: ${failed ? "failed" : "done"}`;
          box.append(h("pre", { class: "result" }, text(result.content)));
          const changeId = pendingChange(String(result.content ?? ""));
          if (changeId) {
            body.append(
              h(
                "p",
                { class: "notice" },
                `Change ${changeId} awaits a person's approval. `,
                h(
                  "a",
                  { href: `#/changes/${encodeURIComponent(changeId)}` },
                  "Review it",
                ),
                " — another paired device must approve it.",
              ),
            );
            void refreshBadge();
          }
          fill(chatStatus, "Thinking…");
        } else if (event === "fallback") {
          fill(
            chatStatus,
            `Model ${String(data?.from)} failed; trying ${String(data?.to)}…`,
          );
        } else if (event === "step-limit") {
          fill(chatStatus, `Stopped after ${String(data?.maxSteps)} steps.`);
        } else if (event === "error") {
          body.append(
            h(
              "p",
              { class: "error" },
              `Error: ${String(data?.message ?? "unknown")}`,
            ),
          );
        } else if (event === "turn-end" && !body.querySelector(".text")) {
          body.append(h("p", { class: "text" }, String(data?.text ?? "")));
        }
      }
      fill(chatStatus, "");
    } catch (error) {
      const aborted = chatAbort?.signal.aborted;
      body.append(
        h(
          "p",
          { class: "error" },
          aborted ? "Stopped." : `Error: ${(error as Error).message}`,
        ),
      );
      fill(chatStatus, "");
    } finally {
      item.setAttribute("aria-busy", "false");
      chatAbort = null;
      $<HTMLButtonElement>("chat-send").disabled = false;
      $("chat-stop").hidden = true;
      void refreshBadge();
    }
  }

  return { stop: () => chatAbort?.abort() };
}
