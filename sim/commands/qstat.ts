/**
 * qstat: job, queue (-Q, -q) and server (-B) status in PBS's text, table,
 * JSON and DSV forms.
 */

import { PBSE, SimError, type SimJob, type SimQueue } from "../model.ts";
import { getopt, has, lastArg, type ParsedArgs } from "../argv.ts";
import { type CommandOutput, exitCodeOf, fail, serverMessage } from "../errno.ts";
import { attrValue, type JsonFlavour, qstatJson } from "../format/attrs.ts";
import { parsePbsTime } from "../../src/pbs/model/time.ts";
import {
  type JsonNode,
  MASTER_STYLE,
  num,
  obj,
  printJson,
  RELEASE_STYLE,
  str,
} from "../format/json.ts";
import { qstatDsv, qstatFullText } from "../format/text.ts";
import {
  type JobRow,
  qstatAltTable,
  qstatDefaultTable,
  queueLimitsTable,
  queueSummaryTable,
  serverSummaryTable,
} from "../format/tables.ts";
import {
  type CommandContext,
  connect,
  normaliseJobId,
  usageError,
  userPart,
  versionOutput,
} from "./context.ts";
import { parseDestination } from "./option_syntax.ts";
import { USAGE } from "./usage.ts";

const QSTAT_OPTIONS = "1aBD:EfF:GHiJMnpqQrstTu:wW:x";

type OutputFormat = "text" | "json" | "dsv";

interface QstatMode {
  full: boolean;
  format: OutputFormat;
  delimiter: string;
  wide: boolean;
}

/** Output and errors accumulated over several ids, in PBS's order. */
class Result {
  stdout = "";
  stderr = "";
  code = 0;
  error(line: string, code: number): void {
    this.stderr += line;
    this.code = code;
  }
  output(): CommandOutput {
    return { stdout: this.stdout, stderr: this.stderr, code: this.code };
  }
}

export function qstat(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const raw = getopt(ctx.args, QSTAT_OPTIONS);
  if (!raw.ok) return usageError(ctx, raw.message);
  const checked = checkQstatOptions(raw);
  if ("refused" in checked) return fail(2, checked.refused + USAGE.qstat);
  const { parsed, format, delimiter } = checked;

  const mode: QstatMode = {
    full: has(parsed, "f"),
    format,
    delimiter: delimiter ?? (format === "dsv" ? "|" : "\n"),
    wide: has(parsed, "w"),
  };

  if (has(parsed, "B")) return serverStatus(ctx, mode);
  if (has(parsed, "Q")) return queueStatus(ctx, parsed.operands, mode);
  if (has(parsed, "q")) return queueLimits(ctx, parsed.operands);
  return jobStatus(ctx, parsed, mode);
}

/** Options that choose an alternative display (`alt_opt` in qstat.c). */
const ALTERNATIVE_DISPLAY = new Set([
  "a",
  "T",
  "i",
  "r",
  "H",
  "u",
  "n",
  "s",
  "q",
  "G",
  "M",
  "1",
  "w",
]);
/** Letters `-W` may carry, each as its own option (`u` takes the rest as the user list). */
const W_LETTERS = new Set(["a", "i", "r", "H", "u", "n", "s", "q", "G", "M", "1"]);
const CONFLICT = "qstat: conflicting options.\n";

type CheckedOptions =
  | { parsed: ParsedArgs; format: OutputFormat; delimiter?: string }
  | { refused: string };

/**
 * qstat's own option rules (`src/cmds/qstat.c` `main`), in option order:
 * `-F` one of default/dsv/json (any case); `-D` only after `-F dsv`; `-B`
 * and `-Q` not with each other nor after an alternative display other than
 * `-w`; `-W` letters among a/i/r/H/u/n/s/q/G/M/1; then at most one of
 * -a/-i/-r/-q/-H, not -M with -G, `-F` only with `-f` and no alternative
 * display, not `-q` with `-f`, `-1` only with -n or -s, `-w` not with `-F`
 * (`option w cannot be used with -F`). Each broken rule prints its line
 * (`conflicting options.` for the combinations); then the usage, exit 2.
 */
