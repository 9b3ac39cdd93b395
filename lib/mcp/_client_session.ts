/**
 * One MCP client session (stdio child process or Streamable HTTP), on the `json-rpc-2.0`
 * library. Loaded only when `MCP_SERVERS` is configured.
 * @module
 */
import { JSONRPCClient } from "json-rpc-2.0";
import type { JSONRPCResponse } from "json-rpc-2.0";
import { createParser } from "eventsource-parser";
import { errorMessage } from "../errors.ts";
import type { Logger } from "../_internal/logger.ts";
import { processEnv } from "../_internal/env.ts";
import { VERSION } from "../version.ts";
import type { McpServerEntry } from "./client.ts";

/** The protocol revision we ask for; servers may answer an older one they support. */
const PROTOCOL_VERSION = "2025-06-18";
/** Largest message (line or HTTP body) accepted from a server. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
const MAX_TOOL_PAGES = 10;
/** Environment variables a stdio server inherits; everything else is scrubbed. */
const INHERITED_ENV = ["PATH", "HOME", "LANG"];

/** A tool as the remote server lists it (not yet trusted). */
export interface RemoteTool {
  name: string;
  description?: unknown;
  inputSchema?: unknown;
  annotations?: { readOnlyHint?: unknown } | undefined;
}

/** An open session. */
export interface Session {
  readonly tools: RemoteTool[];
  /** Why the session is no longer usable, once it is not. */
  readonly closedReason: string | undefined;
  request(
    method: string,
    params: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<unknown>;
  close(): Promise<void>;
}

/** Options of {@linkcode openSession}. */
export interface OpenSessionOptions {
  logger: Logger;
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
  /** Aborts the connection attempt. */
  signal: AbortSignal;
}

interface Wire {
  send(payload: unknown): Promise<void>;
  close(): Promise<void>;
  /** Set to the reason once the transport is gone. */
  closed: string | undefined;
}

/** Connects, initializes and lists the server's tools; throws a readable `Error` on failure. */
export async function openSession(
  name: string,
  entry: McpServerEntry,
  options: OpenSessionOptions,
): Promise<Session> {
  const { logger } = options;
  // Assigned once the transport is open; the callbacks below run only after that.
  const link: { wire?: Wire } = {};
  const client: JSONRPCClient = new JSONRPCClient((payload) => {
    const wire = link.wire;
    if (!wire || wire.closed) return Promise.reject(new Error(wire?.closed ?? "not connected"));
    return wire.send(payload);
  });

  /** Handles one message from the server: responses resolve requests, requests get answers. */
  function incoming(message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const m = message as Record<string, unknown>;
    if (typeof m.method === "string") {
      if (m.id === undefined) return; // a notification (progress, list_changed …)
      // A server-to-client request: we offer no client features except ping.
      const reply = m.method === "ping"
        ? { jsonrpc: "2.0", id: m.id, result: {} }
        : { jsonrpc: "2.0", id: m.id, error: { code: -32601, message: "Method not found" } };
      void link.wire?.send(reply).catch(() => {});
      return;
    }
    if ("result" in m || "error" in m) client.receive(m as unknown as JSONRPCResponse);
  }

  function onClosed(reason: string): void {
    client.rejectAllPendingRequests(`MCP server "${name}" ${reason}`);
  }

  const wire = link.wire = "command" in entry
    ? await openStdio(name, entry, incoming, onClosed, logger)
    : openHttp(entry, incoming, options.fetch);

  async function request(
    method: string,
    params: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (wire.closed) throw new Error(`MCP server "${name}" ${wire.closed}`);
    const pending = client.timeout(
      timeoutMs,
      (id) => ({
        jsonrpc: "2.0",
        id,
        error: {
          code: -32001,
          message: `MCP server "${name}" did not answer within ${timeoutMs} ms`,
        },
      }),
    ).request(method, params as any);
    if (!signal) return await pending;
    signal.throwIfAborted();
    return await new Promise((resolve, reject) => {
      const onAbort = (): void => reject(new Error("MCP request cancelled"));
      signal.addEventListener("abort", onAbort, { once: true });
      pending.then(resolve, reject);
      void Promise.resolve(pending).finally(() => signal.removeEventListener("abort", onAbort))
        .catch(() => {});
    });
  }

  try {
    const init = await request(
      "initialize",
      {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: "mikroclaw", version: VERSION },
      },
      options.timeoutMs,
      options.signal,
    ) as Record<string, unknown> | undefined;
    if (typeof init?.protocolVersion !== "string") {
      throw new Error("the initialize answer has no protocolVersion");
    }
    if ("setProtocolVersion" in wire) {
      (wire as HttpWire).setProtocolVersion(init.protocolVersion);
    }
    await wire.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    const tools: RemoteTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const listed = await request(
        "tools/list",
        cursor ? { cursor } : {},
        options.timeoutMs,
        options.signal,
      ) as Record<string, unknown> | undefined;
      if (!Array.isArray(listed?.tools)) throw new Error("the tools/list answer has no tools");
      for (const tool of listed.tools) {
        if (typeof tool === "object" && tool !== null && typeof tool.name === "string") {
          tools.push(tool as RemoteTool);
        }
      }
      cursor = typeof listed.nextCursor === "string" ? listed.nextCursor : undefined;
      if (!cursor) break;
    }
    const w = wire;
    return {
      tools,
      get closedReason() {
        return w.closed;
      },
      request,
      close: () => w.close(),
    };
  } catch (error) {
    await wire.close().catch(() => {});
    throw error;
  }
}

