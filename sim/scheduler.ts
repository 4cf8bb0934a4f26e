/**
 * One scheduling cycle, modelled on OpenPBS's default policy:
 * jobs in priority order (queue priority, job Priority, then submission
 * order), each started on the first nodes that fit; the first jobs that cannot
 * run (up to `backfillDepth`) become top jobs with an estimated start, and
 * later jobs may only use resources promised to a top job (or to a confirmed
 * reservation) if they finish before the promise begins (EASY backfill).
 *
 * Jobs left queued get PBS's scheduler comments (`Not Running: ...`,
 * `Can Never Run: ...`; strings from OpenPBS src/scheduler/job_info.cpp).
 *
 * Cost control for big complexes: a cycle only reads typed arrays, caches the
 * outcome of a failed placement per request shape (capacity only shrinks
 * within a cycle, so a shape that did not fit will not fit later), and stops
 * searching once no usable node has a free CPU.
 */
import type { JobRecord } from "./job_record.ts";
import type { SimQueue } from "./model.ts";
import { addUsers, type Capacity, type NodePool, type NodeTake } from "./nodes.ts";
import {
  emptyHeld,
  findPlacement,
  type Held,
  heldDuring,
  type PlacementRequest,
  type Promise,
} from "./placement.ts";
import { sizeText } from "./resources.ts";

/** Jobs without walltime are treated as running for five years, as PBS does. */
export const UNLIMITED_WALLTIME = 5 * 365 * 86400;

export interface ReservationCapacity {
  id: string;
  running: boolean;
  start: number;
  end: number;
  takes: NodeTake[];
}

export interface SchedulerHost {
  readonly pool: NodePool;
  now(): number;
  backfillDepth: number;
  /** Top-level jobs in scheduling order (array parents stand for their subjobs). */
  orderedJobs(): Iterable<JobRecord>;
  /** Queued subjobs of an array parent, in index order. */
  queuedSubjobs(parent: JobRecord): Iterable<JobRecord>;
  runningSubjobCount(parent: JobRecord): number;
  queueOf(job: JobRecord): SimQueue;
  runningInQueue(queue: string): number;
  /** Jobs holding nodes now (running or suspended). */
  runningJobs(): Iterable<JobRecord>;
  /** Confirmed or running reservations. */
  reservationWindows(): ReservationCapacity[];
  /** Takes held by running jobs inside a reservation's queue. */
  reservationUsage(resvId: string): NodeTake[];
  start(job: JobRecord, takes: NodeTake[]): void;
  setComment(job: JobRecord, comment: string): void;
  setEstimate(job: JobRecord, start: number | undefined, takes: NodeTake[] | undefined): void;
}

interface CycleState {
  now: number;
  /** Promises: upcoming reservations and top jobs' planned starts. */
  promises: Promise[];
  topJobs: number;
  /** Failed request shapes: the smallest chunk count that failed, and why. */
  failures: Map<string, { count: number; reason: string }>;
  /** Held amounts per set of overlapping promises (building them is costly). */
  heldCache: Map<string, ReturnType<typeof heldDuring>>;
  /** The buffers behind `heldCache`, given back to the pool's free list when the cycle ends. */
  heldBuffers: Held[];
  runningByQueue: Map<string, number>;
  /** Upper bounds for quick rejections: idle usable nodes and free CPUs on usable nodes. */
  idleNodes: number;
  freeCpus: number;
  /** Running jobs' ends replayed for top jobs, made by the first top job of the cycle. */
  replay?: Replay;
  /** `overlapKey` by the end of the run asked about, while the promises stay as they are. */
  overlapByUntil: Map<number, string>;
}

