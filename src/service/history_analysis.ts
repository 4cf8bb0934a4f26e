/**
 * How well a user's finished jobs used what they asked for, and how they ended.
 *
 * Pure functions over parsed jobs (`jobUsage`, `exitClassOf`,
 * `summarizeHistory`), and `analyzeHistory`, which gathers the jobs through
 * PbsClient: one `qselect -x -s F` for the window, then one `qstat -fx -F json`
 * per analysed job (`qstat -f -F json A B` answers only A on current builds:
 * tests/fixtures/golden/INDEX.md), so only the newest `limit` are read.
 *
 * Figures (PBS attributes as `qstat -fx` prints them):
 * - walltime used/requested: `resources_used.walltime` / `Resource_List.walltime`;
 * - CPU efficiency: `resources_used.cput` / (`resources_used.walltime` × `Resource_List.ncpus`);
 * - memory: `resources_used.mem` / `Resource_List.mem`;
 * - node-hours: `Resource_List.nodect` (1 when absent) × walltime used, in hours.
 * GPU jobs (`Resource_List.ngpus` > 0) are flagged and kept out of CPU-efficiency
 * rankings: their CPUs mostly feed the GPUs, whose use PBS does not report.
 */
import { describeExitStatus } from "../pbs/model/exit_status.ts";
import { formatDuration, formatSizeApprox, parseDuration, parseSize } from "../pbs/model/time.ts";
import type { Job, PbsValue } from "../pbs/model/types.ts";
import { findSignatures } from "./diagnose/output_signatures.ts";
import type { PbsClient } from "./pbs_client.ts";

export type ExitClass = "success" | "failed" | "walltime" | "oom" | "deleted" | "signal";

/** The order classes are reported in. */
export const EXIT_CLASSES: readonly ExitClass[] = [
  "success",
  "failed",
  "walltime",
  "oom",
  "deleted",
  "signal",
];

/** Memory used at or above this share of the request counts as "at the limit". */
const MEMORY_AT_LIMIT = 0.95;

/** What one finished job used against what it requested. */
export interface JobUsage {
  id: string;
  name: string;
  queue: string;
  exitStatus?: number;
  exitClass: ExitClass;
  nodes: number;
  ncpus: number;
  ngpus: number;
  walltimeUsed: number;
  walltimeRequested?: number;
  /** cput / (walltime × ncpus), 0..1; absent without walltime or ncpus. */
  cpuEfficiency?: number;
  memUsedBytes?: number;
  memRequestedBytes?: number;
  nodeHours: number;
  /** Cpu-hours held but idle: ncpus × walltime − cput (CPU jobs only). */
  idleCoreHours: number;
}

/**
 * How a finished job ended. The rules, first match wins:
 * - deleted: it never ran (no Exit_status), or it ran and the server's comment
 *   says `terminated by USER` (qdel of a running job; capture qstat_fx_json of a
 *   qdel'd job: "... and terminated by alice@localhost", Exit_status 271).
 * - walltime: Exit_status -29 (JOB_EXEC_KILL_WALLTIME, OpenPBS src/include/job.h).
 * - oom: Exit_status -27/-26 (MoM killed it for mem/vmem); 137 (a command
 *   died of SIGKILL, what the kernel's OOM killer sends) or 271 (the job shell
 *   got SIGTERM) with an out-of-memory line in its output (`oomSignature`);
 *   or any other non-zero exit with memory used at the limit (≥ 95 % of
 *   Resource_List.mem).
 * - success: Exit_status 0.
 * - signal: 128+N or 256+N naming a signal (describeExitStatus category signal).
 * - failed: anything else (the script's own code 1..127, other PBS codes).
 */
export function exitClassOf(job: Job, oomSignature = false): ExitClass {
  const code = job.exitStatus;
  if (code === undefined || /\bterminated by \S+$/.test(job.comment ?? "")) return "deleted";
  if (code === -29) return "walltime";
  if (code === -27 || code === -26) return "oom";
  if (code === 0) return "success";
  if ((code === 137 || code === 271) && oomSignature) return "oom";
  if (memoryAtLimit(job)) return "oom";
  return describeExitStatus(code).category === "signal" ? "signal" : "failed";
}

