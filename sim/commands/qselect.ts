/** qselect: ids of the jobs matching every given criterion, one per line. */

import { PBSE, type SimJob } from "../model.ts";
import { getopt, has, lastArg, type ParsedArgs } from "../argv.ts";
import { type CommandOutput, exitCodeOf, fail, ok, pbsMessage } from "../errno.ts";
import { parseDuration, parseSize } from "../../src/pbs/model/time.ts";
import { parsePbsDate } from "../pbsdate.ts";
import { type CommandContext, connect, usageError, userPart, versionOutput } from "./context.ts";
import {
  attributeRefusal,
  isAtList,
  isHoldList,
  verifyJobName,
  verifyOption,
} from "./job_attrs.ts";
import { parseDestination } from "./option_syntax.ts";
import { USAGE } from "./usage.ts";

/** Resources every PBS complex knows (besides those seen on jobs and nodes). */
const BUILTIN_RESOURCES = [
  "walltime",
  "cput",
  "ncpus",
  "mem",
  "vmem",
  "select",
  "place",
  "nodect",
  "ngpus",
  "nodes",
  "host",
  "vnode",
  "arch",
  "software",
  "file",
  "pmem",
  "pcput",
  "mpiprocs",
  "ompthreads",
];

const COMPARATORS: Record<string, (c: number) => boolean> = {
  eq: (c) => c === 0,
  ne: (c) => c !== 0,
  lt: (c) => c < 0,
  le: (c) => c <= 0,
  gt: (c) => c > 0,
  ge: (c) => c >= 0,
};

interface ResourceTest {
  name: string;
  compare: (c: number) => boolean;
  value: string;
}

export function qselect(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const raw = getopt(ctx.args, "a:A:c:h:HJl:N:p:P:q:r:s:t:Tu:x");
  if (!raw.ok) return usageError(ctx, raw.message);
  const options = readOptions(raw, ctx.complex.now());
  if (options.complaints || raw.operands.length) {
    return fail(2, options.complaints + USAGE.qselect);
  }
  const { parsed, tests, timeTests } = options;
  const destination = lastArg(raw, "q");
  const parsedDestination = destination === undefined ? undefined : parseDestination(destination);
  if (destination !== undefined && !parsedDestination) {
    return fail(2, `qselect: illegally formed destination: ${destination}\n`);
  }
  connect(ctx);
  const refused = selectionRefusal(ctx, options.checks);
  if (refused) return refused;

  const { complex } = ctx;
  const queue = parsedDestination?.queue;
  if (queue !== undefined && queue !== "" && !complex.queues().some((q) => q.name === queue)) {
    return fail(exitCodeOf(PBSE.UNKQUE), "qselect: Unknown queue destination\n");
  }
  const known = knownResources(ctx);
  const unknown = tests.find((t) => !known.has(t.name));
  if (unknown) {
    return fail(
      exitCodeOf(PBSE.UNKRESC),
      `qselect: ${pbsMessage(PBSE.UNKRESC)} Resource_List.${unknown.name}\n`,
    );
  }

  const jobs = complex.listJobs({ history: has(parsed, "x"), subjobs: has(parsed, "T") })
    .filter((job) => matches(job, parsed, queue, tests))
    .filter((job) => timeTests.every((test) => test(job)));
  return ok(jobs.map((job) => `${job.id}\n`).join(""));
}

/** One criterion value the client library checks when the request is made. */
interface SelectCheck {
  letter: string;
  value: string;
  resource?: string;
}

interface SelectOptions {
  /** The options with any `.op.` prefix taken off their values. */
  parsed: ParsedArgs;
  tests: ResourceTest[];
  timeTests: Array<(job: SimJob) => boolean>;
  checks: SelectCheck[];
  /** What qselect prints itself before its usage (`illegal -X value` lines). */
  complaints: string;
}