export function runCycle(host: SchedulerHost): void {
  const now = host.now();
  const state: CycleState = {
    now,
    promises: reservationPromises(host, now),
    topJobs: 0,
    failures: new Map(),
    heldCache: new Map(),
    heldBuffers: [],
    runningByQueue: new Map(),
    idleNodes: 0,
    freeCpus: 0,
    overlapByUntil: new Map(),
  };
  const pool = host.pool;
  for (let n = 0; n < pool.size; n++) {
    if (!pool.usable(n)) continue;
    if (pool.free.users[n] === 0) state.idleNodes++;
    if (!pool.free.exclusive[n]) state.freeCpus += Math.max(0, pool.free.cpus[n]);
  }
  try {
    for (const job of host.orderedJobs()) {
      if (job.array) {
        considerArray(host, state, job);
      } else if (job.state === "Q") {
        considerJob(host, state, job);
      }
    }
  } finally {
    freeHeldOf(pool).push(...state.heldBuffers);
  }
}

/**
 * Held buffers not in use, per pool: a cycle takes one per set of overlapping
 * promises it meets (four arrays of 10,624 entries at Aurora scale) and gives
 * them back at its end, instead of making new ones every cycle.
 */
const freeHeldByPool = new WeakMap<NodePool, Held[]>();

function freeHeldOf(pool: NodePool): Held[] {
  let free = freeHeldByPool.get(pool);
  if (!free) freeHeldByPool.set(pool, free = []);
  return free;
}

function borrowHeld(pool: NodePool, state: CycleState): Held {
  const held = freeHeldOf(pool).pop() ?? emptyHeld(pool.size);
  state.heldBuffers.push(held);
  return held;
}

function considerArray(host: SchedulerHost, state: CycleState, parent: JobRecord): void {
  if (parent.state !== "Q" && parent.state !== "B") return;
  let running = host.runningSubjobCount(parent);
  let firstComment: string | undefined;
  for (const sub of host.queuedSubjobs(parent)) {
    if (parent.array?.limit !== undefined && running >= parent.array.limit) {
      notRunning(host, sub, "Number of concurrent running subjobs limit reached");
    } else if (considerJob(host, state, sub)) {
      running++;
    }
    firstComment ??= sub.state === "Q" ? sub.comment : undefined;
  }
  // An array that has not begun carries its first waiting subjob's reason.
  if (parent.state === "Q" && firstComment !== undefined) host.setComment(parent, firstComment);
}

/** Tries to start one job; returns whether it started. */
function considerJob(host: SchedulerHost, state: CycleState, job: JobRecord): boolean {
  const queue = host.queueOf(job);
  if (!queue.started) return notRunning(host, job, "Queue not started.");
  if (queue.maxRun !== undefined && runningIn(host, state, queue.name) >= queue.maxRun) {
    return notRunning(host, job, `Queue ${queue.name} job limit has been reached.`);
  }
  const never = cachedNeverRunReason(host.pool, job);
  if (never) {
    host.setComment(job, `Can Never Run: ${never}`);
    return false;
  }
  const walltime = job.walltime ?? UNLIMITED_WALLTIME;
  const resv = queue.reservation
    ? host.reservationWindows().find((r) => r.id === queue.reservation)
    : undefined;
  if (!resv) {
    const quick = quickRejection(host.pool, state, job);
    if (quick) return blocked(host, state, job, quick, walltime);
  }
  const overlap = overlapKey(state, state.now + walltime);
  const { key, count } = failureKey(job, overlap, resv);
  const known = state.failures.get(key);
  if (known !== undefined && count >= known.count) {
    return resv
      ? notRunning(host, job, known.reason)
      : blocked(host, state, job, known.reason, walltime);
  }

  const request = placementRequest(
    host,
    job,
    state,
    state.now,
    state.now + walltime,
    resv,
    overlap,
  );
  const capacity = resv ? reservationCapacity(host, resv) : host.pool.free;
  const takes = findPlacement(host.pool, capacity, request);
  if (takes) {
    if (!resv) noteTaken(host.pool, state, takes);
    host.start(job, takes);
    // A new running job: the next top job replays its end too, from the new free capacity.
    state.replay = undefined;
    state.runningByQueue.set(queue.name, runningIn(host, state, queue.name) + 1);
    host.setEstimate(job, undefined, undefined);
    return true;
  }
  const reason = explainFailure(host, job, capacity, request, resv);
  if (known === undefined || count < known.count) state.failures.set(key, { count, reason });
  return resv ? notRunning(host, job, reason) : blocked(host, state, job, reason, walltime);
}

