/**
 * `probeStorage`: the `doctor` / `/health` check of a {@linkcode StateStore}.
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { StateStore } from "./types.ts";

/** Result of {@linkcode probeStorage}. */
export interface StorageProbe {
  ok: boolean;
  /** What was checked, or what failed and how to fix it. */
  detail: string;
}

/**
 * Writes, reads back and removes a short-lived probe key. Never throws.
 * @param options.timeoutMs limit of the whole check. @default {5000}
 */
export async function probeStorage(
  store: StateStore,
  options: { timeoutMs?: number } = {},
): Promise<StorageProbe> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const where = store.location ?? store.kind;
  const key = `_probe:${crypto.randomUUID()}`;
  const nonce = crypto.randomUUID();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([
      (async () => {
        await store.set(key, nonce, { ttlMs: 60_000 });
        const back = await store.get<string>(key);
        await store.remove(key);
        if (back !== nonce) {
          throw new Error("a value written could not be read back");
        }
      })(),
      timeout,
    ]);
    return { ok: true, detail: `storage ${where}: read/write ok` };
  } catch (error) {
    return {
      ok: false,
      detail: `Cannot use storage ${where}: ${errorMessage(error)}; check MIKROCLAW_STORAGE`,
    };
  } finally {
    clearTimeout(timer);
  }
}
