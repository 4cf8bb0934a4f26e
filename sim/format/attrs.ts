/**
 * Reading the engine's AttrLists: an attribute's label and text, lookups,
 * and the two JSON encodings PBS uses (qstat's `prt_attr` and pbsnodes').
 */

import type { Attr, AttrList } from "../model.ts";
import {
  arr,
  inferJson,
  isEmptyForPbs,
  type JsonNode,
  num,
  obj,
  releaseJson,
  str,
} from "./json.ts";

/** `Resource_List.walltime` or `job_state`. */
export function attrLabel(attr: Attr): string {
  return attr.resource ? `${attr.name}.${attr.resource}` : attr.name;
}

/**
 * The attribute's value as PBS prints it in text. Variable_List commas inside
 * values are escaped as PBS stores them (`COMMA=a\,b`).
 */
export function attrText(attr: Attr): string {
  const value = attr.value;
  switch (value.kind) {
    case "str":
      return value.value;
    case "int":
      return String(value.value);
    case "vars":
      return value.value.map(([k, v]) => `${k}=${v.replaceAll(",", "\\,")}`).join(",");
    case "list":
      return value.text;
  }
}

export function findAttr(attrs: AttrList, name: string, resource?: string): Attr | undefined {
  return attrs.find((a) => a.name === name && a.resource === resource);
}

export function attrValue(attrs: AttrList, name: string, resource?: string): string | undefined {
  const attr = findAttr(attrs, name, resource);
  return attr ? attrText(attr) : undefined;
}

/** Which client wrote the JSON: master (valid, inferred) or release 23.06.06 (quirky). */
export type JsonFlavour = "master" | "release";

/**
 * qstat's encoding of one object: resource attributes grouped into nested
 * objects (consecutive entries with the same name), Variable_List as an
 * object of inferred values, everything else by the engine's kind.
 */
export function qstatJson(attrs: AttrList, flavour: JsonFlavour = "master"): JsonNode {
  const root = obj();
  let group: { name: string; node: JsonNode & { t: "obj" } } | undefined;
  for (const attr of attrs) {
    if (attr.resource !== undefined) {
      if (!group || group.name !== attr.name) {
        group = { name: attr.name, node: obj() };
        root.entries.push([attr.name, group.node]);
      }
      group.node.entries.push([attr.resource, inferJson(attrText(attr))]);
      continue;
    }
    group = undefined;
    root.entries.push([attr.name, plainJson(attr, flavour)]);
  }
  return root;
}

function plainJson(attr: Attr, flavour: JsonFlavour): JsonNode {
  const value = attr.value;
  switch (value.kind) {
    case "str":
      return flavour === "release" ? releaseJson(value.value) : str(value.value);
    case "int":
      return num(value.value);
    case "list":
      return arr(value.value.map(str));
    case "vars":
      return flavour === "release" ? releaseVariables(value.value) : masterVariables(value.value);
  }
}

function masterVariables(pairs: Array<[string, string]>): JsonNode {
  return obj(pairs.map(([k, v]) => [k, inferJson(v)]));
}

/**
 * Release 23.06.06: numeric-looking values raw, and an empty value swallows
 * the next variable (`"EMPTY": ",NEXT=value"`, NEXT disappears).
 */
function releaseVariables(pairs: Array<[string, string]>): JsonNode {
  const entries: Array<[string, JsonNode]> = [];
  for (let i = 0; i < pairs.length; i++) {
    const [key, value] = pairs[i];
    const next = pairs[i + 1];
    if (value === "" && next) {
      entries.push([key, str(`,${next[0]}=${next[1]}`)]);
      i++;
      continue;
    }
    entries.push([key, releaseJson(value)]);
  }
  return obj(entries);
}

/**
 * pbsnodes' encoding: every value type-inferred, `resources_assigned` without
 * zero values, `jobs` as an array of distinct ids.
 */
export function nodeJson(attrs: AttrList): JsonNode {
  const root = obj();
  let group: { name: string; node: JsonNode & { t: "obj" } } | undefined;
  for (const attr of attrs) {
    if (attr.resource !== undefined) {
      if (!group || group.name !== attr.name) {
        group = { name: attr.name, node: obj() };
        root.entries.push([attr.name, group.node]);
      }
      const value = inferJson(attrText(attr));
      if (attr.name === "resources_assigned" && isEmptyForPbs(value)) continue;
      group.node.entries.push([attr.resource, value]);
      continue;
    }
    group = undefined;
    if (attr.value.kind === "list") {
      root.entries.push([attr.name, arr(distinctJobIds(attr.value.value).map(str))]);
    } else {
      root.entries.push([attr.name, inferJson(attrText(attr))]);
    }
  }
  return root;
}

/** Job ids without the `/slot` suffix, consecutive duplicates dropped (as pbsnodes does). */
export function distinctJobIds(entries: string[]): string[] {
  const ids: string[] = [];
  for (const entry of entries) {
    const id = entry.split("/")[0].trim();
    if (id && ids[ids.length - 1] !== id) ids.push(id);
  }
  return ids;
}