/** A job that could run some day but not now: comment it, and make it a top job while depth remains. */
function blocked(
  host: SchedulerHost,
  state: CycleState,
  job: JobRecord,
  reason: string,
  walltime: number,
) {
  notRunning(host, job, reason);
  if (state.topJobs < host.backfillDepth) planTopJob(host, state, job, walltime);
  else if (job.estimatedStartTime !== undefined && host.backfillDepth > 0) {
    host.setEstimate(job, undefined, undefined);
  }
  // Without strict ordering (depth 0) earlier estimates stay on the jobs:
  // clear_topjob_estimates_enable is False (capture qstat_T_after_sched_restore).
  return false;
}

/** Nodes a request needs at least, when each chunk must sit on its own whole node. */
function wholeNodesNeeded(pool: NodePool, job: JobRecord): number {
  const whole = job.placement.sharing !== "shared" || pool.allForceExclusive;
  if (!whole) return 0;
  if (job.placement.arrangement === "pack") return 1;
  if (job.placement.arrangement === "free") return 1;
  let n = 0;
  for (const c of job.chunks) n += c.count;
  return n;
}

/** Cheap upper-bound checks that spare a node scan when nothing can fit. */
function quickRejection(pool: NodePool, state: CycleState, job: JobRecord): string | undefined {
  if (state.freeCpus <= 0) return "Not enough free nodes available";
  const needed = wholeNodesNeeded(pool, job);
  if (needed > state.idleNodes) {
    // An explicit exclusive request on a busy complex (qstat_f_json_wait_excl).
    const explicit = job.placement.sharing !== "shared" && !pool.allForceExclusive;
    return explicit && state.idleNodes === 0
      ? "No available resources on nodes"
      : "Not enough free nodes available";
  }
  return undefined;
}

function noteTaken(pool: NodePool, state: CycleState, takes: readonly NodeTake[]): void {
  const seen = new Set<number>();
  for (const t of takes) {
    state.freeCpus -= t.ncpus;
    if (!seen.has(t.node)) {
      seen.add(t.node);
      // The node was idle before this job if it now holds exactly this one.
      if (pool.free.users[t.node] === 0) state.idleNodes--;
    }
  }
}

/** Which promises a run until `until` would overlap, as a cache key. */
function overlapKey(state: CycleState, until: number): string {
  let key = state.overlapByUntil.get(until);
  if (key !== undefined) return key;
  key = "";
  const promises = state.promises;
  for (let i = 0; i < promises.length; i++) {
    if (promises[i].start < until && promises[i].end > state.now) key += `${i},`;
  }
  state.overlapByUntil.set(until, key);
  return key;
}

function runningIn(host: SchedulerHost, state: CycleState, queue: string): number {
  let n = state.runningByQueue.get(queue);
  if (n === undefined) {
    n = host.runningInQueue(queue);
    state.runningByQueue.set(queue, n);
  }
  return n;
}

/** `Not Running: <reason>` texts, built once per reason (a cycle comments thousands of jobs). */
const notRunningTexts = new Map<string, string>();

function notRunning(host: SchedulerHost, job: JobRecord, reason: string): false {
  let text = notRunningTexts.get(reason);
  if (text === undefined) {
    if (notRunningTexts.size > 10_000) notRunningTexts.clear();
    notRunningTexts.set(reason, text = `Not Running: ${reason}`);
  }
  host.setComment(job, text);
  return false;
}

