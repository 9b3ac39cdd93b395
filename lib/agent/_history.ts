/**
 * Bounded per-session conversation history. History is kept as whole exchanges (the user's
 * message, every assistant step with its tool results, the final answer), so trimming never
 * separates a tool result from the assistant message that asked for it.
 * @module
 */
import type { Message, ToolCall } from "../providers/types.ts";

/** Bounds of the history kept per session. */
export interface HistoryOptions {
  /** Most exchanges (user message + reply) kept per session. @default {20} */
  maxTurns?: number;
  /** Most characters kept per session (message text and tool arguments). @default {24000} */
  maxChars?: number;
  /** Most sessions kept; the least recently used is forgotten first. @default {500} */
  maxSessions?: number;
}

/** The history store of one agent. */
export interface History {
  /** The session's messages, oldest first (a copy). */
  get(sessionKey: string): Message[];
  /** Appends one complete exchange; its last message must be the assistant's final answer. */
  add(sessionKey: string, exchange: readonly Message[]): void;
  reset(sessionKey: string): void;
  /** Number of sessions held. */
  readonly size: number;
}

interface Exchange {
  messages: Message[];
  chars: number;
}

/** A copy of `message` whose tool calls (if any) are each copied by `copyCall`. */
function copyMessage(message: Message, copyCall: (call: ToolCall) => ToolCall): Message {
  return message.role === "assistant" && message.toolCalls
    ? { ...message, toolCalls: message.toolCalls.map(copyCall) }
    : { ...message };
}

/** What a read hands out: stored messages are deep copies no one else holds, so one level. */
const shallowCopy = (message: Message): Message => copyMessage(message, (call) => ({ ...call }));

/**
 * What is stored: a copy that shares nothing a caller can change. Strings are immutable, so only
 * the tool calls' arguments and provider data (parsed JSON) are copied deeply: a fraction of
 * what `structuredClone` of every message costs each turn (issue #19: a tenth of the agent's
 * own time per turn on Bun).
 */
const storedCopy = (message: Message): Message => copyMessage(message, storedCall);

function storedCall(call: ToolCall): ToolCall {
  const copy: ToolCall = { ...call, arguments: copyJson(call.arguments) };
  if (call.providerData !== undefined) copy.providerData = copyJson(call.providerData);
  return copy;
}

/** A deep copy of JSON data (what a tool call's arguments and provider data are). */
function copyJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Creates a bounded history store. */
export function createHistory(options: HistoryOptions = {}): History {
  const maxTurns = positive("maxTurns", options.maxTurns ?? 20, true);
  const maxChars = positive("maxChars", options.maxChars ?? 24_000, false);
  const maxSessions = positive("maxSessions", options.maxSessions ?? 500, false);
  const sessions = new Map<string, Exchange[]>();

  return {
    get(sessionKey: string): Message[] {
      const exchanges = sessions.get(sessionKey);
      if (!exchanges) return [];
      // Refresh the session's position for least-recently-used eviction.
      sessions.delete(sessionKey);
      sessions.set(sessionKey, exchanges);
      // Stored messages are deep copies no one else holds; a shallow copy per read keeps them
      // safe from callers at a fraction of the cost of cloning the whole history every turn.
      return exchanges.flatMap((e) => e.messages.map(shallowCopy));
    },
    add(sessionKey: string, exchange: readonly Message[]): void {
      if (maxTurns === 0 || exchange.length === 0) return;
      const exchanges = sessions.get(sessionKey) ?? [];
      sessions.delete(sessionKey);
      exchanges.push(fit(exchange.map(storedCopy), maxChars));
      while (exchanges.length > maxTurns) exchanges.shift();
      let total = exchanges.reduce((sum, e) => sum + e.chars, 0);
      while (total > maxChars && exchanges.length > 0) total -= exchanges.shift()!.chars;
      if (exchanges.length > 0) sessions.set(sessionKey, exchanges);
      while (sessions.size > maxSessions) sessions.delete(sessions.keys().next().value!);
    },
    reset(sessionKey: string): void {
      sessions.delete(sessionKey);
    },
    get size(): number {
      return sessions.size;
    },
  };
}

/** Characters a message counts for. */
export function messageChars(message: Message): number {
  let chars = message.content.length;
  if (message.role === "assistant" && message.toolCalls) {
    for (const call of message.toolCalls) {
      chars += call.name.length + JSON.stringify(call.arguments ?? {}).length;
    }
  }
  return chars;
}

// --- Internal helpers ---

/**
 * An exchange larger than the whole budget keeps only the user's message and the final
 * answer (its tool traffic goes), each cut to half the budget.
 */
function fit(messages: Message[], maxChars: number): Exchange {
  const chars = messages.reduce((sum, m) => sum + messageChars(m), 0);
  if (chars <= maxChars) return { messages, chars };
  const first = messages[0]!;
  const last = messages[messages.length - 1]!;
  const half = Math.floor(maxChars / 2);
  const compact: Message[] = [
    { role: "user", content: cut(first.content, half) },
    { role: "assistant", content: cut(last.content, half) },
  ];
  return { messages: compact, chars: compact.reduce((sum, m) => sum + messageChars(m), 0) };
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = "…[cut]";
  return max > note.length ? text.slice(0, max - note.length) + note : text.slice(0, max);
}

function positive(name: string, value: number, allowZero: boolean): number {
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new RangeError(
      `Cannot create history: "${name}" must be an integer >= ${allowZero ? 0 : 1}, got ${value}`,
    );
  }
  return value;
}