function checkQstatOptions(raw: ParsedArgs): CheckedOptions {
  let refused = "";
  let malformed = false;
  let format: OutputFormat | "default" = "default";
  let delimiter: string | undefined;
  // -f, until a later -n or -s turns it off (`f_opt`).
  let full = false;
  const seen = new Set<string>();
  let options: ParsedArgs["options"] = [];
  const alternative = () => [...seen].some((l) => ALTERNATIVE_DISPLAY.has(l) && l !== "w");
  const take = (option: ParsedArgs["options"][number]) => {
    seen.add(option.letter);
    options.push(option);
    if (option.letter === "f") full = true;
    if (option.letter === "n" || option.letter === "s") {
      full = false;
      options = options.filter((o) => o.letter !== "f");
    }
  };
  for (const option of raw.options) {
    const { letter, arg = "" } = option;
    if (letter === "W") {
      for (let i = 0; i < arg.length; i++) {
        const c = arg[i];
        if (c === " ") continue;
        if (!W_LETTERS.has(c)) {
          malformed = true;
        } else if (c === "u") {
          take({ letter: "u", arg: arg.slice(i + 1).trimStart() });
          break;
        } else {
          take({ letter: c });
        }
      }
      continue;
    }
    if (letter === "F") {
      const name = arg.toLowerCase();
      if (name === "json" || name === "dsv" || name === "default") format = name;
      else malformed = true;
    } else if (letter === "D") {
      if (format === "dsv") delimiter = arg;
      else malformed = true;
    } else if (letter === "B" || letter === "Q") {
      const other = letter === "B" ? "Q" : "B";
      if (seen.has(other) || alternative()) refused += CONFLICT;
    }
    take(option);
  }
  const given = (l: string) => seen.has(l);
  if (["a", "i", "r", "q", "H"].filter(given).length > 1) refused += CONFLICT;
  if (given("M") && given("G")) refused += CONFLICT;
  const anyAlternative = [...seen].some((l) => ALTERNATIVE_DISPLAY.has(l));
  if (format !== "default" && (!full || anyAlternative)) refused += CONFLICT;
  if (given("q") && full) refused += CONFLICT;
  if (given("1") && !given("n") && !given("s")) refused += CONFLICT;
  if (given("w") && format !== "default") refused += "qstat: option w cannot be used with -F\n";
  if (refused || malformed) return { refused };
  const parsed = { options, operands: raw.operands };
  return { parsed, format: format === "default" ? "text" : format, delimiter };
}

// Jobs ------------------------------------------------------------------------

interface JobFilter {
  history: boolean;
  historyOnly: boolean;
  subjobs: boolean;
  arraysOnly: boolean;
  states?: string;
  users?: string[];
}

function jobFilter(parsed: ParsedArgs): JobFilter {
  const users = lastArg(parsed, "u")?.split(",").map((u) => userPart(u));
  const states = has(parsed, "i") ? "QHWT" : has(parsed, "r") ? "RSE" : undefined;
  return {
    history: has(parsed, "x") || has(parsed, "H"),
    historyOnly: has(parsed, "H"),
    subjobs: has(parsed, "t"),
    arraysOnly: has(parsed, "J"),
    states,
    users,
  };
}

/** -J: array parents only; with -t, their subjobs only (qstat_J, qstat_Jt). */
function passes(job: SimJob, filter: JobFilter): boolean {
  if (filter.arraysOnly) {
    const isParent = job.array !== undefined;
    const isSubjob = job.parentId !== undefined;
    if (filter.subjobs ? !isSubjob : !isParent) return false;
  }
  if (filter.historyOnly && job.state !== "F") return false;
  if (filter.states && !filter.states.includes(job.state)) return false;
  if (filter.users && !filter.users.includes(job.user)) return false;
  return true;
}

function jobStatus(ctx: CommandContext, parsed: ParsedArgs, mode: QstatMode): CommandOutput {
  const { complex } = ctx;
  const filter = jobFilter(parsed);
  const result = new Result();
  connect(ctx, mode.format === "json" ? jsonDocument(ctx, "Jobs", undefined) : "");
  if (filter.history && !complex.server.jobHistoryEnable) {
    result.stderr += "qstat: PBS is not configured to maintain job history \n";
  }

  // One group per status call PBS would make (one per id or destination).
  const groups: SimJob[][] = [];
  if (parsed.operands.length === 0) {
    groups.push(complex.listJobs({ history: filter.history, subjobs: filter.subjobs }));
  }
  for (const operand of parsed.operands) {
    // pbs_isjobid: a digit after any blanks makes a job id, anything else a destination.
    const group = /^ *\d/.test(operand)
      ? jobsForId(ctx, operand, filter, result)
      : jobsForDestination(ctx, operand, filter, result);
    if (group) groups.push(group);
  }
  const selected = groups.map((group) => group.filter((job) => passes(job, filter)));
  result.stdout += renderJobs(ctx, selected, mode, parsed);
  return result.output();
}

function jobsForId(
  ctx: CommandContext,
  raw: string,
  filter: JobFilter,
  result: Result,
): SimJob[] | undefined {
  const id = normaliseJobId(raw, ctx.complex);
  if (id === undefined) {
    result.error(`qstat: illegally formed job identifier: ${raw}\n`, 1);
    return undefined;
  }
  try {
    const job = ctx.complex.findJob(id, { history: filter.history });
    if (!filter.subjobs || !job.array) return [job];
    return [job, ...[...job.array.subjobs.values()]];
  } catch (error) {
    if (!(error instanceof SimError)) throw error;
    if (error.errno === PBSE.HISTJOBID) {
      result.error(
        `qstat: ${id} Job has finished, use -x or -H to obtain historical job information\n`,
        exitCodeOf(error.errno),
      );
    } else {
      result.error(`qstat: ${serverMessage(error)} ${id}\n`, exitCodeOf(error.errno));
    }
    return undefined;
  }
}

