/**
 * RouterOS script text: quoted strings, comments, and the IPv4 addresses of a deployment.
 * @module
 */

/**
 * Quotes `value` as a RouterOS script string: `"`, `\`, `$` and `?` are escaped, and every
 * byte outside printable ASCII (newlines, control characters, UTF-8) becomes `\HH`, so no
 * value can end the string, start a variable or a command, or break the line.
 */
export function quoteRouterOS(value: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte);
    if (c === '"' || c === "\\" || c === "$" || c === "?") out += `\\${c}`;
    else if (byte >= 0x20 && byte < 0x7f) out += c;
    else out += `\\${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return `${out}"`;
}

/** One line of a comment: control characters become spaces so the comment cannot end early. */
export function comment(text: string): string {
  let out = "";
  for (const c of text) out += c < " " || c === "\x7f" ? " " : c;
  return `# ${out}`;
}

/** Parses `a.b.c.d` or `a.b.c.d/n`; `what` names the option in the error. */
export function ipv4Cidr(text: string, what: string): { ip: string; prefix: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5] ?? 32) > 32) {
    throw new TypeError(
      `Cannot generate RouterOS script: ${what} ${JSON.stringify(text)} is not an IPv4 address`,
    );
  }
  return { ip: m.slice(1, 5).join("."), prefix: Number(m[5] ?? 32) };
}

/** The network `a.b.c.d/n` that `ip` lies in. */
export function networkOf(ip: string, prefix: number): string {
  const n = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const net = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join(".")}/${prefix}`;
}
