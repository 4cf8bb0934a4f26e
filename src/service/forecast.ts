/**
 * When would a job start? A forecast made by running a twin of the live
 * complex forward: one snapshot of PBS's state is loaded into the simulator's
 * engine (`sim/snapshot.ts`), the request is submitted there, and the
 * scheduler runs event by event until the request starts. The simulator is
 * used here as a model of the scheduler, not as a runner: nothing of it
 * answers PBS commands for the real server. start_estimate.ts asks it per
 * candidate queue; runtime_history.ts says when modelled jobs end.
 *
 * The snapshot costs what a `list_jobs` plus a `list_nodes` cost, and the
 * settings a submission reads: one `qstat -a -w -x` (live jobs' requests and
 * elapsed times, and the finished jobs whose runtimes set the expected ends),
 * `pbsnodes -a -F json` (node states and resources; its `jobs` lists place
 * the running jobs: table_jobs.ts), and `qstat -Bf` / `qstat -Qf` through
 * the client's read cache (counted as cached when it served them).
 * `pbs_rstat -f` runs only when a reservation shows, and a job_id asked
 * about is read in full (`qstat -fx -F json ID`). `qstat -f -F json` of every
 * job (7 MB at Aurora scale) is no longer read: BENCHMARKS.md "Start
 * forecasts" has what that changed.
 *
 * Model (stated in every answer, `modelAssumptions`): running and queued jobs
 * end when history says jobs of their queue end (at their walltime without
 * enough history); the scheduler is OpenPBS's default order (queue priority,
 * job priority, submission order) with EASY backfill around top jobs when
 * the live scheduler shows estimates (strict ordering); no new submissions
 * arrive; fair-share, preemption, per-user/group run limits, custom sort
 * formulas, node failures and running reservations are not modelled.
 */
import type { Job, Node, Queue, Reservation, ServerInfo } from "../pbs/model/types.ts";
import { parseDuration } from "../pbs/model/time.ts";
import { PbsError } from "../pbs/errors.ts";
import {
  type JobPlan,
  loadSnapshot,
  type PbsStateSnapshot,
  SNAPSHOT_FORMAT,
} from "../../sim/snapshot.ts";
import type { JobRecord } from "../../sim/job_record.ts";
import { SimRunner } from "../../sim/runner.ts";
import type { Complex } from "../../sim/complex.ts";
import type { SimJob } from "../../sim/model.ts";
import type { JobListFilter } from "./requests.ts";
import type { JobRow } from "../pbs/parse/job_table.ts";
import { jobsFromTable } from "./table_jobs.ts";
import { expectedFraction, type RuntimeHistory, runtimeHistory } from "./runtime_history.ts";

/** The live state a forecast starts from, and what reading it cost. */
export interface LiveState {
  snapshot: PbsStateSnapshot;
  reservations: Reservation[];
  /** How long finished jobs ran, as fractions of their walltime. */
  history: RuntimeHistory;
  /** PBS commands the reads ran; those the client's cache answered end in ` (cached)`. */
  commands: string[];
  /** Live jobs the table could not describe (left out of the model). */
  left: Array<{ id: string; reason: string }>;
}

/** The reads a forecast needs; PbsClient provides them. */
export interface LiveReads {
  user: string;
  now(): number;
  server(): Promise<ServerInfo>;
  queues(): Promise<Queue[]>;
  nodes(): Promise<Node[]>;
  /** One job in full (`qstat -fx -F json ID`). */
  job(id: string): Promise<Job>;
  reservations(): Promise<Reservation[]>;
  listJobRows(filter: JobListFilter): Promise<JobRow[]>;
  /** The read cache's counters: which reads it served (absent: none counted). */
  cacheStats?(): { hits: number };
}

/**
 * Reservation queues: OpenPBS names the queue of an advance reservation
 * `R<seq>`, of a standing one `S<seq>`, of a maintenance one `M<seq>`
 * (golden pbsnodes_a_json_with_resv: `resv` = `S51.vm, R44.vm`).
 */
const RESERVATION_QUEUE = /^[RSM]\d+$/;

