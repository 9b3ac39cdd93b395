/**
 * `file_write`: writes a text file inside the workspace, atomically (guarded, capped).
 * @module
 */
import * as v from "valibot";
import { builtinTool } from "./_tool.ts";
import type { Tool } from "./types.ts";
import { workspaceOf, type WorkspaceSource } from "./_workspace_source.ts";

/** Options of {@linkcode fileWriteTool}. */
export interface FileWriteToolOptions {
  /** The guarded workspace (`createWorkspace`); its `maxWriteBytes` caps the content. */
  workspace: WorkspaceSource;
}

const Input = v.object({ path: v.string(), content: v.string() });

/** Builds the `file_write` tool. */
export function fileWriteTool(options: FileWriteToolOptions): Tool {
  return builtinTool({
    name: "file_write",
    description: "Write file in workspace",
    input: Input,
    effect: "write",
    async run({ path, content }) {
      const written = await (await workspaceOf(options.workspace)).writeText(path, content);
      return `wrote ${written.bytes} bytes to ${written.path}`;
    },
  });
}
