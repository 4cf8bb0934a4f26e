/**
 * Attribute-per-line text formats: `qstat -f` (with its 78-column wrapping),
 * `-F dsv`, `pbsnodes -a`, `qmgr list` and `qmgr print`.
 */

import type { AttrList } from "../model.ts";
import { formatPbsTime } from "../../src/pbs/model/time.ts";
import { attrLabel, attrText } from "./attrs.ts";

/** qstat's line limit (CHAR_LINE_LIMIT in qstat.c). */
const LINE_LIMIT = 78;
const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/**
 * Control characters other than newline and tab are shown as `^X`, as PBS's
 * show_nonprint_chars does.
 */
export function showNonPrint(text: string): string {
  return text.replace(CONTROL_CHARS, (c) => `^${String.fromCharCode(c.charCodeAt(0) + 64)}`);
}

// deno-lint-ignore no-control-regex
const CONTROL_CHARS = /[\x00-\x08\x0b-\x1f]/g;

/**
 * One `qstat -f` attribute line. Without `-w` the value is cut at commas so
 * lines stay under 78 columns; a comma-free piece that does not fit is
 * broken character by character. Continuations start with a TAB. Widths
 * count bytes, as PBS's strlen does. (Rule learnt from qstat.c prt_attr: the
 * running column is not advanced for the commas themselves, and after a
 * character-level break it restarts at 8 rather than 9 — quirks kept.)
 */
export function qstatAttrLine(label: string, value: string, oneLine: boolean): string {
  if (oneLine) {
    return `    ${label} = ${showNonPrint(value.replaceAll("\n", "\\n").replaceAll("\f", "\\f"))}`;
  }
  let out = `    ${label} = `;
  let column = byteLength(label) + 7;
  const pieces = value.split(",").filter((piece) => piece !== "");
  pieces.forEach((piece, index) => {
    const length = byteLength(piece);
    if (length + column < LINE_LIMIT) {
      out += showNonPrint(piece);
      column += length;
    } else {
      if (index > 0) {
        out += "\n\t";
        column = 9;
      }
      for (const char of piece) {
        out += showNonPrint(char);
        column += byteLength(char);
        if (column > LINE_LIMIT) {
          column = 8;
          out += "\n\t";
        }
      }
    }
    if (index < pieces.length - 1) out += ",";
  });
  return out;
}

/** `Job Id: 2.vm` / `Queue: workq` / `Server: vm` block, ending with a blank line. */
export function qstatFullText(header: string, attrs: AttrList, wide: boolean): string {
  const lines = attrs.map((attr) => qstatAttrLine(attrLabel(attr), attrText(attr), wide));
  return `${header}\n${lines.map((line) => `${line}\n`).join("")}\n`;
}

/**
 * `-F dsv`: `Job Id: 2.vm|name=value|...` on one line. The delimiter inside a
 * value is escaped with a backslash; newlines are shown as `\n`.
 */
export function qstatDsv(header: string, attrs: AttrList, delimiter: string): string {
  const fields = attrs.map((attr) => `${attrLabel(attr)}=${dsvValue(attrText(attr), delimiter)}`);
  return `${[header, ...fields].join(delimiter)}\n`;
}

function dsvValue(value: string, delimiter: string): string {
  const escaped = delimiter ? value.split(delimiter).join(`\\${delimiter}`) : value;
  return showNonPrint(escaped.replaceAll("\n", "\\n").replaceAll("\f", "\\f"));
}

const NODE_EPOCH_ATTRS = new Set(["last_state_change_time", "last_used_time"]);

/** `pbsnodes -a` text: name, then `     attr = value` lines, times as ctime, blank line. */
export function nodeText(name: string, attrs: AttrList): string {
  const lines = attrs.map((attr) => {
    const text = attrText(attr);
    const value = NODE_EPOCH_ATTRS.has(attr.name)
      ? formatPbsTime(Number(text))
      : showNonPrint(text);
    return `     ${attrLabel(attr)} = ${value}\n`;
  });
  return `${name}\n${lines.join("")}\n`;
}

/** `pbsnodes -a -F dsv`: `Name=vm|Mom=...`, spaces removed from the jobs list. */
export function nodeDsv(name: string, attrs: AttrList, delimiter: string): string {
  const fields = attrs.map((attr) => {
    const text = attrText(attr);
    return `${attrLabel(attr)}=${
      showNonPrint(attr.name === "jobs" ? text.replaceAll(" ", "") : text)
    }`;
  });
  return `${[`Name=${name}`, ...fields].join(delimiter)}\n`;
}

/**
 * `qmgr list`: `Queue workq` then `    attr = value`. Long comma lists wrap at
 * 80 columns; qmgr never resets its column after wrapping, so once it wraps
 * every later piece goes on its own line (as in qmgr_list_node_vm).
 */
export function qmgrListText(kind: string, name: string, attrs: AttrList): string {
  const lines = attrs.map((attr) =>
    `    ${attrLabel(attr)} = ${qmgrWrap(attr.name, attr.resource, attrText(attr))}\n`
  );
  return `${kind} ${name}\n${lines.join("")}\n`;
}

function qmgrWrap(name: string, resource: string | undefined, value: string): string {
  let column = name.length + 8 + (resource ? resource.length + 1 : 0) + 3;
  const pieces = value.split(",");
  return pieces.map((piece, index) => {
    column += byteLength(piece) + 1;
    const wrapped = index > 0 && column >= 80 ? `\n\t${piece.trimStart()}` : piece;
    return showNonPrint(wrapped);
  }).join(",");
}

/** Attributes qmgr's `print` leaves out: read-only ones it could not set back. */
const NOT_PRINTED = new Set([
  "total_jobs",
  "state_count",
  "resources_assigned",
  "server_state",
  "server_host",
  "license_count",
  "pbs_version",
  "hasnodes",
]);

/** Multi-valued attributes qmgr prints as `=` then `+=` per element. */
const LIST_VALUED = new Set([
  "route_destinations",
  "acl_users",
  "acl_groups",
  "acl_hosts",
  "managers",
  "operators",
]);

/** `set queue X attr = value` lines of `qmgr print`. */
export function qmgrPrintLines(target: string, attrs: AttrList): string {
  let out = "";
  for (const attr of attrs) {
    if (NOT_PRINTED.has(attr.name)) continue;
    const prefix = `set ${target} ${attrLabel(attr)}`;
    const text = attrText(attr);
    if (LIST_VALUED.has(attr.name)) {
      text.split(",").forEach((item, i) => {
        out += `${prefix} ${i === 0 ? "=" : "+="} ${qmgrQuote(item)}\n`;
      });
    } else {
      out += `${prefix} = ${qmgrQuote(text)}\n`;
    }
  }
  return out;
}

function qmgrQuote(value: string): string {
  if (!/["' ,]/.test(value)) return showNonPrint(value);
  const quote = value.includes('"') ? "'" : '"';
  return `${quote}${showNonPrint(value)}${quote}`;
}
