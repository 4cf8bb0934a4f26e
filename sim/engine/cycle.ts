/**
 * When scheduling cycles run: the virtual clock's event loop (`advance`), the
 * scheduler interval, and the scheduler's view of the complex (`SchedulerHost`,
 * sim/scheduler.ts).
 */
import type { EngineState } from "./state.ts";
import type { JobRecord } from "../job_record.ts";
import type { NodeTake } from "../nodes.ts";
import { runCycle, type SchedulerHost } from "../scheduler.ts";
import { queuedSubjobs } from "./arrays.ts";
import { isHistory } from "./job_state.ts";
import { startRun } from "./lifecycle.ts";
import { confirmReservations, reservationWindows } from "./reservations.ts";

/** Moves the clock `seconds` on, from event to event, with the cycles they call for. */
export function advance(engine: EngineState, seconds: number): void {
  const target = engine.now() + Math.max(0, Math.floor(seconds));
  for (;;) {
    const next = engine.events.peekTime();
    if (next === undefined || next > target) break;
    engine.clock.set(next);
    for (let e = engine.events.popDue(next); e; e = engine.events.popDue(next)) e.fire();
    maybeSchedule(engine);
  }
  engine.clock.set(target);
  maybeSchedule(engine);
}

export function configureScheduler(
  engine: EngineState,
  settings: { strictOrdering?: boolean; backfillDepth?: number },
): void {
  if (settings.strictOrdering !== undefined) engine.config.strictOrdering = settings.strictOrdering;
  if (settings.backfillDepth !== undefined) engine.config.backfillDepth = settings.backfillDepth;
  schedule(engine);
}

export function schedule(engine: EngineState): void {
  if (!engine.server.up || !engine.server.scheduling || engine.quiet) return;
  engine.lastCycle = engine.now();
  confirmReservations(engine);
  runCycle(schedulerHost(engine));
}

/** Runs a cycle now, or queues one for when the scheduler interval allows. */
export function maybeSchedule(engine: EngineState): void {
  const interval = engine.config.schedulerInterval ?? 0;
  const due = engine.lastCycle + interval;
  if (engine.now() >= due) {
    schedule(engine);
  } else if (!engine.cycleQueued) {
    engine.cycleQueued = true;
    engine.events.push(due, () => true, () => {
      engine.cycleQueued = false;
    });
  }
}

/** Every operation that changes jobs, nodes or reservations ends here. */
export function afterChange(engine: EngineState): void {
  maybeSchedule(engine);
}

export function orderedJobs(engine: EngineState): JobRecord[] {
  if (engine.schedOrderDirty) {
    engine.schedOrder.sort((a, b) => (engine.schedBefore(a, b) ? -1 : 1));
    engine.schedOrderDirty = false;
  }
  // Drop jobs that can no longer be scheduled; the rest keep their order (in place).
  const order = engine.schedOrder;
  if (!engine.schedOrderStale) return order;
  engine.schedOrderStale = false;
  const reused = engine.schedOrderSeqReused;
  engine.schedOrderSeqReused = false;
  let kept = 0;
  for (const j of order) {
    if (!isHistory(j) && (!reused || engine.jobs.get(j.seq) === j)) order[kept++] = j;
  }
  order.length = kept;
  return order;
}

export function schedulerHost(engine: EngineState): SchedulerHost {
  return {
    pool: engine.pool,
    now: () => engine.now(),
    // Top jobs (estimates, backfill protection) only under sched_config strict_ordering;
    // OpenPBS's defaults give none (captures qstat_T_default_sched, qstat_T_strict_ordering).
    backfillDepth: engine.config.strictOrdering
      ? engine.server.backfillDepth ?? engine.config.backfillDepth ?? 1
      : 0,
    orderedJobs: () => orderedJobs(engine),
    queuedSubjobs: (parent) => queuedSubjobs(parent),
    runningSubjobCount: (parent) => {
      let n = 0;
      for (const sub of parent.array!.subjobs.values()) {
        if (sub.state === "R" || sub.state === "S" || sub.state === "E") n++;
      }
      return n;
    },
    queueOf: (job) => engine.queues.get(job.queue)!,
    runningInQueue: (queue) => {
      let n = 0;
      for (const j of engine.holding) if (j.queue === queue) n++;
      return n;
    },
    runningJobs: () => engine.holding,
    reservationWindows: () => reservationWindows(engine),
    reservationUsage: (id) => {
      const queue = engine.reservations.get(id)?.queue;
      const takes: NodeTake[] = [];
      for (const j of engine.holding) if (j.queue === queue) takes.push(...j.takes);
      return takes;
    },
    start: (job, takes) => startRun(engine, job, takes),
    setComment: (job, comment) => {
      if (job.comment !== comment) job.comment = comment;
    },
    setEstimate: (job, start, takes) => {
      job.estimatedStartTime = start;
      job.estimatedTakes = takes;
    },
  };
}
