/**
 * The body of every tool: arguments validated with valibot before it runs, failures turned
 * into readable results, always a timeout and an output cap. {@linkcode buildTool} takes the
 * JSON Schema ready-made, so the gateway's core never loads `@valibot/to-json-schema`: the
 * built-in tools use the precomputed schemas of `_schemas.ts` ({@linkcode builtinTool}), and
 * the public `defineTool` derives one for a library user's tool.
 * @module
 */
import * as v from "valibot";
import { errorMessage } from "../errors.ts";
import { withDeadline } from "../_internal/deadline.ts";
import type { Tool, ToolContext, ToolEffect, ToolResult } from "./types.ts";
import { BUILTIN_TOOL_SCHEMAS, type BuiltinToolName } from "./_schemas.ts";

/** Default time limit of a tool run. */
export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;
/** Default cap of a tool result, in characters. */
export const DEFAULT_TOOL_OUTPUT_CHARS = 16_000;

/** Options of {@linkcode defineTool}. */
export interface DefineToolOptions<S extends v.GenericSchema> {
  name: string;
  description: string;
  /** Valibot schema of the arguments; its JSON Schema is what the model sees. */
  input: S;
  /** Does the work. Return a string or a JSON-serialisable value; throw to report failure. */
  run(input: v.InferOutput<S>, context: ToolContext): Promise<unknown>;
  /** @default {"read"} */
  effect?: ToolEffect;
  /** @default {30000} */
  timeoutMs?: number;
  /** @default {16000} */
  maxOutputChars?: number;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** Text of a tool's return value. */
function toText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "ok";
  return JSON.stringify(value);
}

/** Cuts `text` to `max` characters, saying how much was dropped. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `\n…[truncated ${text.length - max} of ${text.length} characters]`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues.map((i) => {
    const path = i.path?.map((p) => String(p.key)).join(".");
    return path ? `${path}: ${i.message}` : i.message;
  }).join("; ");
}

// The valibot schema behind each tool's JSON Schema (read by the test that pins the precomputed ones).
const inputs = new WeakMap<Tool, v.GenericSchema>();

/** The valibot schema a tool validates its arguments with (tools built here only). */
export function inputSchemaOf(tool: Tool): v.GenericSchema | undefined {
  return inputs.get(tool);
}

/** Builds a {@linkcode Tool} from a valibot schema, its JSON Schema and a `run` function. */
export function buildTool<S extends v.GenericSchema>(
  options: DefineToolOptions<S>,
  parameters: Record<string, unknown>,
): Tool {
  if (!NAME.test(options.name)) {
    throw new TypeError(
      `Cannot define tool "${options.name}": name must match ${NAME}`,
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const maxOutputChars = options.maxOutputChars ?? DEFAULT_TOOL_OUTPUT_CHARS;
  const fail = (message: string): ToolResult => ({
    content: capText(JSON.stringify({ error: message }), maxOutputChars),
    isError: true,
  });
  const tool: Tool = {
    name: options.name,
    description: options.description,
    parameters,
    effect: options.effect ?? "read",
    timeoutMs,
    maxOutputChars,
    async call(args: unknown, context: ToolContext): Promise<ToolResult> {
      const parsed = v.safeParse(options.input, args ?? {});
      if (!parsed.success) {
        return fail(`Invalid arguments: ${describeIssues(parsed.issues)}`);
      }
      try {
        const value = await withDeadline(
          (signal) => options.run(parsed.output, { ...context, signal }),
          {
            signal: context.signal,
            timeoutMs,
            timeoutReason: () => new Error(`timed out after ${timeoutMs} ms`),
            timedOut: () =>
              new Error(
                `Tool "${options.name}" timed out after ${timeoutMs} ms`,
              ),
            cancelled: () => new Error("Tool call cancelled"),
          },
        );
        return {
          content: capText(toText(value), maxOutputChars),
          isError: false,
        };
      } catch (error) {
        return fail(errorMessage(error));
      }
    },
  };
  inputs.set(tool, options.input);
  return tool;
}

/** A built-in tool: its JSON Schema is the precomputed one of `_schemas.ts` for its name. */
export function builtinTool<S extends v.GenericSchema>(
  options: DefineToolOptions<S>,
): Tool {
  const parameters = BUILTIN_TOOL_SCHEMAS[options.name as BuiltinToolName];
  if (!parameters) {
    throw new TypeError(
      `Cannot build tool "${options.name}": no precomputed JSON Schema`,
    );
  }
  return buildTool(options, structuredClone(parameters));
}