// --- stdio ---

async function openStdio(
  name: string,
  entry: { command: string; args?: string[]; env?: Record<string, string> },
  incoming: (message: unknown) => void,
  onClosed: (reason: string) => void,
  logger: Logger,
): Promise<Wire> {
  const { spawn } = await import("node:child_process");
  const parent = processEnv();
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, entry.env ?? {});
  const child = spawn(entry.command, entry.args ?? [], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
    windowsHide: true,
  });
  const wire: Wire = {
    closed: undefined,
    send(payload: unknown): Promise<void> {
      return new Promise((resolve, reject) => {
        if (wire.closed || !child.stdin.writable) {
          reject(new Error(wire.closed ?? "stdin is closed"));
          return;
        }
        child.stdin.write(
          JSON.stringify(payload) + "\n",
          (error) => error ? reject(error) : resolve(),
        );
      });
    },
    async close(): Promise<void> {
      if (exited) return;
      wire.closed ??= "was closed";
      child.stdin.end();
      if (await waitExit(500)) return;
      child.kill("SIGTERM");
      if (await waitExit(1000)) return;
      child.kill("SIGKILL");
      await waitExit(1000);
    },
  };
  let exited = false;
  const exitWaiters = new Set<() => void>();
  function waitExit(ms: number): Promise<boolean> {
    if (exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        exitWaiters.delete(done);
        resolve(false);
      }, ms);
      exitWaiters.add(done);
    });
  }
  function gone(reason: string): void {
    if (!wire.closed) wire.closed = reason;
    onClosed(wire.closed);
  }
  child.on("exit", (code, signal) => {
    exited = true;
    gone(signal ? `exited (signal ${signal})` : `exited with code ${code}`);
    for (const w of exitWaiters) w();
  });
  child.stdin.on("error", () => {}); // EPIPE after the child died; "exit" reports it.

  let buffer = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffer += chunk;
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) {
        try {
          incoming(JSON.parse(line));
        } catch {
          logger.debug(`MCP server "${name}" wrote a non-JSON line on stdout (ignored)`);
        }
      }
      newline = buffer.indexOf("\n");
    }
    if (buffer.length > MAX_MESSAGE_BYTES) {
      buffer = "";
      logger.warn(`MCP server "${name}" sent a message over ${MAX_MESSAGE_BYTES} bytes; dropped`);
    }
  });
  let stderrBytes = 0;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderrBytes += chunk.length;
    if (stderrBytes < 64 * 1024) {
      logger.debug(`MCP server "${name}": ${chunk.trimEnd().slice(0, 500)}`);
    }
  });

  // Spawn failures (ENOENT, EACCES) arrive as an "error" event.
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (error) => {
      gone(`could not start: ${errorMessage(error)}`);
      exited = true;
      reject(new Error(`Cannot start "${entry.command}": ${errorMessage(error)}`));
    });
  });
  child.on("error", (error) => gone(`failed: ${errorMessage(error)}`));
  return wire;
}

