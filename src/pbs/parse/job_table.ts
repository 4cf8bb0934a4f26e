/**
 * Job rows from `qstat -a` (alternate format), wide (`-a -w`) or not, with or
 * without `-x`, `-u USER` and a queue operand: the light-weight job list. At
 * Aurora scale it is a few MB where `qstat -f -F json` is tens of MB.
 *
 * Facts (OpenPBS src/cmds/qstat.c, `altdsp_statjob` and `trunc_value`; the
 * goldens qstat_a, qstat_aw, qstat_a_long_name_truncated):
 * - Per server: a blank line, `SERVER: ` (followed by the server's comment, if
 *   it has one), two header lines, a dashes line, then one row per job. No
 *   jobs → no output at all, header included.
 * - Columns: Job ID, Username, Queue, Jobname, SessID, NDS, TSK, Req'd Memory,
 *   Req'd Time, S, Elap Time. Widths: wide 30/15/15/15/8/4/5/6/5/1/5; narrow
 *   15/8/8/10/6/3/3/6/5/1/5, and a 20-wide id when the server's
 *   `max_job_sequence_id` exceeds 9999999. Unset values print `--`.
 * - `trunc_value`: a value longer than its column keeps its first width−1
 *   characters and ends in `*`. This applies to the id (`%-30.30s` wide), the
 *   user (part before `@`), the queue, the name, and also to the numbers
 *   SessID, NDS and TSK: an Aurora job of 1024 nodes × 208 cpus shows TSK
 *   `2129*`. The id is therefore never wider than its column in real output:
 *   `8123456.aurora-pbs-0001.hostmgmt.cm.aurora.alcf.anl.gov` prints as
 *   `8123456.aurora-pbs-0001.hostm*` (`-w`) or `8123456.aurora*` (narrow).
 * - Memory is `Resource_List.mem` rescaled by qstat (`cnv_size`): at most four
 *   digits in its own unit, rounded up (`24684084kb` → `24gb`). A size given
 *   in plain bytes or words prints with a space (`100 b`, `100 w`).
 * - Req'd Time and Elap Time are the first five characters of `HH:MM:SS`
 *   (`%5.5s`): `00:30` for half an hour, `100:0` past 99 hours. When the job
 *   requested `cput` they show cput (requested / used) instead of walltime.
 * - TSK is `Resource_List.ncpus` (`--` when 0), NDS `Resource_List.nodect`.
 * - `-n` and `-s` add lines indented with spaces under each row (exec hosts,
 *   comment); they are skipped here.
 */

import { PbsError } from "../errors.ts";
import { isJobStateLetter } from "../model/states.ts";
import type { JobStateLetter } from "../model/types.ts";

/** Columns besides the id and the name that PBS may cut to fit (see `JobRow.truncated`). */
export type TruncatedColumn = "user" | "queue" | "sessionId" | "nodes" | "tasks";

export interface JobRow {
  /**
   * The id as printed. When `idTruncated`, the `*` is removed and this is only
   * a prefix of the real id: use `commandJobId(row)` (the sequence number,
   * which PBS resolves against the default server) for qdel, qstat -f, ...
   */
  id: string;
  /** User name (the part of Job_Owner before `@`); a prefix when listed in `truncated`. */
  user: string;
  queue: string;
  /** Job name; a prefix (the `*` removed) when `nameTruncated`. */
  name: string;
  nameTruncated: boolean;
  sessionId?: number;
  /** Requested node count (`Resource_List.nodect`). */
  nodes?: number;
  /** Requested cpus (`Resource_List.ncpus`). */
  tasks?: number;
  /** Requested memory as qstat rescaled it (`24gb`, `512mb`, `100b`): a PBS size. */
  memory?: string;
  /** Requested walltime (or cput), `HH:MM` as printed; cut to 5 characters past 99 h. */
  walltime?: string;
  state: JobStateLetter;
  /** Used walltime (or cput), same form as `walltime`. */
  elapsed?: string;
  idTruncated: boolean;
  /**
   * Other columns PBS cut with `*` (only present when there are some). A cut
   * user or queue keeps its visible prefix; a cut number is left out, since
   * its digits are lost.
   */
  truncated?: TruncatedColumn[];
}

const COLUMN_COUNT = 11;
/** Column indices in a row (and in the dashes line). */
const ID = 0, USER = 1, QUEUE = 2, NAME = 3, SESSION = 4, NODES = 5, TASKS = 6;
const MEMORY = 7, TIME = 8, STATE = 9, ELAPSED = 10;

const ABSENT = "--";
const TRUNC = "*";

/** `vm: ` or `aurora-pbs-0001: Primary server`: the line that opens a server's table. */
const SERVER_LINE = /^[A-Za-z0-9][\w.-]*:(?: |$)/;
const DASHES_LINE = /^-+(?: +-+)*$/;

type Section = "outside" | "header" | "rows";

/**
 * Rows of `qstat -a [-w] [-x] [-u USER] [DEST]` output, in PBS's order. Empty
 * output gives `[]`. Throws PbsError `parse_error` on a line that fits none of
 * the table's parts (for example plain `qstat` output, or `-1`).
 */
