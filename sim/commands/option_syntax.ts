/**
 * Shapes of option values the PBS clients parse themselves, before any
 * request: `name=value,...` lists (`-W`), destinations (`queue@server`) and
 * job identifiers. Facts from OpenPBS `src/lib/Libcmds/parse_equal.c`
 * (`parse_equal_string`), `parse_destid.c` (`parse_destination_id`) and
 * `parse_jobid.c` (`parse_jobid`); the code is our own.
 */

/**
 * `parse_equal_string`: `a=1,b=2` → [[a,1],[b,2]]. A value runs to the last
 * comma before the next `=`, so `depend=afterok:1,afterany:2` is one value;
 * a quoted value (`'x=y'`) may hold `=`. Undefined (the client's "illegal
 * value") when an item has no name, the name is not followed by `=`, a quote
 * is unclosed, the list ends with a comma, or a second `=` has no comma
 * before it.
 */
export function parseEqualString(text: string): Array<[string, string]> | undefined {
  const pairs: Array<[string, string]> = [];
  let pos = 0;
  const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
  while (true) {
    while (isSpace(text[pos])) pos++;
    if (pos >= text.length) return pairs;
    if (text[pos] === "=" || text[pos] === ",") return undefined;
    const nameStart = pos;
    while (pos < text.length && !isSpace(text[pos]) && text[pos] !== "=") pos++;
    const name = text.slice(nameStart, pos);
    while (isSpace(text[pos])) pos++;
    if (text[pos] !== "=") return undefined;
    pos++;
    while (isSpace(text[pos])) pos++;
    let quoted = "";
    if (text[pos] === '"' || text[pos] === "'") quoted = text[pos++];
    const valueStart = pos;
    let valueText = "";
    if (quoted) {
      const close = text.indexOf(quoted, pos);
      if (close < 0) return undefined;
      valueText = text.slice(valueStart, close);
      pos = close + 1;
    }
    const nextEq = text.indexOf("=", pos);
    if (nextEq < 0) {
      const rest = text.slice(pos);
      if (rest.trimEnd().endsWith(",")) return undefined;
      pairs.push([name, quoted ? valueText + rest.trimEnd() : rest.trimEnd()]);
      return pairs;
    }
    const comma = text.lastIndexOf(",", nextEq);
    if (comma < pos) return undefined;
    pairs.push([name, (quoted ? valueText : "") + text.slice(pos, comma).trimEnd()]);
    pos = comma + 1;
  }
}

/** Visible characters other than `#` and `@` (`ISNAMECHAR`). */
const NAME = "[^\\s#@]";
const DESTINATION_RE = new RegExp(`^\\s*(${NAME}{0,15})(?:@(${NAME}+))?$`);

/**
 * `parse_destination_id`: `queue`, `queue@server`, `@server`; the queue at
 * most 15 characters (PBS_MAXQUEUENAME). Undefined when malformed
 * (`illegally formed destination`).
 */
export function parseDestination(
  text: string,
): { queue: string; server?: string } | undefined {
  const m = DESTINATION_RE.exec(text);
  if (!m) return undefined;
  return { queue: m[1], server: m[2] };
}

/**
 * `parse_jobid`: leading blanks, up to 12 digits (PBS_MAXSEQNUM), an array
 * part `[...]` of digits, `-` and `:`, then `.server` and `@server`.
 */
const JOB_ID_RE = new RegExp(
  `^\\s*(\\d{1,12})(\\[[\\d:-]*\\])?(?:\\.(${NAME}+))?(?:@(${NAME}+))?$`,
);

export interface JobIdParts {
  sequence: string;
  /** `[]`, `[3]`, `[1-4]`, or "" for a plain job. */
  array: string;
  parentServer?: string;
  currentServer?: string;
}

export function parseJobId(text: string): JobIdParts | undefined {
  const m = JOB_ID_RE.exec(text);
  if (!m) return undefined;
  return { sequence: m[1], array: m[2] ?? "", parentServer: m[3], currentServer: m[4] };
}

/**
 * `-l` as `set_resources` reads it (values through `pbs_quote_parse`, no
 * blanks inside a value): `name[=value]` pairs, or the client's complaint:
 * an empty name or a trailing comma is `CMD: illegal -l value`; an illegal
 * character (`&`, a control character) or an unclosed quote adds the reason,
 * the option's text and a caret under the place (`pbs_prt_parse_err`).
 */
export function splitResources(
  text: string,
  command: string,
): { pairs: Array<[string, string]> } | { error: string } {
  const pairs: Array<[string, string]> = [];
  const illegal = `${command}: illegal -l value\n`;
  const parseError = (what: string, at: number) => ({
    error: `${illegal} ${what}:\n${text}\n${" ".repeat(at)}^\n`,
  });
  let pos = 0;
  while (pos < text.length) {
    while (/\s/.test(text[pos] ?? "")) pos++;
    let end = pos;
    while (end < text.length && text[end] !== "=" && text[end] !== ",") end++;
    if (end === pos) return { error: illegal };
    const name = text.slice(pos, end).split(/\s/)[0];
    let value = "";
    if (text[end] === "=") {
      pos = end + 1;
      while (/\s/.test(text[pos] ?? "")) pos++;
      let quote = "";
      for (; pos < text.length; pos++) {
        const c = text[pos];
        const printable = c >= " " && c <= "~" || c.charCodeAt(0) > 127 || /\s/.test(c);
        if (!printable || c === "&") return parseError("illegal character", pos);
        if (quote) {
          if (c === quote) quote = "";
          else value += c;
        } else if ((c === '"' || c === "'") && (quote === "")) {
          quote = c;
        } else if (c === "," || /\s/.test(c)) {
          break;
        } else {
          value += c;
        }
      }
      if (quote) return parseError("no closing quote", text.length);
    } else {
      pos = end;
    }
    pairs.push([name, value]);
    if (text[pos] === ",") {
      pos++;
      if (pos >= text.length) return { error: illegal };
    }
  }
  return { pairs };
}

/**
 * A reservation id as `parse_jobid` reads it: `R`, `S` or `M` (advance,
 * standing, maintenance) or nothing, digits, then `.server` and `@server`;
 * no array part.
 */
const RESV_ID_RE = new RegExp(
  `^\\s*([RSM]?\\d{1,12})(?:\\.(${NAME}+))?(?:@(${NAME}+))?$`,
);

export function parseReservationId(
  text: string,
): { sequence: string; parentServer?: string; currentServer?: string } | undefined {
  const m = RESV_ID_RE.exec(text);
  if (!m) return undefined;
  return { sequence: m[1], parentServer: m[2], currentServer: m[3] };
}
