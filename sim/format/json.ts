/**
 * The `-F json` writer of OpenPBS master (cJSON based, PR #2604): TAB
 * indentation, `"key":<TAB>value`, arrays on one line, and values of
 * `Variable_List`/resources type-inferred by trying to parse them as JSON.
 *
 * Also the release-23.06.06 client's writer, used only when a malformed-JSON
 * fault is switched on: 4-space indentation, numbers emitted raw (`inf`,
 * `1e5`), an empty variable swallowing the next one.
 */

export type JsonNode =
  | { t: "str"; v: string }
  | { t: "num"; v: number }
  | { t: "bool"; v: boolean }
  | { t: "null" }
  /** Text emitted verbatim (release-client quirks): may be invalid JSON on purpose. */
  | { t: "raw"; text: string }
  | { t: "arr"; items: JsonNode[] }
  | { t: "obj"; entries: Array<[string, JsonNode]> };

export const str = (v: string): JsonNode => ({ t: "str", v });
export const num = (v: number): JsonNode => ({ t: "num", v });
export const obj = (entries: Array<[string, JsonNode]> = []): JsonNode & { t: "obj" } => ({
  t: "obj",
  entries,
});
export const arr = (items: JsonNode[]): JsonNode => ({ t: "arr", items });

export interface JsonStyle {
  indent: string;
  keySeparator: string;
  /** Release client: strings are written without escaping backslashes. */
  rawBackslashes?: boolean;
}

export const MASTER_STYLE: JsonStyle = { indent: "\t", keySeparator: ":\t" };
export const RELEASE_STYLE: JsonStyle = { indent: "    ", keySeparator: ":", rawBackslashes: true };

/** Prints a document the way cJSON_Print does, plus the newline PBS adds. */
export function printJson(node: JsonNode, style: JsonStyle = MASTER_STYLE): string {
  return `${printNode(node, 0, style)}\n`;
}

function printNode(node: JsonNode, depth: number, style: JsonStyle): string {
  switch (node.t) {
    case "str":
      return quote(node.v, style);
    case "num":
      return formatCjsonNumber(node.v);
    case "bool":
      return node.v ? "true" : "false";
    case "null":
      return "null";
    case "raw":
      return node.text;
    case "arr":
      return `[${node.items.map((item) => printNode(item, depth + 1, style)).join(", ")}]`;
    case "obj": {
      const inner = style.indent.repeat(depth + 1);
      const members = node.entries.map(([key, value]) =>
        `${inner}${quote(key, style)}${style.keySeparator}${printNode(value, depth + 1, style)}`
      );
      const body = members.length ? `${members.join(",\n")}\n` : "";
      return `{\n${body}${style.indent.repeat(depth)}}`;
    }
  }
}

function quote(text: string, style: JsonStyle): string {
  const escaped = JSON.stringify(text);
  // Undo the backslash doubling only: the release client wrote them raw.
  return style.rawBackslashes ? escaped.replaceAll("\\\\", "\\") : escaped;
}

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

/**
 * cJSON's number printing: `%d` when the value equals its int conversion,
 * otherwise `%1.15g`, falling back to `%1.17g` when 15 digits do not
 * round-trip (so 1.2345678901234568e+29 and 1e+15, not 1000000000000000).
 */
export function formatCjsonNumber(value: number): string {
  if (!Number.isFinite(value)) return "null";
  const asInt = value >= INT_MAX ? INT_MAX : value <= INT_MIN ? INT_MIN : Math.trunc(value);
  if (value === asInt) return String(asInt);
  const short = formatG(value, 15);
  return Number(short) === value ? short : formatG(value, 17);
}

/** C's `%1.<precision>g`. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return "0";
  const exponent = Number(value.toExponential(precision - 1).split("e")[1]);
  if (exponent < -4 || exponent >= precision) {
    const [mantissa, exp] = value.toExponential(precision - 1).split("e");
    const sign = exp.startsWith("-") ? "-" : "+";
    const digits = exp.replace(/^[+-]/, "").padStart(2, "0");
    return `${stripZeros(mantissa)}e${sign}${digits}`;
  }
  return stripZeros(value.toFixed(Math.max(0, precision - 1 - exponent)));
}

function stripZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

// ---------------------------------------------------------------------------
// Type inference: PBS master calls cJSON_ParseWithOpts(value, require end) and
// falls back to a string. Numbers follow strtod over cJSON's number alphabet.

const STRTOD_DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const NUMBER_ALPHABET = /^[0-9+\-.eE]*/;

/** The JSON value master's qstat/pbsnodes emit for the attribute text `value`. */
export function inferJson(value: string): JsonNode {
  return parseLikeCjson(value) ?? str(value);
}

function parseLikeCjson(text: string): JsonNode | undefined {
  const start = skipWhitespace(text, 0);
  const rest = text.slice(start);
  const parsed = parseValuePrefix(rest);
  if (!parsed) return undefined;
  const end = skipWhitespace(rest, parsed.length);
  return end === rest.length ? parsed.node : undefined;
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  return i;
}

function parseValuePrefix(text: string): { node: JsonNode; length: number } | undefined {
  for (const [word, node] of LITERALS) {
    if (text.startsWith(word)) return { node, length: word.length };
  }
  const first = text.charAt(0);
  if (first === "-" || (first >= "0" && first <= "9")) {
    const candidate = NUMBER_ALPHABET.exec(text)![0];
    const decimal = STRTOD_DECIMAL.exec(candidate);
    if (!decimal) return undefined;
    return { node: num(Number(decimal[0])), length: decimal[0].length };
  }
  if (first === '"' || first === "[" || first === "{") {
    try {
      return { node: fromPlain(JSON.parse(text)), length: text.trimEnd().length };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const LITERALS: Array<[string, JsonNode]> = [
  ["null", { t: "null" }],
  ["false", { t: "bool", v: false }],
  ["true", { t: "bool", v: true }],
];

function fromPlain(value: unknown): JsonNode {
  if (value === null) return { t: "null" };
  if (typeof value === "string") return str(value);
  if (typeof value === "number") return num(value);
  if (typeof value === "boolean") return { t: "bool", v: value };
  if (Array.isArray(value)) return arr(value.map(fromPlain));
  return obj(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromPlain(v)]));
}

/** PBS's `ignore_empty`: pbsnodes leaves zero-valued `resources_assigned` out. */
export function isEmptyForPbs(node: JsonNode): boolean {
  return (node.t === "str" && node.v.startsWith("0")) || (node.t === "num" && node.v === 0);
}

/**
 * The release-23.06.06 client's choice: anything strtod reads completely
 * (`1e5`, `3.50`, `inf`, ` 42`) is written verbatim, except integers with a
 * leading zero, which stay strings.
 */
export function releaseJson(value: string): JsonNode {
  const looksNumeric = /^\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i
    .test(value);
  const leadingZero = /^\s*[+-]?0\d/.test(value);
  return looksNumeric && !leadingZero ? { t: "raw", text: value } : str(value);
}
