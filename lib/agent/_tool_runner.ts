/**
 * How an agent runs the tool calls of one step: unknown tools and bad arguments become error
 * results, the `beforeToolCall` gate decides, the call runs under its deadline, the result is
 * capped, scrubbed and marked untrusted; at most `maxToolConcurrency` calls run at once.
 * @module
 */
import type { Logger } from "../_internal/logger.ts";
import { withDeadline } from "../_internal/deadline.ts";
import { errorMessage } from "../errors.ts";
import type { Message, ToolCall } from "../providers/types.ts";
import { scrubSecrets } from "../secrets/scrub.ts";
import { capText } from "../tools/_tool.ts";
import type { Tool, ToolResult } from "../tools/types.ts";
import type { AgentEvent } from "./types.ts";
import { wrapToolOutput } from "./untrusted.ts";

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

/** Extra time an agent gives a tool past its own `timeoutMs` before giving up on it. */
const TOOL_GRACE_MS = 250;

/** What one tool call runs within: the turn's session, requester, signal and event sink. */
export interface ToolTurn {
  sessionKey: string;
  requestedBy: string;
  signal: AbortSignal;
  emit: (event: AgentEvent) => void;
}

/** What {@linkcode createToolRunner} needs from the agent. */
export interface ToolRunnerOptions {
  tools: ReadonlyMap<string, Tool>;
  beforeToolCall?: BeforeToolCall | undefined;
  logger: Logger;
  /** Scrubbed from every result; read at use time. */
  secrets: readonly string[];
  maxToolConcurrency: number;
}

/** Runs the tool calls of one step; resolves with their `tool` messages in call order. */
export type ToolRunner = (
  calls: readonly ToolCall[],
  turn: ToolTurn,
) => Promise<Message[]>;

/** Builds the {@linkcode ToolRunner} of an agent. */
export function createToolRunner(options: ToolRunnerOptions): ToolRunner {
  const { tools, logger, secrets } = options;

  async function runTool(
    call: ToolCall,
    turn: ToolTurn,
  ): Promise<Message> {
    const { emit, signal } = turn;
    turn.emit({ type: "tool-start", toolCall: plainCall(call) });
    const started = Date.now();
    const tool = tools.get(call.name);
    const { argumentsError } = call;
    let result: ToolResult;
    if (!tool) {
      const available = [...tools.keys()].join(", ") || "none";
      result = errorResult(
        `Unknown tool "${call.name}". Available tools: ${available}`,
      );
    } else if (typeof argumentsError === "string" && argumentsError) {
      result = errorResult(
        `Invalid arguments for "${call.name}": ${argumentsError}`,
      );
    } else {
      const verdict = await gate(tool, call, turn);
      result = verdict ?? await callTool(tool, call, turn);
      result = {
        content: capText(result.content, tool.maxOutputChars),
        isError: result.isError,
      };
    }
    const scrubbed = {
      content: scrubSecrets(result.content, secrets),
      isError: result.isError,
    };
    const durationMs = Date.now() - started;
    logger.debug(
      `tool ${call.name} ${scrubbed.isError ? "failed" : "finished"} in ${durationMs} ms`,
    );
    if (!signal.aborted) {
      emit({
        type: "tool-end",
        toolCall: plainCall(call),
        result: scrubbed,
        durationMs,
      });
    }
    const message: Message = {
      role: "tool",
      toolCallId: call.id,
      name: call.name,
      content: wrapToolOutput(call.name, result.content, {
        isError: result.isError,
        secrets,
      }),
    };
    if (result.isError) message.isError = true;
    return message;
  }

  /** Runs the gate; a block (or a throwing gate) becomes an error result. */
  async function gate(
    tool: Tool,
    call: ToolCall,
    turn: ToolTurn,
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
        return errorResult(
          `Blocked by policy: ${verdict.reason ?? "no reason given"}`,
        );
      }
      return undefined;
    } catch (error) {
      logger.warn(
        `beforeToolCall threw for ${call.name}; blocking: ${errorMessage(error)}`,
      );
      return errorResult("Blocked by policy: the policy check failed");
    }
  }

  /** Calls a tool with the turn's signal and a time limit; never throws. */
  async function callTool(
    tool: Tool,
    call: ToolCall,
    turn: ToolTurn,
  ): Promise<ToolResult> {
    try {
      const result = await withDeadline(
        (signal) =>
          tool.call(call.arguments, {
            signal,
            sessionKey: turn.sessionKey,
            requestedBy: turn.requestedBy,
            logger,
          }),
        {
          signal: turn.signal,
          timeoutMs: tool.timeoutMs + Math.min(TOOL_GRACE_MS, tool.timeoutMs),
          timeoutReason: () => new Error(`timed out after ${tool.timeoutMs} ms`),
          timedOut: () =>
            new ToolStopped(
              `Tool "${tool.name}" timed out after ${tool.timeoutMs} ms`,
            ),
          cancelled: () => new ToolStopped("Tool call cancelled"),
        },
      );
      if (!result || typeof result.content !== "string") {
        return errorResult(`Tool "${tool.name}" returned no result`);
      }
      return { content: result.content, isError: result.isError === true };
    } catch (error) {
      if (error instanceof ToolStopped) return errorResult(error.message);
      return errorResult(`Tool "${tool.name}" failed: ${errorMessage(error)}`);
    }
  }

  return (calls, turn) =>
    mapLimit(calls, options.maxToolConcurrency, (call) => runTool(call, turn));
}

// --- Internal helpers ---

/** How a call ended without the tool's answer (timed out, cancelled): its message is the result. */
class ToolStopped extends Error {}

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
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  return results;
}

/** A tool result carrying only `{ error: message }`. */
function errorResult(message: string): ToolResult {
  return { content: JSON.stringify({ error: message }), isError: true };
}

/** A ToolCall without the parse-error marker; `providerData` is kept for the next request. */
export function plainCall(call: ToolCall): ToolCall {
  const plain: ToolCall = {
    id: call.id,
    name: call.name,
    arguments: call.arguments ?? {},
  };
  if (call.providerData) plain.providerData = call.providerData;
  return plain;
}