function placementRequest(
  host: SchedulerHost,
  job: JobRecord,
  state: CycleState,
  from: number,
  until: number,
  resv: ReservationCapacity | undefined,
  overlap?: string,
): PlacementRequest {
  const pool = host.pool;
  const queue = job.queue;
  if (resv) {
    return {
      chunks: job.chunks,
      placement: job.placement,
      scan: [...new Set(resv.takes.map((t) => t.node))],
      eligible: pool.usableMask,
    };
  }
  let held;
  if (overlap !== undefined && from === state.now) {
    if (!state.heldCache.has(overlap)) {
      const buffer = borrowHeld(pool, state);
      state.heldCache.set(overlap, heldDuring(state.promises, from, until, pool.size, buffer));
    }
    held = state.heldCache.get(overlap);
  } else {
    // Look-ahead (planTopJob): used for one placement attempt, so one buffer serves all.
    let scratch = heldScratchByPool.get(pool);
    if (!scratch) heldScratchByPool.set(pool, scratch = emptyHeld(pool.size));
    held = heldDuring(state.promises, from, until, pool.size, scratch);
  }
  return {
    chunks: job.chunks,
    placement: job.placement,
    eligible: pool.eligibleFor(queue),
    held,
  };
}

/**
 * Cache key for a request shape. Single-chunk-kind requests share a key across
 * chunk counts (needing more of what did not fit will not fit either).
 */
function failureKey(
  job: JobRecord,
  overlap: string,
  resv: ReservationCapacity | undefined,
): { key: string; count: number } {
  const place = `${job.placement.arrangement}:${job.placement.sharing}`;
  const where = `${job.queue}|${resv?.id ?? ""}|${overlap}`;
  if (job.chunks.length === 1) {
    const c = job.chunks[0];
    return {
      key: `${c.ncpus}:${c.ngpus}:${c.memBytes}:${c.host ?? ""}|${place}|${where}`,
      count: c.count,
    };
  }
  return { key: `${job.resources.select}|${place}|${where}`, count: 0 };
}

/**
 * neverRunReason depends only on the request and the complex's fixed totals:
 * kept on the job until its chunks or placement change.
 */
function cachedNeverRunReason(pool: NodePool, job: JobRecord): string | undefined {
  const memo = job.neverRunMemo;
  if (memo && memo.chunks === job.chunks && memo.placement === job.placement) return memo.reason;
  const reason = neverRunReason(pool, job);
  job.neverRunMemo = { chunks: job.chunks, placement: job.placement, reason };
  return reason;
}

/**
 * Can Never Run: a chunk bigger than any node, a total above the whole
 * complex's (`select=3:ncpus=4` on 8 cpus: `ncpus (R: 12 A: 8 T: 8)`,
 * capture qstat_f_json_never_ncpus12), or more chunks than nodes.
 */
function neverRunReason(pool: NodePool, job: JobRecord): string | undefined {
  let chunks = 0;
  let [cpus, gpus, mem] = [0, 0, 0];
  for (const c of job.chunks) {
    chunks += c.count;
    cpus += c.count * c.ncpus;
    gpus += c.count * c.ngpus;
    mem += c.count * c.memBytes;
    if (c.ncpus > pool.maxCpus) return insufficient("ncpus", c.ncpus, pool.maxCpus, pool.maxCpus);
    if (c.ngpus > pool.maxGpus) return insufficient("ngpus", c.ngpus, pool.maxGpus, pool.maxGpus);
    if (c.memBytes > pool.maxMem) {
      const most = schedSizeText(pool.maxMem);
      return insufficient("mem", sizeText(c.memBytes), most, most);
    }
  }
  if (cpus > pool.sumCpus) return insufficient("ncpus", cpus, pool.sumCpus, pool.sumCpus);
  if (gpus > pool.sumGpus) return insufficient("ngpus", gpus, pool.sumGpus, pool.sumGpus);
  if (mem > pool.sumMem) {
    const total = schedSizeText(pool.sumMem);
    return insufficient("mem", sizeText(mem), total, total);
  }
  const distinct = job.placement.arrangement === "scatter" ||
    job.placement.arrangement === "vscatter" || job.placement.sharing !== "shared";
  if (distinct && chunks > pool.size) return "Not enough total nodes available";
  return undefined;
}

