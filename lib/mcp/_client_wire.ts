/**
 * What an MCP client session sends through: one transport (stdio or Streamable HTTP).
 * @module
 */

/** Largest message (line or HTTP body) accepted from a server. */
export const MAX_MESSAGE_BYTES: number = 8 * 1024 * 1024;

/** One open transport to a server. */
export interface Wire {
  send(payload: unknown): Promise<void>;
  close(): Promise<void>;
  /** Set to the reason once the transport is gone. */
  closed: string | undefined;
}
