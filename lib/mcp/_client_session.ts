/**
 * One MCP client session (stdio child process or Streamable HTTP), on the `json-rpc-2.0`
 * library. Loaded only when `MCP_SERVERS` is configured.
 * @module
 */
import { JSONRPCClient } from "json-rpc-2.0";
import type { JSONRPCResponse } from "json-rpc-2.0";
import type { Logger } from "../_internal/logger.ts";
import { VERSION } from "../version.ts";
import type { McpServerEntry } from "./servers_config.ts";
import type { Wire } from "./_client_wire.ts";
import { openStdio } from "./_client_stdio.ts";
import { type HttpWire, openHttp } from "./_client_http.ts";

/** The protocol revision we ask for; servers may answer an older one they support. */
const PROTOCOL_VERSION = "2025-06-18";
const MAX_TOOL_PAGES = 10;

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
