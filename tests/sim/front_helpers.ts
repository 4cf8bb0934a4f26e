/**
 * Test helpers for the simulator's front: AttrLists rebuilt from recorded
 * OpenPBS output, so formatters can be compared byte-for-byte with goldens.
 */

import type { AttrList } from "../../sim/model.ts";

/**
 * Parses `qstat -f` style text (`Job Id: X` / `Queue: X` / `Server: X`
 * blocks) back into AttrLists, joining TAB continuation lines. Values come
 * back as strings, which is all the text renderers look at.
 */
export function parseFullText(text: string): Array<{ header: string; attrs: AttrList }> {
  const blocks: Array<{ header: string; attrs: AttrList }> = [];
  for (const line of text.split("\n")) {
    if (/^(Job Id|Queue|Server): /.test(line)) {
      blocks.push({ header: line, attrs: [] });
      continue;
    }
    const block = blocks[blocks.length - 1];
    if (!block || line === "") continue;
    const attrs = block.attrs;
    if (line.startsWith("\t")) {
      const last = attrs[attrs.length - 1];
      if (last.value.kind === "str") last.value.value += line.slice(1);
      continue;
    }
    const m = /^ {4}([^ .=]+)(?:\.([^ =]+))? = (.*)$/.exec(line);
    if (m) {
      attrs.push({ name: m[1], resource: m[2], value: { kind: "str", value: m[3] } });
    } else {
      // A raw newline inside a value (qstat_f_env_escapes_text): part of the previous value.
      const last = attrs[attrs.length - 1];
      if (last.value.kind === "str") last.value.value += `\n${line}`;
    }
  }
  return blocks;
}

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

/** An object of a `-F json` golden (one job, queue, server) as the engine would give it. */
export function attrsFromJson(object: Record<string, Plain>): AttrList {
  const attrs: AttrList = [];
  for (const [name, value] of Object.entries(object)) {
    if (name === "Variable_List" && isObject(value)) {
      attrs.push({
        name,
        value: { kind: "vars", value: Object.entries(value).map(([k, v]) => [k, String(v)]) },
      });
    } else if (Array.isArray(value)) {
      attrs.push({
        name,
        value: { kind: "list", value: value.map(String), text: value.join(", ") },
      });
    } else if (isObject(value)) {
      for (const [resource, v] of Object.entries(value)) {
        attrs.push({ name, resource, value: scalar(v) });
      }
    } else {
      attrs.push({ name, value: scalar(value) });
    }
  }
  return attrs;
}

function isObject(value: Plain): value is { [key: string]: Plain } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function scalar(value: Plain): AttrList[number]["value"] {
  return typeof value === "number" ? { kind: "int", value } : { kind: "str", value: String(value) };
}
