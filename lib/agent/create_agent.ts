/**
 * `createAgent`: the agent loop. A turn is: ask the model -> run the tool calls it asked for
 * (in parallel) -> feed the results back -> repeat until a final answer or `maxSteps`.
 * @module
 */
import { silentLogger } from "../_internal/logger.ts";
import type { Logger } from "../_internal/logger.ts";
import { AgentError, ErrorCode, errorMessage, isAgentError, ProviderError } from "../errors.ts";
import type { Memory } from "../memory/types.ts";
import type {
  ChatRequest,
  Message,
  Provider,
  ToolCall,
  ToolDefinition,
  Usage,
} from "../providers/types.ts";
import { capText } from "../tools/_tool.ts";
import { scrubError, scrubSecrets } from "../secrets/scrub.ts";
import type { Tool, ToolResult } from "../tools/types.ts";
import { createHistory } from "./_history.ts";
import type { HistoryOptions } from "./_history.ts";
import { recallBlock } from "./_recall.ts";
import type { AutoRecallOptions } from "./_recall.ts";
import { createKeyedLocks } from "../_internal/keyed_locks.ts";
import { defaultSystemPrompt } from "./system_prompt.ts";
import type { Agent, AgentEvent, TurnInput, TurnResult } from "./types.ts";
import { wrapToolOutput } from "./untrusted.ts";

export type { AutoRecallOptions, HistoryOptions };

/** What a {@linkcode BeforeToolCall} gate sees. */
export interface BeforeToolCallContext {
  toolCall: ToolCall;
  tool: Tool;
  sessionKey: string;
  requestedBy: string;
}

/** A gate's verdict; `{ block: true }` turns the call into an error result with `reason`. */
export interface BeforeToolCallResult {
  block?: boolean;
  reason?: string;
}

/**
 * A security gate run before every tool call. Contract: should not throw; if it does, the
 * call is blocked (deny by default).
 */
export type BeforeToolCall = (
  context: BeforeToolCallContext,
  signal: AbortSignal,
) => Promise<BeforeToolCallResult | undefined>;

// One shared reason: building an error (and its stack) for every finished tool call is costly.
const TOOL_CALL_FINISHED = new Error("tool call finished");

/** Options of {@linkcode createAgent}. */
export interface CreateAgentOptions {
  /** The model (or fallback chain) to talk to. */
  provider: Provider;
  /** Tools offered to the model. Names must be unique. @default {[]} */
  tools?: readonly Tool[];
  /** Long-term memory, used for auto-recall. */
  memory?: Memory;
  /** Put the memories most relevant to each input into the system context (needs `memory`). */
  autoRecall?: boolean | AutoRecallOptions;
  /** Replaces the default system prompt ({@linkcode defaultSystemPrompt}). */
  systemPrompt?: string;
  /** Most model calls in one turn. @default {8} */
  maxSteps?: number;
  /** Bounds of the per-session history. */
  history?: HistoryOptions;
  /**
   * Values scrubbed from every tool result and every error the turn ends with (API keys,
   * tokens, passwords). Read at use time: values added to the array later are scrubbed too.
   */
  secrets?: readonly string[];
  /** @default {silentLogger} */
  logger?: Logger;
  /** Security gate run before each tool call (policy, approvals). */
  beforeToolCall?: BeforeToolCall;
  /** Most tool calls of one step running at the same time; the rest wait. @default {8} */
  maxToolConcurrency?: number;
  /** Model override passed with every request. */
  model?: string;
  temperature?: number;
  maxTokens?: number;
}

/** Extra time an agent gives a tool past its own `timeoutMs` before giving up on it. */
const TOOL_GRACE_MS = 250;

/**
 * Creates an agent: sessions with bounded history and a per-session lock, parallel tool
 * calls, untrusted-output marking and secret scrubbing, cancellation end to end.
 *
 * @example
 * ```ts
 * const agent = createAgent({ provider, tools: [parseUrlTool()], secrets: [apiKey] });
 * const { text } = await agent.run({ input: "hi", sessionKey: "telegram:4242" });
 * for await (const event of agent.stream({ input: "hi", sessionKey: "s" })) console.log(event);
 * ```
 */