/** One consistent snapshot, read one command after the other (PBS throttles bursts). */
export async function readLiveState(
  reads: LiveReads,
  options: { jobId?: string } = {},
): Promise<LiveState> {
  const commands: string[] = [];
  // Server and queue settings: read through the client's cache, which every
  // submission's routing check fills too.
  const cachedRead = async <T>(command: string, read: () => Promise<T>): Promise<T> => {
    const before = reads.cacheStats?.().hits;
    try {
      return await read();
    } finally {
      // A read that failed ran too.
      const after = reads.cacheStats?.().hits;
      commands.push(
        before !== undefined && after !== undefined && after > before
          ? `${command} (cached)`
          : command,
      );
    }
  };
  const server = await cachedRead("qstat -Bf -F json", () => reads.server());
  const queues = await cachedRead("qstat -Qf -F json", () => reads.queues());
  const nodes = await cachedRead("pbsnodes -a -F json", () => reads.nodes());
  // pbs_rstat only when a reservation shows: a reservation queue, or a node
  // that lists a reservation.
  let reservations: Reservation[] = [];
  const anyReservation = queues.some((q) => RESERVATION_QUEUE.test(q.name)) ||
    nodes.some((n) => n.reservations.length > 0);
  if (anyReservation) {
    try {
      reservations = await cachedRead("pbs_rstat -f", () => reads.reservations());
    } catch {
      // Without pbs_rstat the model goes on without reservations.
    }
  }
  // One table for live and finished jobs: list_jobs' read with -x.
  const rows = await cachedRead(
    "qstat -a -w -x",
    () => reads.listJobRows({ includeFinished: true }),
  );
  const time = Math.floor(reads.now() / 1000);
  const { jobs, left } = jobsFromTable(rows, nodes, queues, time);
  // A queued job asked about is read in full: its select, place, holds,
  // dependencies and PBS's own estimate (get_job_status' read).
  if (options.jobId !== undefined) {
    const full = await cachedRead(
      `qstat -fx -F json ${options.jobId}`,
      () => reads.job(options.jobId!),
    )
      .catch(() => undefined);
    const at = full ? jobs.findIndex((j) => sameJob(j.id, full.id)) : -1;
    if (full && at >= 0) jobs[at] = full;
  }
  const history = runtimeHistory(rows);
  const snapshot: PbsStateSnapshot = { format: SNAPSHOT_FORMAT, time, server, queues, nodes, jobs };
  snapshot.plans = expectedPlans(snapshot, history);
  return { snapshot, reservations, history, commands, left };
}

/** "N PBS commands (of which M served from the cache): ...", for the answer. */
export function commandsRead(commands: readonly string[]): string {
  const cached = commands.filter((c) => c.endsWith("(cached)")).length;
  return `live state read with ${commands.length} PBS commands` +
    (cached > 0 ? ` (of which ${cached} served from the cache)` : "") +
    `: ${commands.join(", ")}`;
}

/** Each live job's expected runtime (remaining, for running jobs) as the snapshot's plans. */
function expectedPlans(snapshot: PbsStateSnapshot, history: RuntimeHistory) {
  const plans: Record<string, JobPlan> = {};
  if (history.all.length === 0) return undefined;
  for (const job of snapshot.jobs) {
    const walltime = parseDuration(String(job.requested.walltime ?? ""));
    if (walltime === undefined || walltime <= 0) continue;
    const ran = job.times.started !== undefined && (job.state === "R" || job.state === "S")
      ? snapshot.time - job.times.started
      : 0;
    const fraction = expectedFraction(history, job.queue, ran / walltime);
    plans[job.id] = {
      runtimeSeconds: Math.max(60, Math.round(fraction * walltime) - ran),
      exitCode: 0,
    };
  }
  return plans;
}

/** The scheduler policy the model runs, inferred from what the live scheduler shows. */
export interface ModelledPolicy {
  strictOrdering: boolean;
  backfillDepth: number;
}

/**
 * PBS computes `estimated.start_time` only under strict ordering (or with a
 * backfill_depth): estimates on queued jobs mean top jobs are protected, and
 * their number is the depth (captures qstat_T_default_sched,
 * qstat_T_strict_ordering; stale ones, qstat_T_after_sched_restore, can
 * mislead this). The `qstat -a` table the snapshot reads shows no estimates
 * (only a job_id asked about is read in full): without any, the model
 * assumes strict ordering protecting the server's `backfill_depth` top jobs,
 * else OpenPBS's default of one. A scheduler that protects none lets small
 * jobs pass a big one sooner than the model says.
 */
