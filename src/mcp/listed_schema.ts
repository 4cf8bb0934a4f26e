/**
 * The JSON Schemas `tools/list` shows, kept small: every conversation that
 * loads this server pays for them (BENCHMARKS.md, "Tool surface").
 *
 * Parsing is untouched (the zod schemas validate exactly as written); only
 * JSON noise is left out of the listing, through zod metadata whose
 * `undefined` values drop the key from the generated schema:
 * - `$schema`: the keywords used mean the same in draft-07 and 2020-12 (the
 *   dialect MCP assumes when none is named);
 * - in output schemas, `additionalProperties: false` and `required` on every
 *   object: an output schema names each field an answer may have and its
 *   type; the SDK still checks every answer against the full zod schema
 *   before it leaves the server, so a client loses no guarantee;
 * - `propertyNames: {type: "string"}` on records (JSON keys are strings);
 * - `type: "object"` on nested output objects that list `properties`;
 * - the ±2^53 bounds zod writes for every `.int()` output field (outputs
 *   declare no bounds of their own);
 * - descriptions and enum lists in output schemas: an answer's text says
 *   what its values mean, and the tool description what it returns; the
 *   listing keeps each field's name and type.
 * - in input schemas, the generic `maxLength` every text parameter carries
 *   (MAX_PARAMETER_CHARS, a guard against megabytes, far above any valid
 *   value): the tool refuses longer text with a message that says so.
 * Input schemas keep `additionalProperties: false`: unknown parameters are
 * refused (parameters.ts).
 */
import { z } from "zod";
import { closedObject } from "./parameters.ts";
import { MAX_PARAMETER_CHARS } from "./schemas.ts";

const NO_DIALECT = { $schema: undefined };
const OPEN_OUTPUT = { additionalProperties: undefined, required: undefined };

/** A tool's parameters as listed and parsed: closed, without the dialect line. */
export function listedInput<S extends z.ZodRawShape>(shape: S) {
  const root = closedObject(shape);
  for (const child of Object.values(shape)) trimNested(child, { output: false });
  return root.meta(NO_DIALECT);
}

/** A tool's output schema as listed: names and types, without the noise above. */
export function listedOutput<S extends z.ZodRawShape>(shape: S) {
  for (const child of Object.values(shape)) trimNested(child, { output: true });
  return z.object(shape).meta({ ...NO_DIALECT, ...OPEN_OUTPUT });
}

/** Adds `extra` to a schema's registered metadata (in place: the listing reads the registry). */
function addMeta(schema: z.core.$ZodType, extra: Record<string, unknown>): void {
  z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), ...extra });
}

interface TrimOptions {
  output: boolean;
}

/** Walks a schema tree and registers the metadata that trims each node's listing. */
function trimNested(schema: z.core.$ZodType, options: TrimOptions): void {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const walk = (child: unknown) => trimNested(child as z.core.$ZodType, options);
  if (options.output) addMeta(schema, { description: undefined });
  switch (def.type) {
    case "enum":
      if (options.output) addMeta(schema, { enum: undefined });
      return;
    case "object":
      if (options.output) {
        const named = Object.keys(def.shape as z.ZodRawShape).length > 0;
        addMeta(schema, named ? { ...OPEN_OUTPUT, type: undefined } : OPEN_OUTPUT);
      }
      Object.values(def.shape as z.ZodRawShape).forEach(walk);
      if (def.catchall) walk(def.catchall);
      return;
    case "record":
      addMeta(schema, { propertyNames: undefined });
      walk(def.valueType);
      return;
    case "array":
      walk(def.element);
      return;
    case "union":
      (def.options as z.core.$ZodType[]).forEach(walk);
      return;
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
      walk(def.innerType);
      return;
    case "string":
      if (!options.output && hasGenericMaxLength(def)) addMeta(schema, { maxLength: undefined });
      return;
    case "number":
      if (options.output && isSafeInt(def)) {
        addMeta(schema, { minimum: undefined, maximum: undefined });
      }
      return;
  }
}

/** The guard length every checked text parameter has (schemas.ts boundedText). */
function hasGenericMaxLength(def: Record<string, unknown>): boolean {
  return ((def.checks as { _zod: { def: Record<string, unknown> } }[] | undefined) ?? [])
    .some((check) =>
      check._zod.def.check === "max_length" && check._zod.def.maximum === MAX_PARAMETER_CHARS
    );
}

/** `.int()` or z.int(), for which zod lists ±2^53 (output fields set no bounds of their own). */
function isSafeInt(def: Record<string, unknown>): boolean {
  const formats = [
    def,
    ...((def.checks as { _zod: { def: unknown } }[] | undefined) ?? [])
      .map((check) => check._zod.def as Record<string, unknown>),
  ];
  return formats.some((d) => d.format === "safeint");
}