export function createAgent(options: CreateAgentOptions): Agent {
  const { provider } = options;
  if (!provider || typeof provider.chat !== "function") {
    throw new TypeError('Cannot create agent: "provider" must be a Provider');
  }
  const maxSteps = options.maxSteps ?? 8;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new RangeError(
      `Cannot create agent: "maxSteps" must be an integer >= 1, got ${maxSteps}`,
    );
  }
  const maxToolConcurrency = options.maxToolConcurrency ?? 8;
  if (!Number.isInteger(maxToolConcurrency) || maxToolConcurrency < 1) {
    throw new RangeError(
      `Cannot create agent: "maxToolConcurrency" must be an integer >= 1, got ${maxToolConcurrency}`,
    );
  }
  const tools = new Map<string, Tool>();
  for (const tool of options.tools ?? []) {
    if (tools.has(tool.name)) {
      throw new TypeError(`Cannot create agent: tool "${tool.name}" is given twice`);
    }
    tools.set(tool.name, tool);
  }
  const toolDefinitions: ToolDefinition[] = [...tools.values()].map((t) => ({
    name: t.name,
    description: t.description,
    parameters: t.parameters,
  }));
  // Not copied: a runtime's secret registry adds values (MCP servers) after the agent exists.
  const secrets: readonly string[] = options.secrets ?? [];
  const logger = options.logger ?? silentLogger;
  const systemPrompt = options.systemPrompt ?? defaultSystemPrompt([...tools.values()]);
  const recall = options.memory && options.autoRecall
    ? { memory: options.memory, ...(options.autoRecall === true ? {} : options.autoRecall) }
    : undefined;
  const history = createHistory(options.history);
  const locks = createKeyedLocks();

  async function runTurn(
    input: TurnInput,
    emit: (event: AgentEvent) => void,
    signal: AbortSignal,
  ): Promise<TurnResult> {
    if (typeof input?.input !== "string") {
      throw new TypeError('Cannot run turn: "input" must be a string');
    }
    if (typeof input.sessionKey !== "string" || input.sessionKey === "") {
      throw new TypeError('Cannot run turn: "sessionKey" must be a non-empty string');
    }
    const { sessionKey } = input;
    const requestedBy = input.requestedBy ?? sessionKey;
    let release: (() => void) | undefined;
    try {
      release = await locks.acquire(sessionKey, signal);
      signal.throwIfAborted();
      emit({ type: "turn-start", sessionKey });

      let system = systemPrompt;
      if (recall) {
        const block = await recallBlock(recall.memory, input.input, {
          ...recall,
          signal,
          secrets,
          logger,
        });
        if (block) system += `\n\n${block}`;
      }
      const base: Message[] = [
        { role: "system", content: system },
        ...history.get(sessionKey),
        ...(input.history ?? []),
      ];
      const turn: Message[] = [{ role: "user", content: input.input }];
      let usage: Usage | undefined;
      let toolCallCount = 0;
      let finalText: string | undefined;
      let steps = 0;

      while (steps < maxSteps) {
        steps++;
        const reply = await callModel([...base, ...turn], emit, signal);
        usage = addUsage(usage, reply.usage);
        if (reply.toolCalls.length === 0) {
          finalText = reply.text;
          turn.push({ role: "assistant", content: reply.text });
          break;
        }
        // Results are matched by id: give missing or repeated ids a unique one.
        const seen = new Set<string>();
        const calls = reply.toolCalls.map((call, i) => {
          const id = call.id && !seen.has(call.id) ? call.id : `call_${steps}_${i}`;
          seen.add(id);
          return { ...call, id };
        });
        turn.push({ role: "assistant", content: reply.text, toolCalls: calls.map(plainCall) });
        toolCallCount += calls.length;
        const results = await mapLimit(
          calls,
          maxToolConcurrency,
          (call) => runTool(call, { sessionKey, requestedBy, signal, emit }),
        );
        signal.throwIfAborted();
        turn.push(...results);
      }

      let stopReason: TurnResult["stopReason"] = "stop";
      if (finalText === undefined) {
        stopReason = "step-limit";
        emit({ type: "step-limit", maxSteps });
        finalText = `I stopped after ${maxSteps} steps without finishing (my step limit for one ` +
          "message). Tell me to continue, or ask for something smaller.";
        emit({ type: "text-delta", text: finalText });
        turn.push({ role: "assistant", content: finalText });
      }
      history.add(sessionKey, turn);
      const result: TurnResult = { text: finalText, steps, stopReason, toolCalls: toolCallCount };
      if (usage) result.usage = usage;
      const end: AgentEvent = { type: "turn-end", text: finalText, steps };
      if (usage) end.usage = usage;
      emit(end);
      return result;
    } catch (caught) {
      // Upstream text may echo a key: the error is scrubbed before any client, channel or log.
      const error = scrubError(
        signal.aborted ? abortError(signal) : toAgentError(caught, provider.id),
        secrets,
      );
      emit({ type: "error", message: error.message, code: error.code });
      throw error;
    } finally {
      release?.();
    }
  }

  async function callModel(
    messages: Message[],
    emit: (event: AgentEvent) => void,
    signal: AbortSignal,
  ): Promise<{ text: string; toolCalls: ToolCall[]; usage?: Usage }> {
    const request: ChatRequest = { messages };
    if (toolDefinitions.length > 0) request.tools = toolDefinitions;
    if (options.model !== undefined) request.model = options.model;
    if (options.temperature !== undefined) request.temperature = options.temperature;
    if (options.maxTokens !== undefined) request.maxTokens = options.maxTokens;
    const iterator = provider.chat(request, { signal })[Symbol.asyncIterator]();
    let text = "";
    const toolCalls: ToolCall[] = [];
    let usage: Usage | undefined;
    let finished = false;
    try {
      for (;;) {
        const next = await raceAbort(iterator.next(), signal);
        if (next.done) break;
        const part = next.value;
        switch (part.type) {
          case "text-delta":
            text += part.text;
            emit({ type: "text-delta", text: part.text });
            break;
          case "tool-call":
            toolCalls.push(part.toolCall);
            break;
          case "finish":
            if (part.usage) usage = part.usage;
            break;
          case "fallback":
            emit({ type: "fallback", from: part.from, to: part.to, reason: part.reason });
            break;
          case "error":
            throw part.error;
            // tool-call-delta: the provider also yields the assembled tool-call part.
        }
      }
      finished = true;
    } finally {
      // Stop a provider we leave early (abort, error part); never wait on a hung one.
      if (!finished) void Promise.resolve(iterator.return?.()).catch(() => {});
    }
    return usage ? { text, toolCalls, usage } : { text, toolCalls };
  }

  async function runTool(
    call: ToolCall,
    turn: {
      sessionKey: string;
      requestedBy: string;
      signal: AbortSignal;
      emit: (event: AgentEvent) => void;
    },
  ): Promise<Message> {
    const { emit, signal } = turn;
    turn.emit({ type: "tool-start", toolCall: plainCall(call) });
    const started = Date.now();
    const tool = tools.get(call.name);
    const { argumentsError } = call;
    let result: ToolResult;
    if (!tool) {
      const available = [...tools.keys()].join(", ") || "none";
      result = errorResult(`Unknown tool "${call.name}". Available tools: ${available}`);
    } else if (typeof argumentsError === "string" && argumentsError) {
      result = errorResult(`Invalid arguments for "${call.name}": ${argumentsError}`);
    } else {
      const verdict = await gate(tool, call, turn);
      result = verdict ?? await callTool(tool, call, turn);
      result = { content: capText(result.content, tool.maxOutputChars), isError: result.isError };
    }
    const scrubbed = { content: scrubSecrets(result.content, secrets), isError: result.isError };
    const durationMs = Date.now() - started;
    logger.debug(
      `tool ${call.name} ${scrubbed.isError ? "failed" : "finished"} in ${durationMs} ms`,
    );
    if (!signal.aborted) {
      emit({ type: "tool-end", toolCall: plainCall(call), result: scrubbed, durationMs });
    }
    const message: Message = {
      role: "tool",
      toolCallId: call.id,
      name: call.name,
      content: wrapToolOutput(call.name, result.content, { isError: result.isError, secrets }),
    };
    if (result.isError) message.isError = true;
    return message;
  }

  /** Runs the gate; a block (or a throwing gate) becomes an error result. */
  async function gate(
    tool: Tool,
    call: ToolCall,
    turn: { sessionKey: string; requestedBy: string; signal: AbortSignal },
  ): Promise<ToolResult | undefined> {
    if (!options.beforeToolCall) return undefined;
    try {
      const verdict = await options.beforeToolCall({
        toolCall: plainCall(call),
        tool,
        sessionKey: turn.sessionKey,
        requestedBy: turn.requestedBy,
      }, turn.signal);
      if (verdict?.block) {
        return errorResult(`Blocked by policy: ${verdict.reason ?? "no reason given"}`);
      }
      return undefined;
    } catch (error) {
      logger.warn(`beforeToolCall threw for ${call.name}; blocking: ${errorMessage(error)}`);
      return errorResult("Blocked by policy: the policy check failed");
    }
  }

  /** Calls a tool with the turn's signal and a time limit; never throws. */
  async function callTool(
    tool: Tool,
    call: ToolCall,
    turn: { sessionKey: string; requestedBy: string; signal: AbortSignal },
  ): Promise<ToolResult> {
    const controller = new AbortController();
    const signal = AbortSignal.any([turn.signal, controller.signal]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = new Promise<ToolResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error(`timed out after ${tool.timeoutMs} ms`));
      }, tool.timeoutMs + Math.min(TOOL_GRACE_MS, tool.timeoutMs));
      const onAbort = (): void => {
        resolve(errorResult(
          turn.signal.aborted
            ? "Tool call cancelled"
            : `Tool "${tool.name}" timed out after ${tool.timeoutMs} ms`,
        ));
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const result = await Promise.race([
        Promise.resolve().then(() =>
          tool.call(call.arguments, {
            signal,
            sessionKey: turn.sessionKey,
            requestedBy: turn.requestedBy,
            logger,
          })
        ),
        stop,
      ]);
      if (!result || typeof result.content !== "string") {
        return errorResult(`Tool "${tool.name}" returned no result`);
      }
      return { content: result.content, isError: result.isError === true };
    } catch (error) {
      return errorResult(`Tool "${tool.name}" failed: ${errorMessage(error)}`);
    } finally {
      clearTimeout(timer);
      if (!controller.signal.aborted) controller.abort(TOOL_CALL_FINISHED);
    }
  }

  return {
    run(input: TurnInput): Promise<TurnResult> {
      const onEvent = input.onEvent;
      const emit = (event: AgentEvent): void => {
        if (!onEvent) return;
        try {
          onEvent(event);
        } catch (error) {
          logger.warn(`onEvent threw (ignored): ${errorMessage(error)}`);
        }
      };
      return runTurn(input, emit, input.signal ?? new AbortController().signal);
    },

    async *stream(input: Omit<TurnInput, "onEvent">): AsyncGenerator<AgentEvent> {
      const controller = new AbortController();
      const signal = input.signal
        ? AbortSignal.any([input.signal, controller.signal])
        : controller.signal;
      const queue: AgentEvent[] = [];
      let wake: (() => void) | undefined;
      let done = false;
      const push = (event: AgentEvent): void => {
        queue.push(event);
        wake?.();
      };
      const turn = runTurn(input, push, signal).then(
        () => undefined,
        (error: unknown) => {
          // A bad argument fails before any event; report it as an event too.
          if (!isAgentError(error)) {
            push({
              type: "error",
              message: scrubSecrets(errorMessage(error), secrets),
              code: "E_INVALID_ARGUMENT",
            });
          }
        },
      ).finally(() => {
        done = true;
        wake?.();
      });
      try {
        for (;;) {
          while (queue.length > 0) yield queue.shift()!;
          if (done) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        // The consumer stopped early: cancel the turn rather than run it unobserved.
        if (!done) controller.abort(new Error("stream consumer stopped"));
        await turn;
      }
    },

    reset(sessionKey: string): void {
      history.reset(sessionKey);
    },
  };
}

