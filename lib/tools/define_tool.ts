/**
 * `defineTool`: a valibot-typed tool whose arguments are validated before it runs, whose
 * failures become readable results, and which always has a timeout and an output cap.
 * @module
 */
import * as v from "valibot";
import { toJsonSchema } from "@valibot/to-json-schema";
import { errorMessage } from "../errors.ts";
import type { Tool, ToolContext, ToolEffect, ToolResult } from "./types.ts";

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
// One shared reason: building an error (and its stack) for every finished call is costly.
const TOOL_FINISHED = new Error("tool call finished");

/** JSON Schema of a valibot object schema, without the `$schema` marker. */
export function jsonSchemaOf(schema: v.GenericSchema): Record<string, unknown> {
  const { $schema: _, ...rest } = toJsonSchema(schema, { errorMode: "ignore" }) as Record<
    string,
    unknown
  >;
  // An empty `required` list says nothing; drop it so schemas match the seed's exactly.
  if (Array.isArray(rest.required) && rest.required.length === 0) delete rest.required;
  return rest;
}

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

/** Builds a {@linkcode Tool} from a valibot schema and a `run` function. */
export function defineTool<S extends v.GenericSchema>(options: DefineToolOptions<S>): Tool {
  if (!NAME.test(options.name)) {
    throw new TypeError(`Cannot define tool "${options.name}": name must match ${NAME}`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const maxOutputChars = options.maxOutputChars ?? DEFAULT_TOOL_OUTPUT_CHARS;
  const fail = (message: string): ToolResult => ({
    content: capText(JSON.stringify({ error: message }), maxOutputChars),
    isError: true,
  });
  return {
    name: options.name,
    description: options.description,
    parameters: jsonSchemaOf(options.input),
    effect: options.effect ?? "read",
    timeoutMs,
    maxOutputChars,
    async call(args: unknown, context: ToolContext): Promise<ToolResult> {
      const parsed = v.safeParse(options.input, args ?? {});
      if (!parsed.success) return fail(`Invalid arguments: ${describeIssues(parsed.issues)}`);
      const controller = new AbortController();
      const signal = AbortSignal.any([context.signal, controller.signal]);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort(new Error(`timed out after ${timeoutMs} ms`));
          reject(new Error(`Tool "${options.name}" timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      });
      const aborted = new Promise<never>((_, reject) => {
        if (context.signal.aborted) reject(new Error("Tool call cancelled"));
        context.signal.addEventListener("abort", () => reject(new Error("Tool call cancelled")), {
          once: true,
        });
      });
      try {
        const value = await Promise.race([
          options.run(parsed.output, { ...context, signal }),
          timeout,
          aborted,
        ]);
        return { content: capText(toText(value), maxOutputChars), isError: false };
      } catch (error) {
        return fail(errorMessage(error));
      } finally {
        clearTimeout(timer);
        if (!controller.signal.aborted) controller.abort(TOOL_FINISHED);
      }
    },
  };
}
