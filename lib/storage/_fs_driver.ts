/**
 * The unstorage fs driver with safe writes: unstorage's own `setItem` truncates and rewrites
 * the file in place (a crash or a concurrent read sees a torn value) with the default
 * umask. Here a value is written to a private temp file (mode 0600), synced and renamed over
 * the target, which is atomic on POSIX. Loaded lazily (Node APIs) only for `fs:` storage.
 * @module
 */
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { Driver } from "unstorage";

/** Builds the fs driver rooted at `base` (created with mode 0700 if missing). */
export async function safeFsDriver(
  base: string,
): Promise<{ driver: Driver; root: string }> {
  const root = resolve(base);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const { default: fsDriver } = await import("unstorage/drivers/fs");
  // `ignore: []`: the default hides keys named `node_modules` / `.git`.
  const driver = fsDriver({ base: root, ignore: [] });

  function pathOf(key: string): string {
    const path = join(root, key.replace(/:/g, "/"));
    if (path !== root && !path.startsWith(root + sep)) {
      throw new Error(`Cannot write state key outside ${root}`);
    }
    return path;
  }

  async function writeAtomic(
    key: string,
    data: string | Uint8Array,
  ): Promise<void> {
    const path = pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.${crypto.randomUUID()}.tmp`;
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  return {
    root,
    driver: {
      ...driver,
      name: "fs",
      setItem: (key: string, value: string) => writeAtomic(key, value),
      setItemRaw: (key: string, value: unknown) =>
        writeAtomic(key, value instanceof Uint8Array ? value : String(value)),
    },
  };
}
