/**
 * `defineTool`: a valibot-typed tool whose arguments are validated before it runs, whose
 * failures become readable results, and which always has a timeout and an output cap. Its JSON
 * Schema (what the model sees) is derived from the valibot schema with
 * `@valibot/to-json-schema`, unless `parameters` gives it ready-made.
 * @module
 */
import type * as v from "valibot";
import { toJsonSchema } from "@valibot/to-json-schema";
import type { Tool } from "./types.ts";
import { buildTool, type DefineToolOptions } from "./_tool.ts";

export {
  capText,
  DEFAULT_TOOL_OUTPUT_CHARS,
  DEFAULT_TOOL_TIMEOUT_MS,
  type DefineToolOptions,
} from "./_tool.ts";

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

/** Builds a {@linkcode Tool} from a valibot schema and a `run` function. */
export function defineTool<S extends v.GenericSchema>(
  options: DefineToolOptions<S> & {
    /** The JSON Schema of `input`, ready-made; derived from `input` when omitted. */
    parameters?: Record<string, unknown>;
  },
): Tool {
  return buildTool(options, options.parameters ?? jsonSchemaOf(options.input));
}
