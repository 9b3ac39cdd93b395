/**
 * The web console (CONTRACT §9): a small single-page console served by the gateway. Import it
 * lazily: it is loaded only when a browser asks for it.
 * @module
 */
export { CONSOLE_CSP } from "./create_console.ts";
export { consoleTransferBytes } from "./create_console.ts";
export { createConsole } from "./create_console.ts";
export type { ConsoleHandler } from "./create_console.ts";
