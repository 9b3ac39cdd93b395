/**
 * Path text of the workspace guard, without touching the file system: normalising, containment,
 * the lexical refusals, and the guard's errors.
 * @module
 */
import { AgentError, ErrorCode, PolicyError } from "../errors.ts";

/** A workspace failure that is not a policy refusal (missing file, I/O error). */
export function fail(message: string, cause?: unknown): AgentError {
  return new AgentError(message, { code: ErrorCode.ToolExecution, cause });
}

/** The `code` of a file-system error (`ENOENT`, `ELOOP`, …). */
export function errnoCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/** POSIX normalisation of an absolute path (no file-system access). */
export function normalizeAbsolute(path: string): string {
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return "/" + out.join("/");
}

/** A file's identity: device and inode. */
export function pathKey(st: { dev: number; ino: number }): string {
  return `${st.dev}:${st.ino}`;
}

/** Whether `path` is `root` or lies under it. */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : root + "/");
}

/** `path` relative to `root` (which must hold it); `""` for the root itself. */
export function relativeTo(root: string, path: string): string {
  return path === root ? "" : path.slice(root.length + (root.endsWith("/") ? 0 : 1));
}

/**
 * Checks a path's text (no file-system access): refuses NUL, control characters, backslashes,
 * absolute paths, `..` and `~`, also after percent-decoding; returns it relative and clean.
 */
export function checkPathText(path: string, action: string): string {
  if (typeof path !== "string") throw new TypeError("Cannot check path: not a string");
  const shown = path.slice(0, 200);
  if (path.length > 4096) {
    throw new PolicyError(`Cannot ${action} path: longer than 4096 characters`);
  }
  const layers = [path];
  let current = path;
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(current); i++) {
    try {
      current = decodeURIComponent(current);
    } catch {
      break;
    }
    layers.push(current);
  }
  for (const [i, layer] of layers.entries()) {
    const how = i === 0 ? "" : " (after percent-decoding)";
    if (layer.includes("\0")) {
      throw new PolicyError(`Cannot ${action} "${shown}": the path contains a NUL byte${how}`);
    }
    // deno-lint-ignore no-control-regex
    if (/[\x01-\x1f\x7f]/.test(layer)) {
      throw new PolicyError(
        `Cannot ${action} "${shown}": the path contains control characters${how}`,
      );
    }
    if (layer.includes("\\")) {
      throw new PolicyError(
        `Cannot ${action} "${shown}": backslashes are not allowed in paths${how}; use "/"`,
      );
    }
    if (layer.startsWith("/") || /^[a-zA-Z]:/.test(layer)) {
      throw new PolicyError(
        `Cannot ${action} "${shown}": absolute paths are not allowed${how}; use a path relative to the workspace`,
      );
    }
    if (layer.split("/").includes("..")) {
      throw new PolicyError(
        `Cannot ${action} "${shown}": ".." segments are not allowed${how}; paths stay inside the workspace`,
      );
    }
    if (layer.startsWith("~")) {
      throw new PolicyError(
        `Cannot ${action} "${shown}": "~" is not expanded; use a path relative to the workspace`,
      );
    }
  }
  return path.split("/").filter((s) => s !== "" && s !== ".").join("/");
}