/**
 * qselect's own option handling (`src/cmds/qselect.c` `main`, `check_op`,
 * `check_res_op`, `get_tsubopt`): `.op.` prefixes (eq ne ge gt le lt) on
 * -a -c -h -p -q -s and -t; `-a`/`-t` dates `cvtdate` must read, `-t` one of
 * a c e g m q s t first; `-c` not empty; `-r` starting y or n; `-l`
 * `name.op.value` items (a bad one prints `illegal -l value` and
 * `resource_list: REST`). Every complaint, then the usage, exit 2; operands
 * are a usage error too.
 */
function readOptions(raw: ParsedArgs, now: number): SelectOptions {
  const out: SelectOptions = {
    parsed: { options: [], operands: raw.operands },
    tests: [],
    timeTests: [],
    checks: [],
    complaints: "",
  };
  const illegal = (letter: string) => (out.complaints += `qselect: illegal -${letter} value\n`);
  for (const { letter, arg = "" } of raw.options) {
    const value = "achpqs".includes(letter) ? splitOp(arg).value : arg;
    switch (letter) {
      case "a":
        if (parsePbsDate(value, now) === undefined) illegal("a");
        break;
      case "c":
        if (value.trim() === "") illegal("c");
        else out.checks.push({ letter, value });
        break;
      case "h":
      case "s":
      case "N":
      case "p":
      case "u":
        out.checks.push({ letter, value });
        break;
      case "r":
        if (!/^\s*[yn]/.test(arg)) illegal("r");
        break;
      case "t": {
        const test = timeTest(arg, now);
        if (test) out.timeTests.push(test);
        else illegal("t");
        break;
      }
      case "l": {
        const tests = resourceTests(arg);
        if ("rest" in tests) {
          out.complaints += `qselect: illegal -l value\nresource_list: ${tests.rest}\n`;
          break;
        }
        out.tests.push(...tests.tests);
        for (const t of tests.tests) out.checks.push({ letter, value: t.value, resource: t.name });
        break;
      }
    }
    out.parsed.options.push({ letter, arg: value });
  }
  return out;
}

/** `check_op`: `.ge.5` → ge, `5`; an unknown operator still skips its four characters. */
function splitOp(arg: string): { op: string; value: string } {
  if (!arg.startsWith(".")) return { op: "eq", value: arg };
  const op = arg.slice(1, 3);
  return { op: op in COMPARATORS ? op : "eq", value: arg.slice(4) };
}

/**
 * The request's attribute check (`handle_attribute_errors` of qselect.c,
 * `ecl_verify_values.c`), the last given option first (the list is built
 * backwards): -h hold letters, -N a job name (empty allowed), -u a user
 * list, -s state letters, -c a checkpoint value: `illegal -X value` +
 * usage, exit 2. -p not an integer and -l values of the wrong type:
 * `qselect: MESSAGE`, exit 166.
 */
function selectionRefusal(ctx: CommandContext, checks: SelectCheck[]): CommandOutput | undefined {
  for (const check of [...checks].reverse()) {
    const { letter, value, resource } = check;
    if (resource !== undefined) {
      const refused = attributeRefusal(ctx, [{ letter, value, resource }]);
      if (refused) return refused;
      continue;
    }
    if (letter === "p") {
      if (/^\s*[+-]?\d+$/.test(value)) continue;
      return fail(exitCodeOf(PBSE.BADATVAL), `qselect: ${pbsMessage(PBSE.BADATVAL)}\n`);
    }
    const ok = letter === "h"
      ? isHoldList(value)
      : letter === "N"
      ? value === "" || verifyJobName(value) === "ok"
      : letter === "u"
      ? isAtList(value, false, false)
      : letter === "s"
      ? /^[EHQRTWSUBXFM]+$/.test(value)
      : verifyOption(letter, value) === "ok";
    if (!ok) return usageError(ctx, `illegal -${letter} value`);
  }
  return undefined;
}

