/**
 * `createAgent`: the agent loop. A turn is: ask the model -> run the tool calls it asked for
 * (in parallel) -> feed the results back -> repeat until a final answer or `maxSteps`.
 * @module
 */
import { silentLogger } from "../_internal/logger.ts";
import type { Logger } from "../_internal/logger.ts";
import { AgentError, ErrorCode, errorMessage, isAgentError, ProviderError } from "../errors.ts";
import type { Memory } from "../memory/types.ts";
import type { ChatRequest, Message, Provider, ToolDefinition, Usage } from "../providers/types.ts";
import { scrubError, scrubSecrets } from "../secrets/scrub.ts";
import type { Tool } from "../tools/types.ts";
import { callModel } from "./_model_call.ts";
import { createHistory } from "./_history.ts";
import type { HistoryOptions } from "./_history.ts";
import { recallBlock } from "./_recall.ts";
import type { AutoRecallOptions } from "./_recall.ts";
import { createKeyedLocks } from "../_internal/keyed_locks.ts";
import { defaultSystemPrompt } from "./system_prompt.ts";
import type { Agent, AgentEvent, TurnInput, TurnResult } from "./types.ts";
import { type BeforeToolCall, createToolRunner, plainCall } from "./_tool_runner.ts";

export type { AutoRecallOptions, HistoryOptions };
export type {
  BeforeToolCall,
  BeforeToolCallContext,
  BeforeToolCallResult,
} from "./_tool_runner.ts";

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
  systemPrompt?: string | undefined;
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
      throw new TypeError(
        `Cannot create agent: tool "${tool.name}" is given twice`,
      );
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
  const systemPrompt = options.systemPrompt ??
    defaultSystemPrompt([...tools.values()]);
  const recall = options.memory && options.autoRecall
    ? {
      memory: options.memory,
      ...(options.autoRecall === true ? {} : options.autoRecall),
    }
    : undefined;
  const history = createHistory(options.history);
  const runTools = createToolRunner({
    tools,
    beforeToolCall: options.beforeToolCall,
    logger,
    secrets,
    maxToolConcurrency,
  });
  const locks = createKeyedLocks();

  function request(messages: Message[]): ChatRequest {
    const request: ChatRequest = { messages };
    if (toolDefinitions.length > 0) request.tools = toolDefinitions;
    if (options.model !== undefined) request.model = options.model;
    if (options.temperature !== undefined) request.temperature = options.temperature;
    if (options.maxTokens !== undefined) request.maxTokens = options.maxTokens;
    return request;
  }

  async function runTurn(
    input: TurnInput,
    emit: (event: AgentEvent) => void,
    signal: AbortSignal,
  ): Promise<TurnResult> {
    if (typeof input?.input !== "string") {
      throw new TypeError('Cannot run turn: "input" must be a string');
    }
    if (typeof input.sessionKey !== "string" || input.sessionKey === "") {
      throw new TypeError(
        'Cannot run turn: "sessionKey" must be a non-empty string',
      );
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
        const reply = await callModel(provider, request([...base, ...turn]), emit, signal);
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
        turn.push({
          role: "assistant",
          content: reply.text,
          toolCalls: calls.map(plainCall),
        });
        toolCallCount += calls.length;
        const results = await runTools(calls, {
          sessionKey,
          requestedBy,
          signal,
          emit,
        });
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
      const result: TurnResult = {
        text: finalText,
        steps,
        stopReason,
        toolCalls: toolCallCount,
      };
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

    async *stream(
      input: Omit<TurnInput, "onEvent">,
    ): AsyncGenerator<AgentEvent> {
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

function addUsage(
  total: Usage | undefined,
  add: Usage | undefined,
): Usage | undefined {
  if (!add) return total;
  const sum: Usage = { ...total };
  if (add.inputTokens !== undefined) {
    sum.inputTokens = (sum.inputTokens ?? 0) + add.inputTokens;
  }
  if (add.outputTokens !== undefined) {
    sum.outputTokens = (sum.outputTokens ?? 0) + add.outputTokens;
  }
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