// --- Internal helpers ---

/** Maps with at most `limit` calls in flight; results keep the input order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function errorResult(message: string): ToolResult {
  return { content: JSON.stringify({ error: message }), isError: true };
}

/** A ToolCall without the parse-error marker; `providerData` is kept for the next request. */
function plainCall(call: ToolCall): ToolCall {
  const plain: ToolCall = { id: call.id, name: call.name, arguments: call.arguments ?? {} };
  if (call.providerData) plain.providerData = call.providerData;
  return plain;
}

function addUsage(total: Usage | undefined, add: Usage | undefined): Usage | undefined {
  if (!add) return total;
  const sum: Usage = { ...total };
  if (add.inputTokens !== undefined) sum.inputTokens = (sum.inputTokens ?? 0) + add.inputTokens;
  if (add.outputTokens !== undefined) sum.outputTokens = (sum.outputTokens ?? 0) + add.outputTokens;
  return sum;
}

function abortError(signal: AbortSignal): AgentError {
  const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : "";
  return new AgentError(`Cannot finish turn: cancelled${reason}`, {
    code: ErrorCode.Aborted,
    cause: signal.reason,
  });
}

function toAgentError(error: unknown, providerId: string): AgentError {
  if (isAgentError(error)) return error;
  return new ProviderError(`Cannot finish turn: ${errorMessage(error)}`, {
    kind: "stream",
    provider: providerId,
    cause: error,
  });
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