/**
 * A size as the scheduler prints what is available: exact values in their
 * unit, others floored to mb (24684084kb → `24105mb`, qstat_f_json_never_mem1000gb).
 */
function schedSizeText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? sizeText(bytes) : `${Math.floor(bytes / 1048576)}mb`;
}

function insufficient(name: string, r: number | string, a: number | string, t: number | string) {
  return `Insufficient amount of resource: ${name} (R: ${r} A: ${a} T: ${t})`;
}

/** Why a job that could run some day does not run now, in PBS's words. */
function explainFailure(
  host: SchedulerHost,
  job: JobRecord,
  cap: Capacity,
  request: PlacementRequest,
  resv: ReservationCapacity | undefined,
): string {
  // Would it fit if nothing were promised to top jobs or reservations?
  if (request.held && findPlacement(host.pool, cap, { ...request, held: undefined })) {
    return "Job would conflict with reservation or top job";
  }
  const pool = host.pool;
  // An exclusive request finds every node in use (qstat_f_json_wait_excl).
  if (job.placement.sharing !== "shared" && !resv) {
    let anyIdle = false;
    for (let n = 0; n < pool.size && !anyIdle; n++) {
      anyIdle = request.eligible[n] === 1 && cap.users[n] === 0;
    }
    if (!anyIdle) return "No available resources on nodes";
  }
  const first = job.chunks[0];
  let bestNode = -1;
  const nodes = resv ? request.scan! : undefined;
  const consider = (n: number) => {
    if (request.eligible[n] !== 1 || cap.exclusive[n]) return;
    if (cap.cpus[n] <= 0) return;
    if (bestNode < 0 || cap.cpus[n] > cap.cpus[bestNode]) bestNode = n;
  };
  if (nodes) nodes.forEach(consider);
  else for (let n = 0; n < pool.size; n++) consider(n);
  if (bestNode < 0) return "Not enough free nodes available";
  if (first.ncpus > cap.cpus[bestNode]) {
    return insufficient("ncpus", first.ncpus, cap.cpus[bestNode], pool.totalCpus[bestNode]);
  }
  if (first.ngpus > cap.gpus[bestNode]) {
    return insufficient("ngpus", first.ngpus, cap.gpus[bestNode], pool.totalGpus[bestNode]);
  }
  if (first.memBytes > cap.mem[bestNode]) {
    return insufficient(
      "mem",
      sizeText(first.memBytes),
      schedSizeText(cap.mem[bestNode]),
      schedSizeText(pool.totalMem[bestNode]),
    );
  }
  return "Not enough free nodes available";
}

/** What a reservation still has for its jobs: its share of each node minus their usage. */
function reservationRemainder(host: SchedulerHost, resv: ReservationCapacity): NodeTake[] {
  const left = new Map<number, NodeTake>();
  for (const t of resv.takes) {
    const l = left.get(t.node) ?? { node: t.node, ncpus: 0, ngpus: 0, memBytes: 0 };
    l.ncpus += t.ncpus;
    l.ngpus += t.ngpus;
    l.memBytes += t.memBytes;
    left.set(t.node, l);
  }
  if (resv.running) {
    for (const t of host.reservationUsage(resv.id)) {
      const l = left.get(t.node);
      if (!l) continue;
      l.ncpus = Math.max(0, l.ncpus - t.ncpus);
      l.ngpus = Math.max(0, l.ngpus - t.ngpus);
      l.memBytes = Math.max(0, l.memBytes - t.memBytes);
    }
  }
  return [...left.values()];
}

