/**
 * Gateway token lineage: which token minted the pairing code a token was paired with. A token
 * can mint codes (`POST /pair/codes`), so every token minted through it, at any depth, is in
 * the hands of whoever holds it: the gateway records each token's ancestors and the change
 * manager refuses an approval from the requester or anything it minted.
 * @module
 */

/** The part of a `StateStore` lineage needs (kept structural: this is the base layer). */
export interface LineageStore {
  get<T>(key: string): Promise<T | null | undefined>;
  set(key: string, value: unknown, options?: { ttlMs?: number }): Promise<void>;
}

/** What is stored under `token-lineage:<token id>`: ancestor token ids, oldest first. */
export interface TokenLineage {
  ancestors: string[];
}

const PREFIX = "token-lineage:";
/** The deepest chain: a token with this many ancestors may not mint codes (never truncated). */
export const MAX_TOKEN_LINEAGE = 16;

/** Records the ancestors of token `id` (its minter's ancestors plus the minter). */
export async function recordTokenLineage(
  store: LineageStore,
  id: string,
  mintedBy: string | undefined,
  ttlMs: number,
): Promise<void> {
  if (mintedBy === undefined) return;
  const parent = await readTokenAncestors(store, mintedBy);
  const ancestors = [...parent, mintedBy];
  await store.set(PREFIX + id, { ancestors } satisfies TokenLineage, { ttlMs });
}

/** The ancestor token ids of token `id`, oldest first; `[]` for a token paired with an operator's code. */
export async function readTokenAncestors(store: LineageStore, id: string): Promise<string[]> {
  const rec = await store.get<TokenLineage>(PREFIX + id);
  return Array.isArray(rec?.ancestors)
    ? rec.ancestors.filter((a): a is string => typeof a === "string")
    : [];
}