export function inferPolicy(snapshot: PbsStateSnapshot): ModelledPolicy {
  const estimated =
    snapshot.jobs.filter((j) => j.state === "Q" && j.times.estimatedStart !== undefined).length;
  const configured = Number(snapshot.server.attributes["backfill_depth"] ?? NaN);
  const depth = Number.isInteger(configured) && configured > 0 ? configured : 1;
  return { strictOrdering: true, backfillDepth: Math.max(depth, estimated) };
}

/** What the model assumes, in words for the answer. */
export function modelAssumptions(history: RuntimeHistory, policy: ModelledPolicy): string[] {
  const ends = history.all.length > 0
    ? `jobs end when history says: the mean share of walltime used by the ${history.all.length} ` +
      "finished jobs listed (per queue when it has enough), among those that ran at least as " +
      "long as a running job has; PBS's own estimates assume walltime"
    : "jobs end at their walltime (too little history to say otherwise)";
  return [
    ends,
    "no new jobs are submitted meanwhile",
    "other jobs as list_jobs' table shows them (nodes, cpus, walltime; not their memory, GPUs, " +
    "place, holds' kind or dependencies), running where list_nodes lists them",
    "jobs are considered by queue priority, job priority, then submission order, started " +
    `first-fit; the first ${policy.backfillDepth} waiting job(s) hold their start and later ` +
    "jobs are backfilled around them (strict ordering: the scheduler's policy is not shown by " +
    "qstat -a)",
    "not modelled: fair-share, preemption, per-user/group limits, custom sort formulas, " +
    "node failures, running reservations",
    "the model's scheduler cycles every minute at first, then less often (at most every " +
    `${MAX_CYCLE_SECONDS / 60} minutes, never more than 1/${CYCLE_FRACTION} of the wait so far): ` +
    "a start is late by up to one cycle",
  ];
}

/** What to forecast: a job already queued, or a request submitted to one queue. */
export type ForecastTarget =
  | { kind: "job"; jobId: string }
  | { kind: "request"; argv: string[]; stdin?: string; queue: string };

export interface Forecast {
  /** The queue asked for (a routing queue stays named as such). */
  queue: string;
  /** The queue the job runs from (a routing queue's destination). */
  runsIn?: string;
  /** Epoch seconds; absent when it does not start within the horizon. */
  start?: number;
  waitSeconds?: number;
  nodeCount?: number;
  /** Reservations in its way, then jobs whose end frees the nodes it lands on (last first). */
  blockedBy: string[];
  /** How many jobs and reservations in all held its nodes before it started. */
  blockingJobs: number;
  /** Why it waits at first, in the scheduler's words (the job comment). */
  reason?: string;
  /** The live scheduler's own estimate, for a queued job that has one. */
  pbsEstimate?: number;
  /** Notes on this forecast (held job assumed released, never runs, ...). */
  notes: string[];
  /** Live jobs the model could not restore (finished, exiting, begun arrays, refused). */
  skipped: number;
}

/** How far ahead the model runs before giving up, and in which steps it checks. */
export const HORIZON_SECONDS = 14 * 86400;
const STEP_SECONDS = 600;
const MIN_CYCLE_SECONDS = 60;
const MAX_CYCLE_SECONDS = 900;
const CYCLE_FRACTION = 24;

/**
 * Seconds between the model's scheduling cycles once it has run `elapsed`
 * seconds: a minute at first, growing with the wait so that the error it
 * adds stays a small share of it (and long forecasts stay affordable: at
 * Aurora scale the cycles are the model's cost; a 15-minute cap instead of 5
 * halved a multi-day forecast's time without making the benchmark's errors
 * worse: BENCHMARKS.md "Start forecasts").
 */
export function modelCycleSeconds(elapsed: number): number {
  return Math.min(
    MAX_CYCLE_SECONDS,
    Math.max(MIN_CYCLE_SECONDS, Math.floor(elapsed / CYCLE_FRACTION)),
  );
}

export const MAX_BLOCKERS_SHOWN = 5;

/**
 * Loads the live state into the engine, adds the target, runs forward until
 * it starts. Each call builds its own model, so candidates do not disturb
 * each other.
 */
