/**
 * `skill_list` and `skill_invoke`: executables placed directly in `SKILLS_DIR`, run with an
 * argv (never a shell), the params as one argument and on stdin, a scrubbed environment, a
 * time limit, an output cap and a process-group kill. Nothing else in the directory is ever
 * run: no "prerequisites", install steps or SKILL.md instructions.
 * @module
 */
import * as v from "valibot";
import { builtinTool } from "./_tool.ts";
import type { Tool } from "./types.ts";
import { AgentError, ErrorCode, PolicyError } from "../errors.ts";

/** Options of {@linkcode skillListTool} and {@linkcode skillInvokeTool}. */
export interface SkillsToolOptions {
  /** `SKILLS_DIR`; unset means skills are not configured. */
  dir?: string | undefined;
  /** Working directory of a skill. @default {the skills directory} */
  cwd?: string;
  /** Time limit of one run. @default {30000} */
  timeoutMs?: number;
  /** Cap of stdout + stderr in bytes. @default {65536} */
  maxOutputBytes?: number;
}

const SKILL_NAME = /^[a-z0-9_-]{1,64}$/;

function notConfigured(): AgentError {
  return new AgentError(
    "Cannot use skills: no skills directory is configured; set SKILLS_DIR to a directory of executables",
    { code: ErrorCode.NotConfigured },
  );
}

interface SkillEntry {
  name: string;
  /** Absolute real path when runnable. */
  file?: string;
  /** Why it is not runnable. */
  skipped?: string;
}

async function realDir(dir: string): Promise<string> {
  const fs = await import("node:fs");
  try {
    const real = await fs.promises.realpath(dir);
    if (!(await fs.promises.stat(real)).isDirectory()) throw new Error("not a directory");
    return real;
  } catch (error) {
    throw new AgentError(`Cannot use skills: SKILLS_DIR ${dir} is not a readable directory`, {
      code: ErrorCode.NotConfigured,
      cause: error,
    });
  }
}

async function inspect(base: string, name: string): Promise<SkillEntry> {
  const fs = await import("node:fs");
  if (!SKILL_NAME.test(name)) return { name, skipped: "name is not [a-z0-9_-]{1,64}" };
  const path = `${base}/${name}`;
  let st = await fs.promises.lstat(path).catch(() => undefined);
  if (!st) return { name, skipped: "not found" };
  let file = path;
  if (st.isSymbolicLink()) {
    const real = await fs.promises.realpath(path).catch(() => "");
    if (!real || !real.startsWith(base + "/") || real.slice(base.length + 1).includes("/")) {
      return { name, skipped: "symbolic link leading out of the skills directory" };
    }
    file = real;
    st = await fs.promises.stat(real);
  }
  if (!st.isFile()) return { name, skipped: "not a regular file" };
  if ((st.mode & 0o111) === 0) return { name, skipped: "not executable" };
  if ((st.mode & 0o002) !== 0) return { name, skipped: "world-writable (refused)" };
  return { name, file };
}

/** Builds the `skill_list` tool. */
export function skillListTool(options: SkillsToolOptions = {}): Tool {
  return builtinTool({
    name: "skill_list",
    description: "List skills directory entries",
    input: v.object({}),
    async run() {
      if (!options.dir) throw notConfigured();
      const base = await realDir(options.dir);
      const fs = await import("node:fs");
      const names = (await fs.promises.readdir(base)).sort();
      const entries = await Promise.all(names.map((n) => inspect(base, n)));
      const runnable = entries.filter((e) => e.file).map((e) => e.name);
      const lines = [
        runnable.length ? `skills: ${runnable.join(", ")}` : "skills: (none)",
        ...entries.filter((e) => e.skipped).map((e) =>
          `not runnable: ${JSON.stringify(e.name.slice(0, 80))} (${e.skipped})`
        ),
      ];
      return lines.join("\n");
    },
  });
}

/** Builds the `skill_invoke` tool. */
export function skillInvokeTool(options: SkillsToolOptions = {}): Tool {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxOutputBytes = options.maxOutputBytes ?? 65_536;
  return builtinTool({
    name: "skill_invoke",
    description: "Invoke executable skill from skills directory",
    input: v.object({ skill: v.string(), params: v.optional(v.string()) }),
    effect: "write",
    timeoutMs: timeoutMs + 5_000,
    async run({ skill, params }, context) {
      if (!options.dir) throw notConfigured();
      if (!SKILL_NAME.test(skill)) {
        throw new PolicyError(
          `Cannot invoke skill "${
            skill.slice(0, 80)
          }": names are 1-64 characters of a-z, 0-9, "_" and "-"`,
        );
      }
      if (params !== undefined && (params.includes("\0") || params.length > 65_536)) {
        throw new PolicyError(
          `Cannot invoke skill "${skill}": params contain NUL or exceed 65536 characters`,
        );
      }
      const base = await realDir(options.dir);
      const entry = await inspect(base, skill);
      if (!entry.file) {
        throw new PolicyError(`Cannot invoke skill "${skill}": ${entry.skipped} (see skill_list)`);
      }
      const [{ TRUSTED_PATH }, { formatProcessResult, runProcess }] = await Promise.all([
        import("../security/shell.ts"),
        import("../security/_process.ts"),
      ]);
      const result = await runProcess({
        file: entry.file,
        args: params !== undefined ? [params] : [],
        stdin: params,
        cwd: options.cwd ?? base,
        env: { PATH: TRUSTED_PATH, LANG: "C.UTF-8", MIKROCLAW_SKILL: skill },
        timeoutMs,
        maxOutputBytes,
        signal: context.signal,
      });
      if (result.timedOut) {
        throw new AgentError(
          `Cannot invoke skill "${skill}": timed out after ${timeoutMs} ms (process group killed)\n${
            formatProcessResult(result)
          }`,
          { code: ErrorCode.ToolTimeout },
        );
      }
      if (result.aborted) throw new AgentError("Tool call cancelled", { code: ErrorCode.Aborted });
      return formatProcessResult(result);
    },
  });
}
