/**
 * Where a setting lands in {@linkcode Config}: the dotted paths of its fields and the value type
 * at each, so the settings table is checked against the `Config` type it fills.
 */
import type { Secret } from "../secrets/secret.ts";
import type { Allowlist, Config } from "./types.ts";

/** A field that holds one setting's value (the groups around them are not leaves). */
type Leaf = string | number | boolean | Secret | Allowlist | readonly unknown[] | undefined;

type PathsOf<T> = {
  [K in keyof T & string]: T[K] extends Leaf ? K : `${K}.${PathsOf<T[K]>}`;
}[keyof T & string];

/** Every field of `Config` a setting can fill, e.g. `"gateway.port"`. */
export type ConfigPath = PathsOf<Omit<Config, "file">>;

type ValueAt<T, P extends string> = P extends `${infer Head}.${infer Rest}`
  ? Head extends keyof T ? ValueAt<T[Head], Rest> : never
  : P extends keyof T ? T[P]
  : never;

/** The type of the `Config` field at `P`. */
export type ConfigValue<P extends ConfigPath> = ValueAt<Config, P>;

/**
 * Puts `value` at `path` of `target`, creating the groups on the way. The first defined value
 * wins, so aliases listed in lookup order (a provider's key names) keep the first one set.
 */
export function placeValue(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop()!;
  let node = target;
  for (const key of keys) node = (node[key] ??= {}) as Record<string, unknown>;
  node[last] ??= value;
}