export async function forecastStart(
  live: LiveState,
  target: ForecastTarget,
  user: string,
): Promise<Forecast> {
  const model = modelComplex(live);
  const { complex } = model;
  const skipped = [...model.skipped, ...live.left];
  const now = complex.now();
  const notes: string[] = [];
  let job: SimJob;
  let pbsEstimate: number | undefined;
  let queue: string;
  if (target.kind === "job") {
    const live_ = live.snapshot.jobs.find((j) => sameJob(j.id, target.jobId));
    const why = skipped.find((s) => sameJob(s.id, target.jobId));
    if (!live_ || why) {
      throw new PbsError({
        kind: "invalid_input",
        message: `job ${target.jobId} is not a queued job the forecast can model` +
          (why ? `: ${why.reason}` : ""),
        hint: "Give a queued job's id (list_jobs states: queued), or describe the request " +
          "(walltime, node_count, ...) instead of job_id.",
      });
    }
    job = complex.findJob(live_.id);
    pbsEstimate = live_.times.estimatedStart;
    queue = live_.queue;
    // User and operator holds are lifted in the model; a dependency's system hold stays.
    const lifted = job.holds.replace(/[^uo]/g, "");
    if (lifted) {
      complex.releaseJob({ user: "root", host: "localhost" }, job.id, lifted);
      notes.push("the job is held: forecast as if released now (release_job)");
    }
  } else {
    const runner = new SimRunner({ complex, user });
    const result = await runner.run(target.argv, { stdin: target.stdin });
    if (result.code !== 0) {
      throw new PbsError({
        kind: "invalid_input",
        message: `queue ${target.queue} refuses this request: ${result.stderr.trim()}`,
        hint: "Check the request with submit_job dry_run: true, or leave queue out to try " +
          "every queue it fits.",
      });
    }
    const id = result.stdout.trim();
    const found = complex.listJobs().find((j) => j.id === id);
    if (!found) {
      throw new PbsError({
        kind: "invalid_input",
        message: `queue ${target.queue} would discard this request: no destination accepts it`,
        hint: "Leave queue out to try every queue the request fits (list_queues shows limits).",
      });
    }
    job = found;
    queue = target.queue;
  }
  if (job.state === "R") {
    return { ...runningAlready(job, queue, now, pbsEstimate, notes), skipped: skipped.length };
  }
  complex.schedule();
  const reason = job.comment?.replace(/^Not Running: /, "");
  // With walltime ends the engine's top-job plan is the start; with history's ends it is not.
  const planIsStart = live.snapshot.plans === undefined;
  const outcome = runUntilStarted(complex, job as JobRecord, now + HORIZON_SECONDS, planIsStart);
  if (outcome === undefined) {
    notes.push(
      job.comment?.startsWith("Can Never Run")
        ? `PBS would never run it: ${job.comment.replace(/^Can Never Run: /, "")}`
        : `it does not start within ${HORIZON_SECONDS / 86400} days in the model`,
    );
    return {
      queue,
      runsIn: job.queue,
      blockedBy: [],
      blockingJobs: 0,
      reason,
      pbsEstimate,
      notes,
      skipped: skipped.length,
    };
  }
  const nodes = new Set(outcome.nodes);
  const blockers = [
    ...reservationsInTheWay(model, nodes, now, outcome.start),
    ...blockersOf(complex, job, nodes, outcome.start),
  ];
  return {
    queue,
    runsIn: job.queue,
    start: outcome.start,
    waitSeconds: outcome.start - now,
    nodeCount: nodes.size,
    blockedBy: blockers.slice(0, MAX_BLOCKERS_SHOWN),
    blockingJobs: blockers.length,
    reason: outcome.start > now ? reason : undefined,
    pbsEstimate,
    notes,
    skipped: skipped.length,
  };
}

function runningAlready(
  job: SimJob,
  queue: string,
  now: number,
  pbsEstimate: number | undefined,
  notes: string[],
): Omit<Forecast, "skipped"> {
  notes.push(
    job.stime !== undefined && job.stime < now ? "already running" : "starts at once",
  );
  return {
    queue,
    runsIn: job.queue,
    start: job.stime ?? now,
    waitSeconds: Math.max(0, (job.stime ?? now) - now),
    nodeCount: new Set(job.allocation.map((a) => a.node)).size,
    blockedBy: [],
    blockingJobs: 0,
    pbsEstimate,
    notes,
  };
}

/** A model of the live state: the complex, what it left out, real reservation ids by model id. */
export interface Model {
  complex: Complex;
  skipped: Array<{ id: string; reason: string }>;
  /** The restored reservations as placed when the model starts (real ids). */
  reservations: Array<{ id: string; start: number; end: number; nodes: Set<string> }>;
}

