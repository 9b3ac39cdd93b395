/**
 * Shared pieces of console-line translation: the error for a line that has no REST form, the
 * patterns of property names and `*ID`s, and the placeholders a plan fills in once ids are known.
 * @module
 */
import type { ConsoleGroup } from "./tokenize.ts";
import { RouterOSError } from "./routeros_error.ts";

/** A property name as RouterOS writes it (`address`, `.id`, `mac-address`). */
export const PROP: RegExp = /^[A-Za-z.][A-Za-z0-9.\-_]*$/;
/** A RouterOS item id such as `*1A`. */
export const ID: RegExp = /^\*[0-9A-Fa-f]+$/;
/** Stands in a call template for the item ids, filled once they are known. */
export const PLACEHOLDER_ID = "{.id}";
/** Stands in a `move` template for the destination id, filled once it is known. */
export const PLACEHOLDER_DEST = "{destination}";

/** An unnamed argument of a console line: plain text or a `[ … ]` group. */
export type Positional = { kind: "text"; value: string } | {
  kind: "group";
  group: ConsoleGroup;
};

/** Throws the `RouterOSError` for a line that has no REST form, saying why. */
export function unmappable(line: string, reason: string): never {
  throw new RouterOSError(`Cannot map "${line}" to a REST call: ${reason}`, {
    command: line,
  });
}

/** The REST form of a console value: `yes`/`no` become `true`/`false`. */
export function normaliseValue(value: string): string {
  if (value === "yes") return "true";
  if (value === "no") return "false";
  return value;
}

/** A menu path with one more word (`/` + `export` is `/export`). */
export function joinPath(menu: string, word: string): string {
  return menu === "/" ? `/${word}` : `${menu}/${word}`;
}

/** A URL query string of the pairs, each part encoded. */
export function encodeQuery(params: [string, string][]): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}
