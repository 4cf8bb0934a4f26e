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
 * - `type` on nested output objects, records and arrays: `properties`,
 *   `additionalProperties` and `items` already say what the value is;
 * - the ±2^53 bounds zod writes for every `.int()` output field (outputs
 *   declare no bounds of their own);
 * - descriptions and enum lists in output schemas: an answer's text says
 *   what its values mean, and the tool description what it returns; the
 *   listing keeps each field's name and type.
 * - in input schemas, guard bounds no valid request meets: the `maxLength`
 *   of MAX_PARAMETER_CHARS or more every text parameter carries, and maxima
 *   of a million or more; the tool refuses such input with a message that
 *   says so.
 * Input schemas keep `additionalProperties: false`: unknown parameters are
 * refused (parameters.ts).
 */
import { z } from "zod";
import { closedObject } from "./parameters.ts";
import { MAX_PARAMETER_CHARS } from "./schemas.ts";

const NO_DIALECT = { $schema: undefined };
const OPEN_OUTPUT = { additionalProperties: undefined, required: undefined };
const RECORD_OUTPUT = { propertyNames: undefined, type: undefined };

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
  // Only where there is one: a registry entry on a plain union stops zod from
  // listing it as a short `type: [...]`.
  if (options.output && z.globalRegistry.get(schema)?.description !== undefined) {
    addMeta(schema, { description: undefined });
  }
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
      addMeta(schema, options.output ? RECORD_OUTPUT : { propertyNames: undefined });
      walk(def.valueType);
      return;
    case "array":
      if (options.output) addMeta(schema, { type: undefined });
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
      if (!options.output && isGuardBound(def, "max_length")) {
        addMeta(schema, { maxLength: undefined });
      }
      return;
    case "number":
      if (options.output && isSafeInt(def)) {
        addMeta(schema, { minimum: undefined, maximum: undefined });
      } else if (!options.output && isGuardBound(def, "less_than")) {
        addMeta(schema, { maximum: undefined });
      }
      return;
  }
}

/**
 * A bound that only guards against absurd input (schemas.ts: every text
 * parameter's MAX_PARAMETER_CHARS and longer caps such as a script's; counts of
 * a million or more), not one a valid request could meet.
 */
function isGuardBound(def: Record<string, unknown>, kind: "max_length" | "less_than"): boolean {
  return ((def.checks as { _zod: { def: Record<string, unknown> } }[] | undefined) ?? [])
    .some(({ _zod: { def: check } }) =>
      kind === "max_length"
        ? check.check === "max_length" && Number(check.maximum) >= MAX_PARAMETER_CHARS
        : check.check === "less_than" && Number(check.value) >= 1_000_000
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