/** The live state as a complex under the inferred policy, with future reservations placed. */
export function modelComplex(live: LiveState): Model {
  const loaded = loadSnapshot(live.snapshot);
  const policy = inferPolicy(live.snapshot);
  loaded.complex.configureScheduler(policy);
  // The model cycles on its own cadence (the engine reads this setting as time advances).
  loaded.complex.config.schedulerInterval = MIN_CYCLE_SECONDS;
  const ids = restoreReservations(loaded.complex, live.reservations);
  const reservations = loaded.complex.reservations().flatMap((r) => {
    const id = ids.get(r.id);
    return id
      ? [{ id, start: r.start, end: r.end, nodes: new Set(r.nodes.map((n) => n.node)) }]
      : [];
  });
  return { ...loaded, reservations };
}

/**
 * Confirmed reservations that have not begun take their nodes from their
 * start; the snapshot API does not restore them, so they are made again
 * through the engine's reservation request as their owner (the model picks
 * their nodes by its own rules, which may differ from PBS's choice).
 */
function restoreReservations(
  complex: Complex,
  reservations: readonly Reservation[],
): Map<string, string> {
  const ids = new Map<string, string>();
  const now = complex.now();
  for (const r of reservations) {
    if (r.start === undefined || r.end === undefined || r.start <= now) continue;
    if (r.state !== "RESV_CONFIRMED") continue;
    const select = r.requested["select"];
    if (select === undefined) continue;
    const user = (r.owner ?? "root").split("@")[0];
    try {
      const made = complex.submitReservation(
        { user: user === "root" ? "pbsadmin" : user, host: "localhost" },
        { start: r.start, end: r.end, name: r.name, resources: [["select", String(select)]] },
      );
      ids.set(made.id, r.id);
    } catch {
      // A reservation the engine refuses is left out of the model.
    }
  }
  complex.schedule();
  return ids;
}

/** Reservations whose window, before the start, held nodes the job lands on. */
function reservationsInTheWay(model: Model, nodes: Set<string>, from: number, start: number) {
  return model.reservations
    .filter((r) => r.start < start && r.end > from && [...r.nodes].some((n) => nodes.has(n)))
    .map((r) => r.id);
}

/**
 * Advances the model until the job runs. Under strict ordering a job that
 * has become a top job holds a promise no later job may take, and nothing
 * in the model ends early or arrives: its estimate is its start, so the run
 * stops there (the engine's own planTopJob computed it).
 */
function runUntilStarted(
  complex: Complex,
  job: JobRecord,
  horizon: number,
  planIsStart: boolean,
): { start: number; nodes: string[]; planned: boolean } | undefined {
  const started = complex.now();
  for (;;) {
    if (job.stime !== undefined && job.state !== "Q" && job.state !== "H") {
      return { start: job.stime, nodes: job.allocation.map((a) => a.node), planned: false };
    }
    if (
      planIsStart && job.estimatedStartTime !== undefined && job.estimatedTakes !== undefined
    ) {
      return {
        start: job.estimatedStartTime,
        nodes: [...new Set(job.estimatedTakes.map((t) => complex.pool.nodes[t.node].name))],
        planned: true,
      };
    }
    if (job.comment?.startsWith("Can Never Run")) return undefined;
    if (complex.now() >= horizon) return undefined;
    const cycle = modelCycleSeconds(complex.now() - started);
    complex.config.schedulerInterval = cycle;
    complex.advance(Math.min(Math.max(STEP_SECONDS, cycle), horizon - complex.now()));
  }
}

/**
 * The jobs that hold the nodes it lands on between now and its start, the
 * last to leave first: their ends are what it waits for. Ended jobs are in
 * the model's history; running ones end at their walltime.
 */
function blockersOf(complex: Complex, job: SimJob, nodes: Set<string>, start: number): string[] {
  const found: Array<{ id: string; end: number }> = [];
  for (const other of complex.listJobs({ history: true, subjobs: true }) as JobRecord[]) {
    if (other.id === job.id || other.stime === undefined || other.stime >= start) continue;
    const end = other.obittime ?? other.endAt ?? start;
    if (!other.allocation.some((a) => nodes.has(a.node))) continue;
    found.push({ id: other.id, end });
  }
  return found.sort((a, b) => b.end - a.end).map((f) => f.id);
}

function sameJob(a: string, b: string): boolean {
  return a === b || a.split(".")[0] === b.split(".")[0];
}