/** Capacity seen by a running reservation's jobs: the node's free share, capped by the reservation's remainder. */
function reservationCapacity(host: SchedulerHost, resv: ReservationCapacity): Capacity {
  const pool = host.pool;
  const n = pool.size;
  const cap: Capacity = {
    cpus: new Int32Array(n),
    gpus: new Int32Array(n),
    mem: new Float64Array(n),
    users: pool.free.users,
    exclusive: pool.free.exclusive,
    idleBits: pool.free.idleBits,
  };
  if (!resv.running) return cap;
  for (const t of reservationRemainder(host, resv)) {
    cap.cpus[t.node] = Math.min(pool.free.cpus[t.node], t.ncpus);
    cap.gpus[t.node] = Math.min(pool.free.gpus[t.node], t.ngpus);
    cap.mem[t.node] = Math.min(pool.free.mem[t.node], t.memBytes);
  }
  return cap;
}

/** Reservations promise their nodes for their window; a running one only what its jobs do not use. */
function reservationPromises(host: SchedulerHost, now: number): Promise[] {
  return host.reservationWindows()
    .filter((r) => r.end > now)
    .map((r) => ({ start: r.start, end: r.end, takes: reservationRemainder(host, r) }));
}

/**
 * Finds when a blocked job could start by replaying the expected ends of the
 * running jobs (stime + walltime) on a scratch copy of the capacity, and
 * promises it those nodes from then on.
 */
function planTopJob(host: SchedulerHost, state: CycleState, job: JobRecord, walltime: number) {
  const pool = host.pool;
  const needed = wholeNodesNeeded(pool, job);
  const replay = state.replay ??= newReplay(host, state);
  const ends = replay.ends;
  // Candidate starts: when a running job ends, and when an earlier top job's
  // promise ends (qstat_T_strict_ordering: the 8-cpu job starts after the
  // 4-cpu top job planned before it).
  const times = candidateTimes(state, ends);
  let i = 0;
  for (const t of times) {
    while (i < ends.length && ends[i].end <= t) i++;
    if (needed > 0 && needed > idleAfter(pool, replay, i) - promisedNodes(state, t, t + walltime)) {
      continue;
    }
    replayed(pool, replay, i);
    const request = placementRequest(host, job, state, t, t + walltime, undefined);
    const takes = findPlacement(pool, replay.scratch, request);
    if (takes) {
      state.promises.push({
        start: t,
        end: t + walltime,
        takes,
        nodes: distinctNodes(pool, takes),
      });
      state.overlapByUntil.clear();
      state.topJobs++;
      host.setEstimate(job, t, takes);
      return;
    }
  }
  host.setEstimate(job, undefined, undefined);
}

/**
 * The running jobs' expected ends replayed on a scratch copy of the free
 * capacity, shared by the cycle's top jobs: the capacity after the first k
 * ends is the same for each of them (placing reads it, never changes it), so
 * a later top job goes on from where an earlier one stopped, or replays again
 * from the start when it needs an earlier time. Made anew once a job starts.
 */
interface Replay {
  /** Running jobs by expected end. */
  ends: Array<{ job: JobRecord; end: number }>;
  scratch: Capacity;
  /** How many of `ends` are released into `scratch`. */
  released: number;
  /** Usable idle nodes once the first k ends are released, as far as replayed. */
  idle: number[];
}

function newReplay(host: SchedulerHost, state: CycleState): Replay {
  const pool = host.pool;
  const scratch = scratchCopy(pool);
  let idle = 0;
  for (let n = 0; n < pool.size; n++) if (pool.usable(n) && scratch.users[n] === 0) idle++;
  const ends = [...host.runningJobs()]
    .map((j) => ({ job: j, end: expectedEnd(j, state.now) }))
    .filter((e) => e.end < Infinity)
    .sort((a, b) => a.end - b.end);
  return { ends, scratch, released: 0, idle: [idle] };
}

/** Brings the replay's scratch to exactly the first `k` ends released. */
function replayed(pool: NodePool, replay: Replay, k: number): Capacity {
  if (replay.released > k) {
    replay.scratch = scratchCopy(pool);
    replay.released = 0;
  }
  while (replay.released < k) {
    const idled = releaseInto(pool, replay.scratch, replay.ends[replay.released].job.takes);
    if (replay.idle.length === replay.released + 1) {
      replay.idle.push(replay.idle[replay.released] + idled);
    }
    replay.released++;
  }
  return replay.scratch;
}

