/**
 * The `select` resource: PBS's chunk request language.
 *
 * Grammar (facts from OpenPBS src/lib/Libifl/grunt_parse.c and the PBS
 * Reference Guide):
 *
 *   select := chunk ( "+" chunk )*
 *   chunk  := count | [count ":"] resc ( ":" resc )*
 *   resc   := name "=" value      name starts with a letter
 *
 * The count defaults to 1 and a chunk may be a bare count (`select=2`). A value
 * runs to the next `:`; it may be wrapped in `"` or `'` to contain `:` or `+`.
 * We are stricter than PBS in two harmless ways: empty values and a count of 0
 * are rejected, since neither can be what a user meant.
 */

import { getOwn, setOwn } from "../keyed.ts";
import { invalidInput } from "../errors.ts";
import { parseSize } from "./time.ts";

export interface SelectChunk {
  count: number;
  resources: Record<string, string>;
}

export interface SelectTotals {
  /** Sum of chunk counts (PBS's `nodect`). */
  nodes: number;
  ncpus: number;
  ngpus: number;
  memBytes: number;
}

const GRAMMAR_HINT =
  "Use [N:]resource=value[:resource=value...], chunks joined with '+', e.g. 2:ncpus=4:mem=8gb+1:ngpus=1.";
const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const COUNT_RE = /^\d+$/;

/** Parses a select specification; throws `invalid_input` (with a hint) on bad grammar. */
export function parseSelect(spec: string): SelectChunk[] {
  if (spec.trim() === "") throw badSelect(spec, "it is empty");
  return splitOutsideQuotes(spec, "+", spec).map((chunk) => parseChunk(chunk, spec));
}

function parseChunk(text: string, spec: string): SelectChunk {
  const fields = splitOutsideQuotes(text, ":", spec).map((f) => f.trim());
  if (fields.length === 1 && fields[0] === "") throw badSelect(spec, "it has an empty chunk");
  let count = 1;
  if (COUNT_RE.test(fields[0])) {
    count = Number(fields.shift());
    if (count < 1 || !Number.isSafeInteger(count)) {
      throw badSelect(spec, `chunk count ${count} is not a positive integer`);
    }
  }
  const resources: Record<string, string> = {};
  for (const field of fields) {
    const [name, value] = parseResource(field, spec);
    if (Object.hasOwn(resources, name)) {
      throw badSelect(spec, `resource '${name}' appears twice in one chunk`);
    }
    setOwn(resources, name, value);
  }
  return { count, resources };
}

function parseResource(field: string, spec: string): [string, string] {
  if (field === "") throw badSelect(spec, "it has an empty resource (a stray ':')");
  const eq = field.indexOf("=");
  if (eq < 0) throw badSelect(spec, `'${field}' is not resource=value`);
  const name = field.slice(0, eq).trim();
  const value = unquote(field.slice(eq + 1).trim());
  if (!NAME_RE.test(name)) throw badSelect(spec, `'${name}' is not a resource name`);
  if (value === "") throw badSelect(spec, `resource '${name}' has no value`);
  return [name, value];
}

/** Splits on `sep` except inside '...' or "..."; an unclosed quote is a grammar error. */
function splitOutsideQuotes(text: string, sep: string, spec: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === sep) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  if (quote) throw badSelect(spec, "it has an unclosed quote");
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  const first = value.charAt(0);
  if ((first === '"' || first === "'") && value.length >= 2 && value.endsWith(first)) {
    return value.slice(1, -1);
  }
  return value;
}

function badSelect(spec: string, why: string) {
  return invalidInput(`Invalid select specification '${spec}': ${why}.`, GRAMMAR_HINT);
}

/**
 * Formats chunks back into a select string. The count is always written
 * (`1:ncpus=2`, as PBS users usually do); values holding `:`, `+`, quotes or
 * spaces are quoted.
 */
export function formatSelect(chunks: readonly SelectChunk[]): string {
  if (chunks.length === 0) throw invalidInput("A select needs at least one chunk.", GRAMMAR_HINT);
  return chunks.map(formatChunk).join("+");
}

function formatChunk(chunk: SelectChunk): string {
  if (!Number.isSafeInteger(chunk.count) || chunk.count < 1) {
    throw invalidInput(`Chunk count ${chunk.count} is not a positive integer.`, GRAMMAR_HINT);
  }
  const fields = [String(chunk.count)];
  for (const [name, value] of Object.entries(chunk.resources)) {
    if (!NAME_RE.test(name)) {
      throw invalidInput(`'${name}' is not a resource name.`, GRAMMAR_HINT);
    }
    if (value === "") throw invalidInput(`Resource '${name}' has no value.`, GRAMMAR_HINT);
    fields.push(`${name}=${quoteIfNeeded(name, value)}`);
  }
  return fields.join(":");
}

function quoteIfNeeded(name: string, value: string): string {
  const plain = !/[:+"'\s]/.test(value) && value.trim() === value;
  if (plain) return value;
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  throw invalidInput(
    `The value of '${name}' contains both quote characters and cannot be written in a select.`,
    "Remove either the single or the double quotes from the value.",
  );
}

/**
 * What a select asks for in total. A chunk without `ncpus` counts one CPU
 * (PBS's stock `default_chunk.ncpus = 1`; a site may configure otherwise);
 * missing `ngpus` and `mem` count zero. Non-numeric values throw.
 */
export function selectTotals(chunks: readonly SelectChunk[]): SelectTotals {
  const totals: SelectTotals = { nodes: 0, ncpus: 0, ngpus: 0, memBytes: 0 };
  for (const { count, resources } of chunks) {
    totals.nodes += count;
    totals.ncpus += count * countResource(resources, "ncpus", 1);
    totals.ngpus += count * countResource(resources, "ngpus", 0);
    totals.memBytes += count * memResource(resources);
  }
  return totals;
}

function countResource(resources: Record<string, string>, name: string, dflt: number): number {
  const value = getOwn(resources, name);
  if (value === undefined) return dflt;
  if (!COUNT_RE.test(value)) {
    throw invalidInput(`${name}=${value} is not a whole number.`, `Give ${name} as an integer.`);
  }
  return Number(value);
}

function memResource(resources: Record<string, string>): number {
  const value = resources.mem;
  if (value === undefined) return 0;
  const bytes = parseSize(value);
  if (bytes === undefined) {
    throw invalidInput(`mem=${value} is not a PBS size.`, "Give mem like 512mb, 8gb or 1tb.");
  }
  return bytes;
}
