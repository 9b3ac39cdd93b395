/**
 * MikroClaw: an AI agent runtime for MikroTik routers — a Web-standard library (Node, Deno, Bun)
 * with a thin CLI. Start with {@linkcode createAgent}, {@linkcode createGateway} and
 * {@linkcode createRuntime}; every factory takes plain options with an injectable `fetch`.
 *
 * @example Minimal agent with a custom tool
 * ```ts ignore
 * import * as v from "valibot";
 * import { createAgent, createMockProvider, defineTool } from "mikroclaw";
 * const clock = defineTool({
 *   name: "clock", description: "Current time", input: v.object({}),
 *   run: async () => new Date().toISOString(),
 * });
 * const agent = createAgent({ provider: createMockProvider(["Hello"]), tools: [clock] });
 * console.log((await agent.run({ input: "hi", sessionKey: "cli:me" })).text);
 * ```
 * @module
 */
export * from "./lib/errors.ts";
export { VERSION } from "./lib/version.ts";
export type { Logger } from "./lib/_internal/logger.ts";
export * from "./lib/config/mod.ts";
export * from "./lib/secrets/mod.ts";
export * from "./lib/identity/mod.ts";
export * from "./lib/storage/mod.ts";
export * from "./lib/memory/mod.ts";
export * from "./lib/providers/mod.ts";
export * from "./lib/tools/mod.ts";
export * from "./lib/security/mod.ts";
export * from "./lib/routeros/mod.ts";
export * from "./lib/agent/mod.ts";
export * from "./lib/gateway/mod.ts";
export * from "./lib/channels/mod.ts";
export * from "./lib/changes/mod.ts";
export * from "./lib/mcp/mod.ts";
export * from "./lib/openai_compat/mod.ts";
export * from "./lib/deploy/mod.ts";
export * from "./lib/runtime/mod.ts";
