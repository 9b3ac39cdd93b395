/**
 * A `Response` that defers building the runtime's own (undici's, on Node) until something
 * needs more than its status, headers and text body. Node's `Response` wraps even a short
 * string in a byte stream that the server must read back; a JSON answer written as the string
 * it was made from costs a fraction of that (issue #19: the gateway answered at 0.3× a bare
 * Hono app on Node, whose `@hono/node-server` replaces `Response` the same way).
 *
 * Installed only by the Node server adapter, in the serving process: `new Response(...)` then
 * makes a light one; it is `instanceof Response`, and every member it does not answer itself
 * (`body`, `text()`, `clone()` ...) builds the real one and delegates to it.
 * @module
 */

const STATE = Symbol("lightResponse");

interface LightState {
  body: string | null;
  status: number;
  init: ResponseInit | undefined;
  headers: Headers | undefined;
  native: Response | undefined;
}

/** Statuses a response body is not allowed with (the native constructor throws for them). */
const NULL_BODY = [101, 103, 204, 205, 304];

/**
 * Replaces the global `Response` with the light one (once); `native` is the runtime's own,
 * which is what `fetch` still returns. Returns the function that reads a light response.
 */
export function installLightResponse(): typeof lightParts {
  const g = globalThis as { Response: typeof Response };
  if ((g.Response as { [STATE]?: true })[STATE]) return lightParts;
  const Native = g.Response;

  const nativeOf = (r: object): Response => {
    const s = (r as { [STATE]: LightState })[STATE];
    const headers = s.headers ?? s.init?.headers;
    return s.native ??= new Native(
      s.body,
      headers ? { status: s.status, headers } : { status: s.status },
    );
  };

  class LightResponse {
    declare [STATE]: LightState;
    static [STATE] = true;
    static [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof Native;
    }
    constructor(body?: BodyInit | null, init?: ResponseInit) {
      const status = init?.status ?? 200;
      const light = (body == null || typeof body === "string") && init?.statusText === undefined &&
        status >= 200 && status <= 599 && (body == null || !NULL_BODY.includes(status));
      this[STATE] = {
        body: light ? (body as string | null | undefined) ?? null : null,
        status,
        init,
        headers: undefined,
        native: light ? undefined : new Native(body, init),
      };
    }
    get status(): number {
      const s = this[STATE];
      return s.native ? s.native.status : s.status;
    }
    get ok(): boolean {
      const status = this.status;
      return status >= 200 && status <= 299;
    }
    get headers(): Headers {
      const s = this[STATE];
      if (s.native) return s.native.headers;
      if (!s.headers) {
        const headers = new Headers(s.init?.headers);
        if (s.body !== null && !headers.has("content-type")) {
          headers.set("content-type", "text/plain;charset=UTF-8");
        }
        s.headers = headers;
      }
      return s.headers;
    }
  }
  // everything else (body, text(), clone(), statusText ...) from the real one
  delegateRest(LightResponse.prototype, Native.prototype, nativeOf);
  Object.setPrototypeOf(LightResponse, Native); // Response.json() and the other statics
  g.Response = LightResponse as unknown as typeof Response;
  return lightParts;
}

/**
 * Gives `light` every member of `native` (a runtime class's prototype) it does not define
 * itself, each building the real object with `real(this)` and reading it there; then makes
 * `native` its prototype, so the light objects are `instanceof` the runtime's class.
 */
export function delegateRest(light: object, native: object, real: (self: object) => object): void {
  const own = Object.getOwnPropertyNames(light);
  for (const name of Object.getOwnPropertyNames(native)) {
    if (own.includes(name)) continue;
    const d = Object.getOwnPropertyDescriptor(native, name)!;
    const read = (self: object) => (real(self) as Record<string, unknown>)[name];
    Object.defineProperty(
      light,
      name,
      d.get
        ? {
          get() {
            return read(this);
          },
          configurable: true,
        }
        : {
          value(this: object, ...args: unknown[]) {
            return (read(this) as (...a: unknown[]) => unknown).apply(real(this), args);
          },
          configurable: true,
          writable: true,
        },
    );
  }
  Object.setPrototypeOf(light, native);
}

/**
 * The status, headers and text body of `response` when it is a light response whose real one
 * was never built; `undefined` otherwise (the caller reads it as a `Response`).
 */
function lightParts(
  response: Response,
): { status: number; headers: Headers; body: string | null } | undefined {
  const s = (response as { [STATE]?: LightState })[STATE];
  if (!s || s.native) return undefined;
  return { status: s.status, headers: response.headers, body: s.body };
}
