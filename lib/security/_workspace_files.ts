/**
 * Reading and writing inside the workspace once a path is checked: opened with `O_NOFOLLOW`,
 * the opened file verified again (so a link swapped in cannot escape), writes atomic.
 * @module
 */
import { PolicyError } from "../errors.ts";
import { errnoCode, fail, isInside, relativeTo } from "./_workspace_paths.ts";
import { linkCheck, type PathRules } from "./_workspace_rules.ts";
import type { ReadTextResult } from "./workspace.ts";

/** What {@linkcode createFileAccess} needs from its workspace. */
export interface FileAccessOptions {
  /** The checked real path of an existing file to read. */
  resolveForRead(path: string, action: string): Promise<string>;
  /** The checked real path of a file to write. */
  resolveForWrite(path: string): Promise<string>;
  realRoot(): Promise<string>;
  loadFs(): Promise<typeof import("node:fs")>;
  rules: PathRules;
  maxReadBytes: number;
  maxWriteBytes: number;
  beforeOpen?: ((path: string) => void | Promise<void>) | undefined;
}

/** The file reads and writes of a workspace. */
export interface FileAccess {
  readText(path: string): Promise<ReadTextResult>;
  writeText(path: string, content: string): Promise<{ path: string; bytes: number }>;
}

/** Builds the guarded reads and writes of one workspace. */
export function createFileAccess(options: FileAccessOptions): FileAccess {
  const { resolveForRead, resolveForWrite, realRoot, loadFs, rules, beforeOpen } = options;
  const { maxReadBytes, maxWriteBytes } = options;

  /** Verifies the file behind `handle` is the checked one and inside the root. */
  async function verifyOpened(
    handle: import("node:fs/promises").FileHandle,
    checkedPath: string,
    base: string,
    shown: string,
    action: string,
  ): Promise<void> {
    const fs = await loadFs();
    const st = await handle.stat();
    let actual: string | undefined;
    try {
      const viaProc = await fs.promises.readlink(`/proc/self/fd/${handle.fd}`);
      const procStat = await fs.promises.stat(viaProc);
      if (procStat.dev === st.dev && procStat.ino === st.ino) actual = viaProc;
    } catch {
      // no /proc here (or a runtime whose fd numbers are not the OS's): use the real path
    }
    if (actual === undefined) {
      const real = await fs.promises.realpath(checkedPath).catch(() => "");
      const realStat = real ? await fs.promises.stat(real).catch(() => undefined) : undefined;
      if (!realStat || realStat.dev !== st.dev || realStat.ino !== st.ino) {
        throw new PolicyError(
          `Cannot ${action} "${shown}": the file changed while it was opened (possible symbolic link swap)`,
        );
      }
      actual = real;
    }
    if (!isInside(base, actual)) {
      throw new PolicyError(
        `Cannot ${action} "${shown}": the opened file is outside the workspace (symbolic link swapped in)`,
      );
    }
    await rules.checkReal(base, actual, shown, action);
  }

  /** Reads a text file (up to the read limit), refusing binary files. */
  async function readText(path: string): Promise<ReadTextResult> {
    const real = await resolveForRead(path, "read");
    const base = await realRoot();
    const fs = await loadFs();
    await beforeOpen?.(real);
    const { O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants;
    let handle: import("node:fs/promises").FileHandle;
    try {
      handle = await fs.promises.open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
      if (errnoCode(error) === "ELOOP" || errnoCode(error) === "EMLINK") {
        throw new PolicyError(
          `Cannot read "${path}": it became a symbolic link (links are not followed)`,
        );
      }
      if (errnoCode(error) === "ENOENT") {
        throw fail(`Cannot read "${path}": no such file in the workspace`, error);
      }
      throw fail(`Cannot read "${path}": ${(error as Error).message}`, error);
    }
    try {
      const st = await handle.stat();
      if (st.isDirectory()) {
        throw fail(`Cannot read "${path}": it is a directory (use shell_exec ls to list)`);
      }
      if (!st.isFile()) throw new PolicyError(`Cannot read "${path}": not a regular file`);
      linkCheck(st, path, "read");
      await verifyOpened(handle, real, base, path, "read");
      const want = Math.min(st.size, maxReadBytes);
      const buffer = new Uint8Array(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await handle.read(buffer, got, want - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      const bytes = buffer.subarray(0, got);
      if (bytes.includes(0)) throw fail(`Cannot read "${path}": it looks like a binary file`);
      return {
        text: new TextDecoder().decode(bytes),
        size: st.size,
        truncated: st.size > got,
      };
    } finally {
      await handle.close().catch(() => {});
    }
  }

  /** Writes a text file atomically: a temporary file, then a rename. */
  async function writeText(
    path: string,
    content: string,
  ): Promise<{ path: string; bytes: number }> {
    const data = new TextEncoder().encode(content);
    if (data.byteLength > maxWriteBytes) {
      throw new PolicyError(
        `Cannot write "${path}": content is ${data.byteLength} bytes, over the ${maxWriteBytes}-byte limit`,
      );
    }
    const target = await resolveForWrite(path);
    const base = await realRoot();
    const fs = await loadFs();
    const dir = target.slice(0, target.lastIndexOf("/"));
    await beforeOpen?.(target);
    const random = Array.from(
      crypto.getRandomValues(new Uint8Array(8)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const temp = `${dir}/.mikroclaw-tmp-${random}`;
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW = 0 } = fs.constants;
    let handle: import("node:fs/promises").FileHandle | undefined;
    let renamed = false;
    try {
      try {
        handle = await fs.promises.open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
      } catch (error) {
        throw fail(`Cannot write "${path}": ${(error as Error).message}`, error);
      }
      await verifyOpened(handle, temp, base, path, "write");
      await handle.writeFile(data);
      await handle.sync().catch(() => {});
      await handle.close();
      handle = undefined;
      // Re-check right before the rename: the directory is still the checked one, and the
      // target has not become a link.
      const dirNow = await fs.promises.realpath(dir).catch(() => "");
      if (dirNow !== dir || !isInside(base, dirNow)) {
        throw new PolicyError(
          `Cannot write "${path}": the directory changed during the write (possible symbolic link swap)`,
        );
      }
      const targetNow = await fs.promises.lstat(target).catch(() => undefined);
      if (targetNow?.isSymbolicLink()) {
        throw new PolicyError(
          `Cannot write "${path}": the target is a symbolic link (links are never followed or replaced)`,
        );
      }
      if (targetNow && !targetNow.isFile()) {
        throw fail(`Cannot write "${path}": the target exists and is not a regular file`);
      }
      await fs.promises.rename(temp, target);
      renamed = true;
      return { path: relativeTo(base, target), bytes: data.byteLength };
    } finally {
      if (handle) await handle.close().catch(() => {});
      if (!renamed) await fs.promises.unlink(temp).catch(() => {});
    }
  }

  return { readText, writeText };
}
