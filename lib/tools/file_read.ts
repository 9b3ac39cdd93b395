/**
 * `file_read`: reads a text file inside the workspace (guarded, capped).
 * @module
 */
import * as v from "valibot";
import { builtinTool } from "./_tool.ts";
import type { Tool } from "./types.ts";
import { workspaceOf, type WorkspaceSource } from "./_workspace_source.ts";

/** Options of {@linkcode fileReadTool}. */
export interface FileReadToolOptions {
  /** The guarded workspace (`createWorkspace`); its `maxReadBytes` caps the read. */
  workspace: WorkspaceSource;
  /** Longest text handed to the model (the rest is cut with a note). @default {32000} */
  maxOutputChars?: number;
}

const Input = v.object({ path: v.string() });

/** Builds the `file_read` tool. */
export function fileReadTool(options: FileReadToolOptions): Tool {
  return builtinTool({
    name: "file_read",
    description: "Read file in workspace",
    input: Input,
    maxOutputChars: options.maxOutputChars ?? 32_000,
    async run({ path }) {
      const result = await (await workspaceOf(options.workspace)).readText(path);
      if (!result.truncated) return result.text;
      return `${result.text}\n…[file is ${result.size} bytes; only the first ${
        new TextEncoder().encode(result.text).byteLength
      } bytes were read]`;
    },
  });
}