/** `workq`, `workq@vm`, `@vm`: jobs in a queue (or all jobs of the server). */
function jobsForDestination(
  ctx: CommandContext,
  destination: string,
  filter: JobFilter,
  result: Result,
): SimJob[] | undefined {
  const parsed = parseDestination(destination);
  if (!parsed) {
    result.error(`qstat: illegally formed destination: ${destination}\n`, 1);
    return undefined;
  }
  const { queue, server } = parsed;
  const { complex } = ctx;
  const known = complex.queues().some((q) => q.name === queue);
  if ((queue && !known) || (server !== undefined && server !== complex.server.name)) {
    result.error(`qstat: Unknown queue destination ${destination}\n`, exitCodeOf(PBSE.UNKQUE));
    return undefined;
  }
  const jobs = complex.listJobs({ history: filter.history, subjobs: filter.subjobs });
  return queue ? jobs.filter((job) => job.queue === queue) : jobs;
}

function renderJobs(
  ctx: CommandContext,
  groups: SimJob[][],
  mode: QstatMode,
  parsed: ParsedArgs,
): string {
  const { complex } = ctx;
  if (mode.format === "json") {
    // OpenPBS master bug (qstat_f_json_multi, INDEX §3): the "Jobs" object is
    // created during the first successful status call only, so jobs from any
    // later id or destination are dropped. Reproduced on purpose.
    const first = groups.find((group) => group.length > 0) ?? [];
    const section = first.length
      ? obj(first.map((job) => [job.id, qstatJson(complex.jobAttributes(job), ctx.jsonFlavour)]))
      : undefined;
    return jsonDocument(ctx, "Jobs", section);
  }
  const jobs = groups.flat();
  if (mode.full) {
    return jobs.map((job) => {
      const attrs = complex.jobAttributes(job);
      return mode.format === "dsv"
        ? qstatDsv(`Job Id: ${job.id}`, attrs, mode.delimiter)
        : qstatFullText(`Job Id: ${job.id}`, attrs, mode.wide);
    }).join("");
  }
  const rows: JobRow[] = jobs.map((job) => ({ id: job.id, attrs: complex.jobAttributes(job) }));
  const alternate = ["a", "i", "r", "H", "u", "n", "s", "T"].some((letter) => has(parsed, letter));
  if (!alternate) return qstatDefaultTable(rows, mode.wide);
  const withEstimates = has(parsed, "T");
  const now = complex.now();
  return qstatAltTable(withEstimates ? byEstimatedStart(rows, now) : rows, {
    wide: mode.wide,
    nodes: has(parsed, "n"),
    comments: has(parsed, "s"),
    server: complex.server.name,
    estimatedStart: withEstimates ? (epoch) => estimatedStartText(epoch, now) : undefined,
  });
}

/**
 * The `Est Start Time` column (qstat.c `cnvt_est_start_time`): `--` when
 * past, `HH:MM` the same day, `Dd HH` within a week (`Fr 07`), the month
 * (`Dec`) the same year, the year within five years, else `>5yrs`.
 */
function estimatedStartText(epoch: number, now: number): string {
  if (epoch === 0) return "?";
  if (epoch < now) return "--";
  const [est, today] = [new Date(epoch * 1000), new Date(now * 1000)];
  const two = (n: number) => String(n).padStart(2, "0");
  const sameDay = est.getFullYear() === today.getFullYear() &&
    est.getMonth() === today.getMonth() && est.getDate() === today.getDate();
  if (sameDay) return `${two(est.getHours())}:${two(est.getMinutes())}`;
  if (epoch - now < 7 * 86400) {
    return `${est.toLocaleString("en-US", { weekday: "short" }).slice(0, 2)} ${
      two(est.getHours())
    }`;
  }
  if (est.getFullYear() === today.getFullYear()) {
    return est.toLocaleString("en-US", { month: "short" });
  }
  return est.getFullYear() - today.getFullYear() < 5 ? String(est.getFullYear()) : ">5yrs";
}

/**
 * `-T` order (qstat.c `cmp_est_time`): jobs that started, by stime; then jobs
 * whose estimate is still ahead, by estimate; the rest last, in their order
 * (qstat_T_strict_ordering: 283, 286, 284, 285, 287).
 */
