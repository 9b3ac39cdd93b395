/**
 * The unstorage fs driver with safe writes: unstorage's own `setItem` truncates and rewrites
 * the file in place (a crash or a concurrent read sees a torn value) with the default
 * umask. Here a value is written to a private temp file (mode 0600), synced and renamed over
 * the target, which is atomic on POSIX. Loaded lazily (Node APIs) only for `fs:` storage.
 * @module
 */
import { constants } from "node:fs";
import { access, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { Driver } from "unstorage";

/** Builds the fs driver rooted at `base` (created with mode 0700 if missing). */
export async function safeFsDriver(
  base: string,
): Promise<{ driver: Driver; root: string }> {
  const root = resolve(base);
  await ensureWritableDirectory(root);
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

/**
 * Creates `root` (mode 0700) one level at a time and proves it writable with a probe file, so a
 * bad path fails at once with the errno of the step that failed: Node's recursive `mkdir` spins
 * forever under `/proc`, and `access()` alone misses read-only mounts.
 */
export async function ensureWritableDirectory(root: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = root;;) {
    const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (info !== undefined) {
      if (!info.isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: ${dir} is not a directory`), {
          code: "ENOTDIR",
          path: dir,
        });
      }
      break;
    }
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const dir of missing) {
    await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
  }
  await access(root, constants.W_OK | constants.X_OK);
  const probe = join(root, `.probe-${crypto.randomUUID()}.tmp`);
  const handle = await open(probe, "wx", 0o600);
  await handle.close();
  await rm(probe, { force: true });
}
