/**
 * Parsers for PBS's small text outputs: a submitted job id (qsub), id lists
 * (qselect), `pbsnodes -l`, `qmgr -c 'list ...'` and tracejob.
 *
 * Facts (OpenPBS 23.06, the goldens):
 * - qsub prints only the new id (`12.vm`, arrays `5[].vm`); qselect one id per
 *   line, nothing when nothing matches.
 * - `pbsnodes -l` prints `%-20s %s %s`: node name padded to 20, the state
 *   (comma-joined, no spaces), the comment (possibly empty).
 * - `qmgr list` prints `Queue workq` and four-space-indented `attr = value`
 *   lines. Long values are split at commas: once the running length passes 80
 *   columns, every further comma-separated item goes on its own TAB-indented
 *   line with its leading blanks dropped (src/cmds/qmgr.c), hence the "one job
 *   per line" look of `list node`.
 * - tracejob prints `Job: ID` headers and `MM/DD/YYYY hh:mm:ss[.ffffff]` lines
 *   with a source letter (S server, M mom, L scheduler, A accounting); long
 *   messages are word-wrapped onto lines indented past the message column.
 */

import { PbsError } from "../errors.ts";

/** A job id as PBS prints it: `12.vm`, `5[].vm`, `5[3].vm`. */
const PRINTED_JOB_ID = /^\d+(?:\[\d*\])?\.[A-Za-z0-9][\w.-]*$/;

function unexpectedOutput(command: string, what: string, text: string): PbsError {
  return new PbsError({
    kind: "parse_error",
    message: `${command} printed ${what} this server cannot read`,
    hint:
      "PBS printed something other than the documented format; check that the PBS clients are OpenPBS 23.x and report the raw output (pbsMessage).",
    pbsMessage: text.length > 500 ? `${text.slice(0, 500)}…` : text,
    command,
  });
}

function nonBlankLines(text: string): string[] {
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
}

/** The id `qsub` printed. Throws parse_error unless stdout is exactly one job id. */
export function parseQsubJobId(stdout: string): string {
  const id = stdout.trim();
  if (!PRINTED_JOB_ID.test(id)) throw unexpectedOutput("qsub", "a job id", stdout);
  return id;
}

/** The ids `qselect` printed, in its order. Throws parse_error on a line that is not a job id. */
export function parseQselect(stdout: string): string[] {
  const ids = nonBlankLines(stdout);
  const bad = ids.find((id) => !PRINTED_JOB_ID.test(id));
  if (bad !== undefined) throw unexpectedOutput("qselect", `"${bad}" as a job id`, stdout);
  return ids;
}

export interface MarkedNode {
  name: string;
  /** `["offline"]`, `["down"]`, `["down", "offline"]`. */
  states: string[];
  comment?: string;
}

/** `pbsnodes -l`: the nodes that are down or offline. */
export function parsePbsnodesList(stdout: string): MarkedNode[] {
  const nodes: MarkedNode[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^(\S+)\s+(\S+)(?:\s(.*))?$/.exec(line.trimEnd());
    if (!m) continue;
    const node: MarkedNode = { name: m[1], states: m[2].split(",").filter((s) => s !== "") };
    const comment = m[3]?.trim();
    if (comment) node.comment = comment;
    nodes.push(node);
  }
  return nodes;
}

export interface QmgrObject {
  /** As qmgr prints it: `Server`, `Queue`, `Node`, `Hook`, `Sched`, `Resource`. */
  type: string;
  name: string;
  attributes: Record<string, string>;
}

/**
 * Re-joins one wrapped qmgr value. qmgr dropped the blanks after the comma where
 * it wrapped, so they are restored when the value already uses `, ` between
 * items (node `jobs`) and not when it uses a bare `,` (hook `event`).
 */
function joinQmgrContinuation(value: string, continuation: string): string {
  return value + (value.includes(", ") ? " " : "") + continuation.trim();
}

/** `qmgr -c 'list server|queue|node|hook|sched ...'` text → one entry per object. */
export function parseQmgrList(text: string): QmgrObject[] {
  const objects: QmgrObject[] = [];
  let current: QmgrObject | undefined;
  let lastKey: string | undefined;
  for (const line of text.split("\n")) {
    const header = /^([A-Z][A-Za-z]*) (\S.*)$/.exec(line);
    const attribute = /^ +([^\s=]+) = ?(.*)$/.exec(line);
    if (header) {
      current = { type: header[1], name: header[2].trim(), attributes: {} };
      objects.push(current);
      lastKey = undefined;
    } else if (current && attribute) {
      lastKey = attribute[1];
      current.attributes[lastKey] = attribute[2];
    } else if (current && lastKey !== undefined && line.startsWith("\t")) {
      current.attributes[lastKey] = joinQmgrContinuation(current.attributes[lastKey], line);
    }
  }
  return objects;
}

export interface TraceEntry {
  /** The `Job:` section the line belongs to (tracejob can trace several ids). */
  job?: string;
  /** Epoch seconds, from the log's local time (fractional with high-resolution logs). */
  time: number;
  /** `S` server, `M` mom, `L` scheduler, `A` accounting. */
  source: "S" | "M" | "L" | "A" | string;
  message: string;
}

const TRACE_LINE =
  /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)\s+(\S)(?: {4}(.*))?$/;

/** `MM/DD/YYYY hh:mm:ss[.ffffff]` in local time → epoch seconds. */
function traceTime(m: RegExpExecArray): number {
  const [month, day, year, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const seconds = Number(m[6]);
  const whole = Math.floor(seconds);
  const date = new Date(year, month - 1, day, hour, minute, whole);
  return date.getTime() / 1000 + (seconds - whole);
}

/**
 * tracejob output → its log lines in order. Word-wrapped continuation lines
 * (indented) are joined back with a space, which is what tracejob replaced.
 * The usage text and blank lines are ignored.
 */
export function parseTracejob(text: string): TraceEntry[] {
  const entries: TraceEntry[] = [];
  let job: string | undefined;
  let last: TraceEntry | undefined;
  for (const line of text.split("\n")) {
    const header = /^Job: (\S+)\s*$/.exec(line);
    const entry = TRACE_LINE.exec(line.trimEnd());
    if (header) {
      job = header[1];
      last = undefined;
    } else if (entry) {
      last = { time: traceTime(entry), source: entry[7], message: entry[8] ?? "" };
      if (job !== undefined) last.job = job;
      entries.push(last);
    } else if (last && /^ {2,}\S/.test(line)) {
      last.message += ` ${line.trim()}`;
    }
  }
  return entries;
}
