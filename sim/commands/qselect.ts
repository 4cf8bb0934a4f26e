/** qselect: ids of the jobs matching every given criterion, one per line. */

import { PBSE, type SimJob } from "../model.ts";
import { getopt, has, lastArg, type ParsedArgs } from "../argv.ts";
import { type CommandOutput, exitCodeOf, fail, ok, pbsMessage } from "../errno.ts";
import { parseDuration, parseSize } from "../../src/pbs/model/time.ts";
import { parsePbsDate } from "../pbsdate.ts";
import { type CommandContext, connect, usageError, userPart, versionOutput } from "./context.ts";

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
  const parsed = getopt(ctx.args, "a:A:c:h:HJl:N:p:P:q:r:s:t:Tu:x");
  if (!parsed.ok) return usageError(ctx, parsed.message);
  const tests = parseResourceTests(lastArg(parsed, "l"));
  if (tests === undefined) return usageError(ctx, "illegal -l value");
  const timeTest = parseTimeTest(lastArg(parsed, "t"), ctx.complex.now());
  if (timeTest === null) return usageError(ctx, "illegal -t value");
  connect(ctx);

  const { complex } = ctx;
  const queue = lastArg(parsed, "q")?.split("@")[0];
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
    .filter((job) => timeTest === undefined || timeTest(job));
  return ok(jobs.map((job) => `${job.id}\n`).join(""));
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

/** The job times `-t` can compare, by its option letter (g, eligible time, is not kept). */
const TIME_FIELDS: Record<string, (job: SimJob) => number | undefined> = {
  c: (job) => job.ctime,
  e: (job) => job.etime,
  m: (job) => job.mtime,
  q: (job) => job.qtime,
  s: (job) => job.stime,
  t: (job) => job.estimatedStartTime,
};

/** `m.ge.202611170304` → a job test; undefined without -t, null when malformed. */
function parseTimeTest(
  text: string | undefined,
  now: number,
): ((job: SimJob) => boolean) | undefined | null {
  if (text === undefined) return undefined;
  const m = /^([cemqst])\.(eq|ne|lt|le|gt|ge)\.(.+)$/.exec(text);
  const at = m ? parsePbsDate(m[3], now) : undefined;
  if (!m || at === undefined) return null;
  const [, field, op] = m;
  return (job) => {
    const time = TIME_FIELDS[field](job);
    return time !== undefined && COMPARATORS[op](Math.sign(time - at));
  };
}

/** `walltime.gt.00:15:00,ncpus.ge.2` → tests; undefined when malformed. */
function parseResourceTests(text: string | undefined): ResourceTest[] | undefined {
  if (text === undefined) return [];
  const tests: ResourceTest[] = [];
  for (const item of text.split(",")) {
    const m = /^([A-Za-z][\w-]*)\.(eq|ne|lt|le|gt|ge)\.(.+)$/.exec(item);
    if (!m) return undefined;
    tests.push({ name: m[1], compare: COMPARATORS[m[2]], value: m[3] });
  }
  return tests;
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