function matches(
  job: SimJob,
  parsed: ParsedArgs,
  queue: string | undefined,
  tests: ResourceTest[],
): boolean {
  const states = lastArg(parsed, "s");
  const users = lastArg(parsed, "u")?.split(",").map(userPart);
  const holds = lastArg(parsed, "h");
  if (has(parsed, "J") && job.array === undefined) return false;
  if (has(parsed, "T") && job.parentId === undefined) return false;
  if (!has(parsed, "T") && !has(parsed, "J") && job.parentId !== undefined) return false;
  if (states !== undefined && !states.includes(job.state)) return false;
  if (users !== undefined && !users.includes(job.user)) return false;
  if (queue && job.queue !== queue) return false;
  if (lastArg(parsed, "N") !== undefined && job.name !== lastArg(parsed, "N")) return false;
  if (lastArg(parsed, "A") !== undefined && job.account !== lastArg(parsed, "A")) return false;
  if (
    holds !== undefined &&
    ![...holds].some((h) => (h === "n" ? job.holds === "" : job.holds.includes(h)))
  ) {
    return false;
  }
  return tests.every((t) => {
    const value = job.resources[t.name];
    return value !== undefined && t.compare(compareValues(String(value), t.value));
  });
}

/** The job times `-t` can compare, by its subopt letter (`get_tsubopt`). */
const TIME_FIELDS: Record<string, (job: SimJob) => number | undefined> = {
  a: (job) => job.executionTime,
  c: (job) => job.ctime,
  e: (job) => job.etime,
  // Eligible time is not modelled: no job matches a `-t g` test.
  g: () => undefined,
  m: (job) => job.mtime,
  q: (job) => job.qtime,
  s: (job) => job.stime,
  t: (job) => job.estimatedStartTime,
};

/** `m.ge.202611170304` (subopt, optional `.op.`, date) → a job test; undefined when malformed. */
function timeTest(text: string, now: number): ((job: SimJob) => boolean) | undefined {
  const field = TIME_FIELDS[text[0] ?? ""];
  if (!field) return undefined;
  const { op, value } = splitOp(text.slice(1));
  const at = parsePbsDate(value, now);
  if (at === undefined) return undefined;
  return (job) => {
    const time = field(job);
    return time !== undefined && COMPARATORS[op](Math.sign(time - at));
  };
}

/**
 * `walltime.gt.00:15:00,ncpus.ge.2` → tests (`check_res_op`): each item
 * needs `.`, a known operator and a value; no trailing comma. On a bad item,
 * `rest` is the text from that item on.
 */
function resourceTests(text: string): { tests: ResourceTest[] } | { rest: string } {
  const tests: ResourceTest[] = [];
  let rest = text;
  while (rest !== "") {
    const m = /^([^.]*)\.(eq|ne|lt|le|gt|ge)\.([^,]+)(,?)(.*)$/s.exec(rest);
    if (!m || (m[4] === "," && m[5] === "")) return { rest };
    tests.push({ name: m[1], compare: COMPARATORS[m[2]], value: m[3] });
    rest = m[5];
  }
  return { tests };
}

/** Compares as durations, then sizes, then numbers, then text. */
function compareValues(a: string, b: string): number {
  for (
    const parse of [
      parseDuration,
      parseSize,
      (t: string) => (/^-?\d+(\.\d+)?$/.test(t) ? Number(t) : undefined),
    ]
  ) {
    const [x, y] = [parse(a), parse(b)];
    if (x !== undefined && y !== undefined) return Math.sign(x - y);
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function knownResources(ctx: CommandContext): Set<string> {
  const names = new Set(BUILTIN_RESOURCES);
  for (const job of ctx.complex.listJobs({ history: true })) {
    for (const name of Object.keys(job.resources)) names.add(name);
  }
  for (const node of ctx.complex.nodes()) {
    for (const name of Object.keys(node.extra)) names.add(name);
  }
  return names;
}