// --- Streamable HTTP ---

interface HttpWire extends Wire {
  setProtocolVersion(version: string): void;
}

function openHttp(
  entry: { url: string; headers?: Record<string, string> },
  incoming: (message: unknown) => void,
  fetch: typeof globalThis.fetch,
): HttpWire {
  let sessionId: string | undefined;
  let protocolVersion: string | undefined;
  const inFlight = new Set<AbortController>();

  function headers(): Record<string, string> {
    const h: Record<string, string> = {
      ...entry.headers,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    if (sessionId) h["mcp-session-id"] = sessionId;
    if (protocolVersion) h["mcp-protocol-version"] = protocolVersion;
    return h;
  }

  const wire: HttpWire = {
    closed: undefined,
    setProtocolVersion(version: string): void {
      protocolVersion = version;
    },
    async send(payload: unknown): Promise<void> {
      const controller = new AbortController();
      inFlight.add(controller);
      try {
        const response = await fetch(entry.url, {
          method: "POST",
          headers: headers(),
          body: JSON.stringify(payload),
          signal: controller.signal,
        });
        const id = response.headers.get("mcp-session-id");
        if (id && !sessionId) sessionId = id;
        if (response.status === 202 || response.status === 204) {
          await response.body?.cancel();
          return;
        }
        if (!response.ok) {
          const text = (await readCapped(response, 2048).catch(() => "")).slice(0, 300);
          if (response.status === 404 && sessionId) wire.closed = "ended the session (404)";
          throw new Error(`HTTP ${response.status}${text ? `: ${text}` : ""}`);
        }
        const type = response.headers.get("content-type") ?? "";
        if (type.includes("text/event-stream")) {
          await readSse(response, incoming);
        } else {
          const body = JSON.parse(await readCapped(response, MAX_MESSAGE_BYTES));
          for (const message of Array.isArray(body) ? body : [body]) incoming(message);
        }
      } finally {
        inFlight.delete(controller);
      }
    },
    async close(): Promise<void> {
      wire.closed ??= "was closed";
      for (const controller of inFlight) controller.abort(new Error("MCP client closed"));
      if (!sessionId) return;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 1000);
      try {
        const response = await fetch(entry.url, {
          method: "DELETE",
          headers: headers(),
          signal: controller.signal,
        });
        await response.body?.cancel();
      } catch {
        // Best effort: the server forgets idle sessions anyway.
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return wire;
}

async function readSse(response: Response, incoming: (message: unknown) => void): Promise<void> {
  if (!response.body) return;
  const parser = createParser({
    onEvent(event) {
      if (event.event && event.event !== "message") return;
      try {
        incoming(JSON.parse(event.data));
      } catch {
        // Not JSON: ignore, as the SDKs do.
      }
    },
  });
  const decoder = new TextDecoder();
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > MAX_MESSAGE_BYTES) {
      await response.body.cancel().catch(() => {});
      throw new Error(`the event stream exceeded ${MAX_MESSAGE_BYTES} bytes`);
    }
    parser.feed(decoder.decode(chunk, { stream: true }));
  }
}

async function readCapped(response: Response, max: number): Promise<string> {
  if (!response.body) return "";
  const decoder = new TextDecoder();
  let text = "";
  let total = 0;
  for await (const chunk of response.body) {
    total += chunk.byteLength;
    if (total > max) {
      await response.body.cancel().catch(() => {});
      throw new Error(`the answer exceeded ${max} bytes`);
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