export function parseJobTable(text: string): JobRow[] {
  const rows: JobRow[] = [];
  let section: Section = "outside";
  let widths: number[] = [];
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.trimEnd(); // rows end in padding; tolerate CRLF too
    const fail = (what: string): never => {
      throw tableError(what, index + 1, raw, text);
    };
    if (section === "rows") {
      if (line === "") section = "outside";
      else if (!/^\s/.test(line)) rows.push(parseRow(line, widths, fail));
      // else: a `-n` / `-s` detail line under the previous row
    } else if (section === "header") {
      if (DASHES_LINE.test(line)) {
        widths = line.split(/ +/).map((dashes) => dashes.length);
        if (widths.length !== COLUMN_COUNT) fail(`${widths.length} columns instead of 11`);
        section = "rows";
      } // else: the "Req'd  Req'd   Elap" / "Job ID  Username ..." titles
    } else if (line !== "") {
      if (!SERVER_LINE.test(line)) fail("a line before the `SERVER:` header");
      section = "header";
    }
  }
  if (section === "header") {
    throw tableError("output that ends inside a table header", lines.length, "", text);
  }
  return rows;
}

/**
 * The id to hand to other PBS commands: the id itself, or for a cut id its
 * sequence number (`8123456`, `8123456[]`), which PBS completes with the
 * default server. Undefined when even the sequence number was cut (not
 * possible with real ids in `-w` output).
 */
export function commandJobId(row: Pick<JobRow, "id" | "idTruncated">): string | undefined {
  if (!row.idTruncated) return row.id;
  const dot = row.id.indexOf(".");
  return dot > 0 && /^\d+(?:\[\d*\])?$/.test(row.id.slice(0, dot))
    ? row.id.slice(0, dot)
    : undefined;
}

// ---------------------------------------------------------------------------
// One row

type Fail = (what: string) => never;

/**
 * No value can hold a space, so a row splits on whitespace, which also copes
 * with an id wider than its column. The one exception is a byte/word size
 * (`100 b`), rejoined first.
 */
function parseRow(line: string, widths: number[], fail: Fail): JobRow {
  const cells = line.trim().split(/\s+/);
  if (cells.length === COLUMN_COUNT + 1 && /^[bw]$/.test(cells[MEMORY + 1])) {
    cells.splice(MEMORY, 2, cells[MEMORY] + cells[MEMORY + 1]);
  }
  if (cells.length !== COLUMN_COUNT) fail(`a job row with ${cells.length} fields instead of 11`);

  const truncated: TruncatedColumn[] = [];
  const text = (column: number) => cutText(cells[column], widths[column]);
  const count = (column: number, name: TruncatedColumn) => {
    const cell = cells[column];
    if (cell === ABSENT) return undefined;
    if (/^\d+\*$/.test(cell)) {
      truncated.push(name);
      return undefined;
    }
    if (!/^\d+$/.test(cell)) fail(`${JSON.stringify(cell)} as a ${name} count`);
    return Number(cell);
  };

  const id = text(ID);
  const name = text(NAME);
  const user = text(USER);
  const queue = text(QUEUE);
  if (user.cut) truncated.push("user");
  if (queue.cut) truncated.push("queue");
  const state = cells[STATE];
  if (!isJobStateLetter(state)) fail(`${JSON.stringify(state)} as a job state`);

  const row: JobRow = {
    id: id.value,
    user: user.value,
    queue: queue.value,
    name: name.value,
    nameTruncated: name.cut,
    state,
    idTruncated: id.cut,
  };
  setPresent(row, "sessionId", count(SESSION, "sessionId"));
  setPresent(row, "nodes", count(NODES, "nodes"));
  setPresent(row, "tasks", count(TASKS, "tasks"));
  setPresent(row, "memory", optional(cells[MEMORY]));
  setPresent(row, "walltime", optional(cells[TIME]));
  setPresent(row, "elapsed", optional(cells[ELAPSED]));
  if (truncated.length > 0) row.truncated = truncated;
  return row;
}

/**
 * qstat cuts a value only when it is longer than its column, so a cut value
 * fills the column exactly and ends in `*`; a shorter value ending in `*` is
 * taken as it is.
 */
function cutText(cell: string, width: number): { value: string; cut: boolean } {
  return cell.endsWith(TRUNC) && cell.length >= width
    ? { value: cell.slice(0, -TRUNC.length), cut: true }
    : { value: cell, cut: false };
}

function optional(cell: string): string | undefined {
  return cell === ABSENT ? undefined : cell;
}

/** Keeps absent fields out of the row (no `key: undefined` in tool output). */
function setPresent<K extends keyof JobRow>(row: JobRow, key: K, value: JobRow[K] | undefined) {
  if (value !== undefined) row[key] = value;
}

function tableError(what: string, lineNumber: number, line: string, text: string): PbsError {
  return new PbsError({
    kind: "parse_error",
    message: `qstat -a printed ${what} (line ${lineNumber}: ${JSON.stringify(line)})`,
    hint:
      "Expected `qstat -a [-w]` output (a `SERVER:` line, two header lines, dashes, one row per job; no -1/-T). Check that the PBS clients are OpenPBS 23.x, or list jobs with `qstat -f -F json` instead.",
    pbsMessage: text.length > 500 ? `${text.slice(0, 500)}…` : text,
    command: "qstat",
  });
}