function memoryAtLimit(job: Job): boolean {
  const used = sizeOf(job.used.mem);
  const requested = sizeOf(job.requested.mem);
  return used !== undefined && requested !== undefined && requested > 0 &&
    used >= requested * MEMORY_AT_LIMIT;
}

function sizeOf(value: PbsValue | undefined): number | undefined {
  return value === undefined ? undefined : parseSize(String(value));
}

function durationOf(value: PbsValue | undefined): number | undefined {
  return value === undefined ? undefined : parseDuration(String(value));
}

function countOf(value: PbsValue | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** One job's figures; `oomSignature` when its output showed an out-of-memory line. */
export function jobUsage(job: Job, oomSignature = false): JobUsage {
  const walltimeUsed = durationOf(job.used.walltime) ?? 0;
  const ncpus = countOf(job.requested.ncpus, 1);
  const ngpus = countOf(job.requested.ngpus, 0);
  const nodes = countOf(job.requested.nodect, 1);
  const cput = durationOf(job.used.cput);
  const usage: JobUsage = {
    id: job.id,
    name: job.name,
    queue: job.queue,
    exitClass: exitClassOf(job, oomSignature),
    nodes,
    ncpus,
    ngpus,
    walltimeUsed,
    nodeHours: nodes * walltimeUsed / 3600,
    idleCoreHours: 0,
  };
  if (job.exitStatus !== undefined) usage.exitStatus = job.exitStatus;
  const requested = durationOf(job.requested.walltime);
  if (requested !== undefined) usage.walltimeRequested = requested;
  if (cput !== undefined && walltimeUsed > 0 && ncpus > 0) {
    usage.cpuEfficiency = Math.min(1, cput / (walltimeUsed * ncpus));
    if (ngpus === 0) usage.idleCoreHours = Math.max(0, ncpus * walltimeUsed - cput) / 3600;
  }
  const memUsed = sizeOf(job.used.mem);
  if (memUsed !== undefined && job.used.walltime !== undefined) usage.memUsedBytes = memUsed;
  const memRequested = sizeOf(job.requested.mem);
  if (memRequested !== undefined) usage.memRequestedBytes = memRequested;
  return usage;
}

// ---------------------------------------------------------------------------
// Aggregation

export interface Tally {
  jobs: number;
  nodeHours: number;
}

export type RecommendationKind = "walltime" | "cpu" | "memory" | "walltime_kills" | "oom";

export interface Recommendation {
  kind: RecommendationKind;
  message: string;
  /** Up to EXAMPLES of the jobs it is about, newest first. */
  jobIds: string[];
}

export interface HistorySummary {
  analysed: number;
  gpuJobs: number;
  nodeHours: number;
  byQueue: Map<string, Tally>;
  byExitClass: Map<ExitClass, Tally>;
  /** CPU jobs that left most core-hours idle, most first (GPU jobs excluded). */
  wasteful: JobUsage[];
  recommendations: Recommendation[];
}

/** Most wasteful jobs listed. */
export const WASTEFUL_SHOWN = 5;
/** Job ids given per recommendation. */
const EXAMPLES = 5;
/** Fewest successful runs of a name group before its walltime or memory is judged. */
export const MIN_RUNS = 3;
/** A walltime or memory request is called too big when the most used is below this share. */
const OVER_REQUEST = 0.5;
/** CPU jobs below this efficiency (and running at least MIN_CPU_SECONDS) are reported. */
export const LOW_CPU_EFFICIENCY = 0.25;
const MIN_CPU_SECONDS = 60;
/** Recommended = most used × MARGIN, rounded up to the step. */
export const MARGIN = 1.5;
const WALLTIME_STEP = 15 * 60;
const GB = 1024 ** 3;
/** Most recommendations given (the biggest groups first). */
const MAX_RECOMMENDATIONS = 8;

/**
 * Runs of the same job under numbered names (`train_1`, `train_2`) form one
 * group `train_*`: the name with a trailing number (and the `_`, `-` or `.`
 * before it) replaced by `*`. A name without a trailing number is its own group.
 */
export function nameGroup(name: string): string {
  const m = /^(.*?[_.-]?)\d+$/.exec(name);
  return m && m[1] !== "" ? `${m[1]}*` : name;
}

/** Seconds → the recommended walltime: most used × 1.5, up to the next quarter hour. */
export function recommendedWalltime(mostUsed: number): number {
  return Math.max(WALLTIME_STEP, Math.ceil(mostUsed * MARGIN / WALLTIME_STEP) * WALLTIME_STEP);
}

/** Bytes → the recommended mem: most used × 1.5, up to the next whole GB. */
export function recommendedMemory(mostUsed: number): number {
  return Math.max(GB, Math.ceil(mostUsed * MARGIN / GB) * GB);
}

/** Totals, the most wasteful jobs and recommendations over jobs given newest first. */
export function summarizeHistory(jobs: readonly JobUsage[]): HistorySummary {
  const byQueue = new Map<string, Tally>();
  const byExitClass = new Map<ExitClass, Tally>();
  let nodeHours = 0;
  for (const job of jobs) {
    nodeHours += job.nodeHours;
    add(byQueue, job.queue, job);
    add(byExitClass, job.exitClass, job);
  }
  const wasteful = jobs
    .filter((j) => j.ngpus === 0 && j.idleCoreHours > 0)
    .sort((a, b) => b.idleCoreHours - a.idleCoreHours)
    .slice(0, WASTEFUL_SHOWN);
  return {
    analysed: jobs.length,
    gpuJobs: jobs.filter((j) => j.ngpus > 0).length,
    nodeHours,
    byQueue: new Map([...byQueue].sort((a, b) => b[1].nodeHours - a[1].nodeHours)),
    byExitClass: new Map(
      EXIT_CLASSES.filter((c) => byExitClass.has(c)).map((c) => [
        c,
        byExitClass.get(c)!,
      ]),
    ),
    wasteful,
    recommendations: recommendations(jobs),
  };
}

function add<K>(tallies: Map<K, Tally>, key: K, job: JobUsage): void {
  const tally = tallies.get(key) ?? { jobs: 0, nodeHours: 0 };
  tally.jobs++;
  tally.nodeHours += job.nodeHours;
  tallies.set(key, tally);
}

function recommendations(jobs: readonly JobUsage[]): Recommendation[] {
  const found: { weight: number; rec: Recommendation }[] = [];
  const push = (weight: number, kind: RecommendationKind, message: string, of: JobUsage[]) =>
    found.push({ weight, rec: { kind, message, jobIds: of.slice(0, EXAMPLES).map((j) => j.id) } });

  const groups = new Map<string, JobUsage[]>();
  for (const job of jobs) {
    const key = nameGroup(job.name);
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  for (const [group, members] of groups) {
    const done = members.filter((j) => j.exitClass === "success");
    if (done.length < MIN_RUNS) continue;
    const walltime = walltimeAdvice(group, done);
    if (walltime) push(done.length, "walltime", walltime, done);
    const memory = memoryAdvice(group, done);
    if (memory) push(done.length, "memory", memory, done);
  }

  const idle = jobs.filter((j) =>
    j.ngpus === 0 && j.cpuEfficiency !== undefined && j.cpuEfficiency < LOW_CPU_EFFICIENCY &&
    j.walltimeUsed >= MIN_CPU_SECONDS && j.ncpus > 1
  );
  const byCpus = new Map<number, JobUsage[]>();
  for (const job of idle) byCpus.set(job.ncpus, [...(byCpus.get(job.ncpus) ?? []), job]);
  for (const [ncpus, members] of byCpus) {
    const cput = members.reduce((t, j) => t + (j.cpuEfficiency ?? 0) * j.walltimeUsed * ncpus, 0);
    const held = members.reduce((t, j) => t + j.walltimeUsed * ncpus, 0);
    const efficiency = held > 0 ? cput / held : 0;
    const busy = Math.max(1, Math.ceil(efficiency * ncpus));
    push(
      members.length,
      "cpu",
      `${plural(members.length, "job")} ran at ${percent(efficiency)} CPU efficiency on ` +
        `${ncpus} cpus each (about ${busy} busy): request fewer cpus (ncpus=${busy}) or ` +
        `check that the program runs in parallel (threads, MPI ranks).`,
      members,
    );
  }

  const killed = jobs.filter((j) => j.exitClass === "walltime");
  if (killed.length > 0) {
    const longest = Math.max(...killed.map((j) => j.walltimeRequested ?? j.walltimeUsed));
    push(
      killed.length,
      "walltime_kills",
      `${plural(killed.length, "job")} hit ${killed.length === 1 ? "its" : "their"} walltime ` +
        `(Exit_status -29; longest request ` +
        `${formatDuration(longest)}): request more walltime or save checkpoints to resume from.`,
      killed,
    );
  }
  const oom = jobs.filter((j) => j.exitClass === "oom");
  if (oom.length > 0) {
    const most = Math.max(...oom.map((j) => j.memUsedBytes ?? 0));
    push(
      oom.length,
      "oom",
      `${plural(oom.length, "job")} ran out of memory` +
        (most > 0 ? ` (most used ${formatSizeApprox(most)})` : "") +
        `: request more mem (e.g. mem=${formatGb(recommendedMemory(most))}) or spread ` +
        `the work over more nodes.`,
      oom,
    );
  }
  return found
    .sort((a, b) => b.weight - a.weight)
    .slice(0, MAX_RECOMMENDATIONS)
    .map((f) => f.rec);
}

function walltimeAdvice(group: string, done: JobUsage[]): string | undefined {
  const requested = done.map((j) => j.walltimeRequested).filter((w) => w !== undefined);
  if (requested.length !== done.length) return undefined;
  const mostUsed = Math.max(...done.map((j) => j.walltimeUsed));
  const leastRequested = Math.min(...requested);
  const advice = recommendedWalltime(mostUsed);
  if (mostUsed >= leastRequested * OVER_REQUEST || advice >= leastRequested) return undefined;
  return `jobs named ${group} used at most ${formatDuration(mostUsed)} of ` +
    `${formatDuration(leastRequested)} walltime in ${done.length} successful runs: request ` +
    `walltime=${formatDuration(advice)} (the longest run × ${MARGIN}, rounded up to 15 minutes); ` +
    `shorter jobs start sooner.`;
}

function memoryAdvice(group: string, done: JobUsage[]): string | undefined {
  const requested = done.map((j) => j.memRequestedBytes).filter((m) => m !== undefined);
  const used = done.map((j) => j.memUsedBytes).filter((m) => m !== undefined);
  if (requested.length !== done.length || used.length !== done.length) return undefined;
  const mostUsed = Math.max(...used);
  const leastRequested = Math.min(...requested);
  const advice = recommendedMemory(mostUsed);
  if (mostUsed >= leastRequested * OVER_REQUEST || advice >= leastRequested) return undefined;
  return `jobs named ${group} used at most ${formatSizeApprox(mostUsed)} of ` +
    `${formatSizeApprox(leastRequested)} memory in ${done.length} successful runs: request ` +
    `mem=${formatGb(advice)} (the most used × ${MARGIN}, rounded up to a whole GB).`;
}

function formatGb(bytes: number): string {
  return `${Math.round(bytes / GB)}gb`;
}

export function percent(share: number): string {
  const p = share * 100;
  return `${p < 10 ? Math.round(p * 10) / 10 : Math.round(p)} %`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// ---------------------------------------------------------------------------
// Gathering

export interface HistoryQuery {
  user: string;
  days: number;
  queue?: string;
  /** A glob (`train_*`, `run?`): `*` any text, `?` one character, the rest literal. */
  jobName?: string;
  /** Newest jobs read in full (one qstat each). */
  limit: number;
}

export interface HistoryAnalysis {
  user: string;
  days: number;
  /** Start of the window, epoch seconds. */
  since: number;
  /** Finished jobs in the window (and queue, and name when given). */
  finished: number;
  /** The jobs read in full, newest first: as PBS reported them, and their figures. */
  records: Job[];
  jobs: JobUsage[];
  summary: HistorySummary;
  /** PBS commands run, e.g. `1 qselect + 1 qstat -a -w -x + 50 qstat -fx -F json`. */
  cost: string;
}

/** Killed jobs (137, 271) whose stderr tail is searched for an out-of-memory line. */
const MAX_OUTPUTS_READ = 5;
const TAIL_LINES = 40;
const TAIL_BYTES = 16 * 1024;

/** Whether the end of a job's stderr (stdout when joined) shows an out-of-memory kill. */
async function hasOomSignature(client: PbsClient, job: Job): Promise<boolean> {
  const stream = job.joinPath === "oe" ? "stdout" : "stderr";
  try {
    const tail = await client.jobOutput(job.id, stream, TAIL_LINES, TAIL_BYTES);
    return findSignatures([{ stream, text: tail.text }])
      .some((s) => s.kind === "out_of_memory" || s.kind === "memory_limit");
  } catch {
    // Output on a host we cannot read: the exit status and memory figures decide alone.
    return false;
  }
}

/** A glob as a whole-name regular expression; every other character is literal. */
export function globPattern(glob: string): RegExp {
  const body = [...glob].map((c) =>
    c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")
  ).join("");
  return new RegExp(`^${body}$`, "s");
}

/**
 * Reads and analyses a user's finished jobs. Runs: `qselect -x -s F -u USER
 * [-q QUEUE] -t m.ge.SINCE`; with a name pattern, `qstat -a -w -x -u USER` to
 * pick the ids by name (cheap at any scale); then `qstat -fx -F json ID` for
 * each of the newest `limit`.
 */
export async function analyzeHistory(
  client: PbsClient,
  query: HistoryQuery,
): Promise<HistoryAnalysis> {
  const since = Math.floor(client.now() / 1000 - query.days * 86_400);
  const pattern = query.jobName === undefined ? undefined : globPattern(query.jobName);
  let keepSequence: ((sequence: number) => boolean) | undefined;
  if (pattern) {
    const rows = await client.listJobRows({
      user: query.user,
      queue: query.queue,
      includeFinished: true,
    });
    // A name the table cut (`nameTruncated`) is kept and checked on the full job.
    const named = new Set(
      rows.filter((r) => r.nameTruncated || pattern.test(r.name))
        .map((r) => Number.parseInt(r.id, 10)),
    );
    keepSequence = (sequence) => named.has(sequence);
  }
  const found = await client.finishedJobs(query.user, since, query.limit, {
    queue: query.queue,
    keepSequence,
  });
  const full = pattern ? found.jobs.filter((j) => pattern.test(j.name)) : found.jobs;
  const jobs: JobUsage[] = [];
  let outputsRead = 0;
  for (const job of full) {
    const killed = job.exitStatus === 137 || job.exitStatus === 271;
    const needsOutput = killed && outputsRead < MAX_OUTPUTS_READ &&
      exitClassOf(job) === "signal";
    if (needsOutput) outputsRead++;
    jobs.push(jobUsage(job, needsOutput && await hasOomSignature(client, job)));
  }
  const commands = [
    "1 qselect",
    ...(pattern ? ["1 qstat -a -w -x"] : []),
    `${found.jobs.length} qstat -fx -F json (one per job: qstat -f answers one job per call)`,
    ...(outputsRead > 0 ? [`the stderr tail of ${plural(outputsRead, "killed job")}`] : []),
  ];
  return {
    user: query.user,
    days: query.days,
    since,
    finished: found.total - (found.jobs.length - full.length),
    records: full,
    jobs,
    summary: summarizeHistory(jobs),
    cost: commands.join(" + "),
  };
}
