/**
 * Helpers shared by the PBS object parsers: turning attribute values (JSON or
 * text) into the flat text form the domain model keeps, and reading the small
 * value formats PBS uses (`state_count`, `True`/`False`, comma lists).
 */

import { getOwn, setOwn } from "../keyed.ts";
import type { PbsValue, ResourceMap } from "../model/types.ts";
import { readPbsJsonDocuments, wrongShape } from "../json.ts";

/** A flat attribute map: `Resource_List.walltime` → `00:30:00`, every value as text. */
export type FlatAttributes = Record<string, string>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keys OpenPBS writes at the top of every `-F json` document (qstat.c, pbsnodes.c). */
const HEADER_KEYS = ["timestamp", "pbs_version", "pbs_server"];

/**
 * The objects under `section` (`Jobs`, `Queue`, `Server`, `nodes`) across every
 * JSON document in `text`, as name → object. A PBS document without the
 * section key is PBS's way of saying "none"; anything else of the wrong shape
 * is a parse_error, never an empty or partial answer.
 */
export function sectionEntries(
  text: string,
  section: string,
): Array<[string, Record<string, unknown>]> {
  const entries: Array<[string, Record<string, unknown>]> = [];
  for (const document of readPbsJsonDocuments(text)) {
    if (!Object.hasOwn(document, section)) {
      if (!HEADER_KEYS.some((key) => Object.hasOwn(document, key))) {
        throw wrongShape(text, `no "${section}" and none of ${HEADER_KEYS.join(", ")}`);
      }
      continue;
    }
    const objects = document[section];
    if (!isRecord(objects)) throw wrongShape(text, `"${section}" is not an object`);
    for (const [name, value] of Object.entries(objects)) {
      if (!isRecord(value)) {
        throw wrongShape(
          text,
          `"${section}" entry ${JSON.stringify(name.slice(0, 80))} is not an object`,
        );
      }
      entries.push([name, value]);
    }
  }
  return entries;
}

/**
 * One attribute value as text. Numbers print as their JSON text, JSON `true`
 * as `true` (PBS's JSON only ever produces real booleans by type-inferring a
 * `Variable_List` value that was the text `true`), lists as `a, b` (pbsnodes'
 * `jobs`), null as empty.
 */
export function valueToText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null || value === undefined) return "";
  if (Array.isArray(value) && value.every((v) => !isRecord(v) && !Array.isArray(v))) {
    return value.map(valueToText).join(", ");
  }
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return ""; // absurdly deep input; nothing sensible to print
  }
}

/**
 * Escapes a `Variable_List` value the way `qstat -f` prints it: commas inside a
 * value become `\,` so the list can be split again.
 */
function escapeVariableValue(value: string): string {
  return value.includes(",") ? value.replaceAll(",", "\\,") : value;
}

/** `Variable_List` as `qstat -f` prints it: `A=1,B=x\,y`. */
export function variablesToText(variables: Record<string, string>): string {
  return Object.entries(variables).map(([k, v]) => `${k}=${escapeVariableValue(v)}`).join(",");
}

/**
 * A value swallowed by the release 23.06 client's empty-value bug: `EMPTY=`
 * followed by `NEXT=x` comes out as `"EMPTY": ",NEXT=x"`.
 */
const SWALLOWED_VARIABLE = /^,([A-Za-z_][A-Za-z0-9_]*)=/;

/**
 * JSON `Variable_List` object → name → text (JSON type inference undone as far
 * as possible), repairing the release client's empty-value bug when the
 * swallowed variable is otherwise missing.
 */
export function variablesFromJson(value: unknown): Record<string, string> {
  const variables: Record<string, string> = {};
  if (!isRecord(value)) return variables;
  for (const [name, v] of Object.entries(value)) {
    const text = valueToText(v);
    const swallowed = SWALLOWED_VARIABLE.exec(text);
    if (swallowed && !Object.hasOwn(value, swallowed[1])) {
      setOwn(variables, name, "");
      setOwn(variables, swallowed[1], text.slice(swallowed[0].length));
    } else {
      setOwn(variables, name, text);
    }
  }
  return variables;
}

/**
 * Text `Variable_List` (`A=1,B=x\,y,EMPTY=`) → name → value. Only `\,` is an
 * escape; other backslashes are part of the value (PBS's JSON agrees).
 */
export function variablesFromText(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const item of splitEscapedCommas(text)) {
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq < 0) variables[item] = "";
    else variables[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return variables;
}

