/**
 * `serveMcpStdio`: an MCP server on stdin/stdout, one JSON-RPC message per line. Nothing but
 * JSON-RPC is written to stdout; the caller's logger should write to stderr.
 * @module
 */
import { errorMessage } from "../errors.ts";
import { silentLogger } from "../_internal/logger.ts";
import type { Logger } from "../_internal/logger.ts";
import type { McpServer } from "./server.ts";

/** Where responses go; `process.stdout` fits. */
export interface McpStdioOutput {
  write(text: string): unknown;
}

/** Options of {@linkcode serveMcpStdio}. */
export interface ServeMcpStdioOptions {
  server: McpServer;
  /** Lines of JSON-RPC; a web `ReadableStream` or Node readable fits. @default {process.stdin} */
  stdin?: AsyncIterable<Uint8Array | string>;
  /** @default {process.stdout} */
  stdout?: McpStdioOutput;
  /** Who asks, passed to tools. @default {the server's requestedBy} */
  requestedBy?: string;
  /** Longest accepted line; a longer one is answered with a parse error. @default {4 MiB} */
  maxLineBytes?: number;
  /** @default {silentLogger} */
  logger?: Logger;
}

const DEFAULT_MAX_LINE = 4 * 1024 * 1024;

/**
 * Serves `server` on stdio until stdin closes; then cancels calls still running, writes what
 * is left and resolves. Never throws for bad input: unparsable lines get a JSON-RPC
 * `-32700` error.
 *
 * @example `mikroclaw mcp`
 * ```ts
 * await serveMcpStdio({ server: createMcpServer({ tools, requestedBy: "mcp:stdio" }) });
 * ```
 */
export async function serveMcpStdio(options: ServeMcpStdioOptions): Promise<void> {
  const { server } = options;
  const logger = options.logger ?? silentLogger;
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE;
  let stdin = options.stdin;
  let stdout = options.stdout;
  if (!stdin || !stdout) {
    const process = (await import("node:process")).default;
    stdin ??= process.stdin as AsyncIterable<Uint8Array | string>;
    stdout ??= process.stdout;
  }
  const out = stdout;
  let writes: Promise<void> = Promise.resolve();
  const write = (message: unknown): Promise<void> => {
    writes = writes.then(() => {
      out.write(JSON.stringify(message) + "\n");
    }).catch((error) => logger.error(`Cannot write MCP message: ${errorMessage(error)}`));
    return writes;
  };
  let sessionInfo: Record<string, unknown> | undefined;
  const pending = new Set<Promise<void>>();

  async function handle(line: string): Promise<void> {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      await write(parseError("Parse error: the line is not JSON"));
      return;
    }
    const record = typeof message === "object" && message !== null
      ? message as Record<string, unknown>
      : {};
    if (record.method === "initialize") {
      const params = record.params as Record<string, unknown> | undefined;
      sessionInfo = {
        clientCapabilities: params?.capabilities,
        clientInfo: params?.clientInfo,
      };
    }
    try {
      const context: { sessionInfo?: Record<string, unknown>; requestedBy?: string } = {};
      if (sessionInfo) context.sessionInfo = sessionInfo;
      if (options.requestedBy) context.requestedBy = options.requestedBy;
      const response = await server.receive(message, context);
      if (response !== undefined && response !== null) await write(response);
    } catch (error) {
      logger.error(`MCP message failed: ${errorMessage(error)}`);
      if (record.id !== undefined && record.method !== undefined) {
        await write({
          jsonrpc: "2.0",
          id: record.id,
          error: { code: -32603, message: `Internal error: ${errorMessage(error)}` },
        });
      }
    }
  }

  function dispatch(line: string): Promise<void> {
    const task = handle(line);
    pending.add(task);
    void task.finally(() => pending.delete(task));
    return task;
  }

  const decoder = new TextDecoder();
  let buffer = "";
  let skipping = false;
  try {
    for await (const chunk of stdin) {
      buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      let newline = buffer.indexOf("\n");
      while (newline !== -1) {
        const line = buffer.slice(0, newline).replace(/\r$/, "");
        buffer = buffer.slice(newline + 1);
        if (skipping) skipping = false;
        else if (line.trim()) {
          // `initialize` finishes before anything else is read: later requests need its state.
          const task = dispatch(line);
          if (/"method"\s*:\s*"initialize"/.test(line)) await task;
        }
        newline = buffer.indexOf("\n");
      }
      if (buffer.length > maxLine) {
        buffer = "";
        if (!skipping) await write(parseError(`Parse error: line longer than ${maxLine} bytes`));
        skipping = true;
      }
    }
    buffer += decoder.decode();
    if (buffer.trim() && !skipping) dispatch(buffer);
  } catch (error) {
    logger.error(`MCP stdin failed: ${errorMessage(error)}`);
  }
  // Let answers already being computed finish briefly, then cancel the rest.
  const settled = Promise.allSettled([...pending]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 1000);
  });
  await Promise.race([settled, timedOut]);
  clearTimeout(timer);
  server.close();
  await Promise.allSettled([...pending]);
  await writes;
}

function parseError(message: string): unknown {
  return { jsonrpc: "2.0", id: null, error: { code: -32700, message } };
}
