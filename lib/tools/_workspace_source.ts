/**
 * A workspace given directly or as a loader, so the guard code loads only when a file or shell
 * tool first runs.
 * @module
 */
import type { Workspace } from "../security/workspace.ts";

/** A {@linkcode Workspace}, or a function that resolves one (called on every use; memoize it). */
export type WorkspaceSource = Workspace | (() => Promise<Workspace>);

/** The workspace behind `source`. */
export function workspaceOf(source: WorkspaceSource): Promise<Workspace> {
  return typeof source === "function" ? source() : Promise.resolve(source);
}