/** Splits on commas not preceded by a backslash, turning `\,` into `,`. */
function splitEscapedCommas(text: string): string[] {
  const items: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && text[i + 1] === ",") {
      current += ",";
      i++;
    } else if (c === ",") {
      items.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  items.push(current);
  return items;
}

/** PBS nests at most two levels (`resources_available.ncpus`); deeper input is hostile. */
const MAX_FLATTEN_DEPTH = 16;

/**
 * Flattens a JSON attribute object in document order: nested objects become
 * dotted keys (`Resource_List.walltime`), values become text. `Variable_List`
 * stays one attribute in `qstat -f` text form, so JSON and text agree (pass
 * `variables` when already decoded, to save the work). Beyond a sane depth a
 * nested object is kept as JSON text rather than recursed into.
 */
export function flattenAttributes(
  object: Record<string, unknown>,
  variables?: Record<string, string>,
): FlatAttributes {
  const flat: FlatAttributes = {};
  flattenInto(flat, "", object, 0, variables);
  return flat;
}

function flattenInto(
  flat: FlatAttributes,
  prefix: string,
  object: Record<string, unknown>,
  depth: number,
  variables: Record<string, string> | undefined,
): void {
  for (const key of Object.keys(object)) {
    const value = object[key];
    const name = prefix === "" ? key : prefix + key;
    if (typeof value === "string") {
      setOwn(flat, name, value);
    } else if (name === "Variable_List") {
      setOwn(flat, name, variablesToText(variables ?? variablesFromJson(value)));
    } else if (isRecord(value) && depth < MAX_FLATTEN_DEPTH) {
      flattenInto(flat, name + ".", value, depth + 1, undefined);
    } else {
      setOwn(flat, name, valueToText(value));
    }
  }
}

/** `"Transit:0 Queued:1 Held:2 ... Begun:1 "` → `{Transit: 0, Queued: 1, ...}`. */
export function parseStateCount(text: string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!text) return counts;
  for (const match of text.matchAll(/([A-Za-z_]+)\s*:\s*(\d+)/g)) {
    counts[match[1]] = Number(match[2]);
  }
  return counts;
}

/** PBS booleans: `True`/`False` (PBS also accepts t/y/1 and f/n/0 on input). */
export function parseBoolean(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  switch (text.trim().toLowerCase()) {
    case "true":
    case "t":
    case "y":
    case "1":
      return true;
    case "false":
    case "f":
    case "n":
    case "0":
      return false;
    default:
      return undefined;
  }
}

/** `"debug,long"` → `["debug", "long"]`; `"S51.vm, R44.vm"` with `", "`. Empty items dropped. */
export function splitList(text: string | undefined, separator: string | RegExp = ","): string[] {
  if (!text) return [];
  return text.split(separator).map((s) => s.trim()).filter((s) => s !== "");
}

/** A decimal integer as PBS prints it, or undefined. */
export function parseInteger(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (Number.isSafeInteger(n) && String(n) === text) return n; // the common case, cheaply
  return /^\s*[-+]?\d+\s*$/.test(text) && Number.isSafeInteger(n) ? n : undefined;
}

/**
 * A resource value from its text: canonical integers (`2`, `-1`, no leading
 * zero) become numbers, as PBS's JSON prints them; sizes, durations and
 * everything else stay text. Doing this on text makes JSON and text agree.
 */
export function resourceValue(text: string): PbsValue {
  const n = Number(text);
  // String(n) === text rejects "", " 1", "01", "1e3", "1.0", "+1", "-0".
  if (Number.isSafeInteger(n) && String(n) === text) return n;
  return text;
}

/** Every `prefix.name` attribute as a resource map (`Resource_List` → `{walltime, ncpus}`). */
export function resourceMap(flat: FlatAttributes, prefix: string): ResourceMap {
  return resourceMaps(flat)[prefix] ?? {};
}

/**
 * Every dotted attribute grouped by its prefix, in one pass (cheaper than one
 * `resourceMap` call per prefix when several are needed):
 * `Resource_List.walltime` → `{Resource_List: {walltime: "00:30:00"}}`.
 */
export function resourceMaps(flat: FlatAttributes): Record<string, ResourceMap> {
  const maps: Record<string, ResourceMap> = {};
  for (const key of Object.keys(flat)) {
    const dot = key.indexOf(".");
    if (dot < 0) continue;
    const prefix = key.slice(0, dot);
    let map = getOwn(maps, prefix);
    if (map === undefined) setOwn(maps, prefix, map = {});
    setOwn(map, key.slice(dot + 1), resourceValue(flat[key]));
  }
  return maps;
}

/** Sets `key` only when `value` is defined, so optional fields stay absent. */
export function setDefined<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}
