/**
 * The headers the gateway sets on every answer a route did not set them on: no sniffing, no
 * framing, no referrer, no caching, no content from anywhere, no cross-origin reads. Its own
 * module so the throughput benchmark's baseline can answer with the same headers.
 * @module
 */

/** Name and value of each security header, in the order they are set. */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = Object.entries({
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
  "Content-Security-Policy":
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "Cross-Origin-Resource-Policy": "same-origin",
});
