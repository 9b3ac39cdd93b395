/**
 * The JSON error every HTTP face answers with (CONTRACT §4): `{"error":{"code","message"}}`.
 * @module
 */

/** A `status` response whose body is `{"error":{"code":code,"message":message}}`. */
export function jsonError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { "content-type": "application/json; charset=UTF-8", ...headers },
  });
}