/** Usable idle nodes once the first `k` ends are released. */
function idleAfter(pool: NodePool, replay: Replay, k: number): number {
  if (k >= replay.idle.length) replayed(pool, replay, k);
  return replay.idle[k];
}

/** Distinct times, ascending: the running jobs' expected ends and the promises' ends. */
function candidateTimes(state: CycleState, ends: ReadonlyArray<{ end: number }>): number[] {
  const times: number[] = [];
  let last = -Infinity;
  for (const e of ends) {
    const t = Math.max(e.end, state.now);
    if (t !== last) times.push(last = t);
  }
  let extra = false;
  for (const p of state.promises) {
    if (p.end > state.now && p.end < Infinity) {
      times.push(p.end);
      extra = true;
    }
  }
  if (!extra) return times;
  times.sort((a, b) => a - b);
  return times.filter((t, i) => i === 0 || t !== times[i - 1]);
}

const heldScratchByPool = new WeakMap<NodePool, Held>();

/** A reusable copy of the pool's free capacity (one per pool: look-ahead never nests). */
const scratchByPool = new WeakMap<NodePool, Capacity>();

function scratchCopy(pool: NodePool): Capacity {
  let scratch = scratchByPool.get(pool);
  if (!scratch) scratchByPool.set(pool, scratch = pool.snapshot());
  else {
    scratch.cpus.set(pool.free.cpus);
    scratch.gpus.set(pool.free.gpus);
    scratch.mem.set(pool.free.mem);
    scratch.users.set(pool.free.users);
    scratch.exclusive.set(pool.free.exclusive);
    if (scratch.idleBits && pool.free.idleBits) scratch.idleBits.set(pool.free.idleBits);
  }
  return scratch;
}

/** Per pool, a stamp per node: "already counted for this job" without a Set per call. */
const seenByPool = new WeakMap<NodePool, { stamp: number; mark: Int32Array }>();

function seenMarks(pool: NodePool): { stamp: number; mark: Int32Array } {
  let seen = seenByPool.get(pool);
  if (!seen) seenByPool.set(pool, seen = { stamp: 0, mark: new Int32Array(pool.size) });
  seen.stamp++;
  return seen;
}

/** How many distinct nodes `takes` are on (stamps, not a Set: top jobs take thousands). */
function distinctNodes(pool: NodePool, takes: readonly NodeTake[]): number {
  const seen = seenMarks(pool);
  let n = 0;
  for (const t of takes) {
    if (seen.mark[t.node] !== seen.stamp) {
      seen.mark[t.node] = seen.stamp;
      n++;
    }
  }
  return n;
}

/** Distinct nodes promised to others during [from, until) (an upper bound on what they block). */
function promisedNodes(state: CycleState, from: number, until: number): number {
  let n = 0;
  for (const p of state.promises) if (p.start < until && p.end > from) n += p.nodes ?? 0;
  return n;
}

function expectedEnd(job: JobRecord, now: number): number {
  if (job.stime === undefined) return Infinity;
  if (job.walltime === undefined) return Infinity;
  return Math.max(now, job.stime + job.walltime + job.suspendedSeconds);
}

/** Gives a job's takes back to a scratch capacity; returns how many usable nodes became idle. */
function releaseInto(pool: NodePool, cap: Capacity, takes: readonly NodeTake[]): number {
  const seen = seenMarks(pool);
  let idled = 0;
  for (const t of takes) {
    cap.cpus[t.node] += t.ncpus;
    cap.gpus[t.node] += t.ngpus;
    cap.mem[t.node] += t.memBytes;
    if (seen.mark[t.node] !== seen.stamp) {
      seen.mark[t.node] = seen.stamp;
      addUsers(cap, t.node, -1);
      if (cap.users[t.node] <= 0) {
        cap.exclusive[t.node] = 0;
        if (pool.usable(t.node)) idled++;
      }
    }
  }
  return idled;
}
