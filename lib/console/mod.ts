/**
 * The web console (CONTRACT §9): a small single-page console served by the gateway. Import it
 * lazily: it is loaded only when a browser asks for it.
 * @module
 */
export {
  CONSOLE_CSP,
  type ConsoleHandler,
  consoleTransferBytes,
  createConsole,
} from "./create_console.ts";