function byEstimatedStart(rows: JobRow[], now: number): JobRow[] {
  const timeOf = (row: JobRow, name: string, resource?: string) => {
    const text = attrValue(row.attrs, name, resource);
    return text === undefined ? undefined : parsePbsTime(text);
  };
  const keyed = rows.map((row, index) => {
    const stime = timeOf(row, "stime");
    const est = timeOf(row, "estimated", "start_time");
    if (stime !== undefined) return { row, index, group: 0, key: stime };
    if (est !== undefined && est >= now) return { row, index, group: 1, key: est };
    return { row, index, group: 2, key: 0 };
  });
  keyed.sort((a, b) => a.group - b.group || a.key - b.key || a.index - b.index);
  return keyed.map((k) => k.row);
}

/** The JSON envelope; an absent or empty section leaves its key out (PBS prints none). */
export function jsonDocument(
  ctx: CommandContext,
  key: string,
  section: JsonNode | undefined,
): string {
  const { complex } = ctx;
  const root = obj([
    ["timestamp", num(complex.now())],
    ["pbs_version", str(complex.server.version)],
    ["pbs_server", str(complex.server.name)],
  ]);
  if (section && section.t === "obj" && section.entries.length > 0) {
    root.entries.push([key, section]);
  }
  return printJson(root, styleOf(ctx.jsonFlavour));
}

function styleOf(flavour: JsonFlavour) {
  return flavour === "release" ? RELEASE_STYLE : MASTER_STYLE;
}

// Queues and server ---------------------------------------------------------------

function selectQueues(ctx: CommandContext, names: string[], result: Result): SimQueue[][] {
  const { complex } = ctx;
  if (names.length === 0) return [complex.queues()];
  const groups: SimQueue[][] = [];
  for (const name of names) {
    const parsed = parseDestination(name);
    if (!parsed) {
      result.error("qstat: illegal 'destination' value\n", 1);
      continue;
    }
    const queueName = parsed.queue;
    try {
      groups.push(queueName ? [complex.findQueue(queueName)] : complex.queues());
    } catch (error) {
      if (!(error instanceof SimError)) throw error;
      result.error(`qstat: ${serverMessage(error)} ${name}\n`, exitCodeOf(error.errno));
    }
  }
  return groups;
}

function queueStatus(ctx: CommandContext, names: string[], mode: QstatMode): CommandOutput {
  const { complex } = ctx;
  connect(ctx, mode.format === "json" ? jsonDocument(ctx, "Queue", undefined) : "");
  const result = new Result();
  const groups = selectQueues(ctx, names, result);
  if (mode.format === "json") {
    // Same master bug as for jobs: only the first destination's queues appear.
    const first = groups.find((g) => g.length > 0) ?? [];
    const section = obj(
      first.map((q) => [q.name, qstatJson(complex.queueAttributes(q), ctx.jsonFlavour)]),
    );
    result.stdout += jsonDocument(ctx, "Queue", section);
    return result.output();
  }
  const queues = groups.flat();
  if (mode.format === "dsv") {
    result.stdout += queues.map((q) =>
      qstatDsv(`Queue: ${q.name}`, complex.queueAttributes(q), mode.delimiter)
    )
      .join("");
  } else if (mode.full) {
    result.stdout += queues.map((q) =>
      qstatFullText(`Queue: ${q.name}`, complex.queueAttributes(q), mode.wide)
    )
      .join("");
  } else {
    result.stdout += queueSummaryTable(
      queues.map((q) => ({ name: q.name, attrs: complex.queueAttributes(q) })),
    );
  }
  return result.output();
}

function queueLimits(ctx: CommandContext, names: string[]): CommandOutput {
  const { complex } = ctx;
  connect(ctx);
  const result = new Result();
  const queues = selectQueues(ctx, names, result).flat();
  result.stdout += queueLimitsTable(
    complex.server.name,
    queues.map((q) => ({ name: q.name, attrs: complex.queueAttributes(q) })),
  );
  return result.output();
}

function serverStatus(ctx: CommandContext, mode: QstatMode): CommandOutput {
  const { complex } = ctx;
  connect(ctx, mode.format === "json" ? jsonDocument(ctx, "Server", undefined) : "");
  const attrs = complex.serverAttributes();
  const name = complex.server.name;
  if (mode.format === "json") {
    return {
      stdout: jsonDocument(ctx, "Server", obj([[name, qstatJson(attrs, ctx.jsonFlavour)]])),
      stderr: "",
      code: 0,
    };
  }
  if (mode.format === "dsv") {
    return { stdout: qstatDsv(`Server: ${name}`, attrs, mode.delimiter), stderr: "", code: 0 };
  }
  if (mode.full) {
    return { stdout: qstatFullText(`Server: ${name}`, attrs, mode.wide), stderr: "", code: 0 };
  }
  return { stdout: serverSummaryTable({ name, attrs }), stderr: "", code: 0 };
}
