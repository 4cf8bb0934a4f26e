/**
 * `qrun` (start now wherever capacity allows, ignoring holds and promises) and
 * `qrerun` (requeue a running job) (OpenPBS req_runjob.c, req_rerun.c).
 */
import type { EngineState } from "./state.ts";
import type { JobRecord } from "../job_record.ts";
import { type Caller, PBSE, SimError } from "../model.ts";
import type { NodePool, NodeTake } from "../nodes.ts";
import { findPlacement } from "../placement.ts";
import { afterChange } from "./cycle.ts";
import { isHistory, settle } from "./job_state.ts";
import { refreshUsage, startRun } from "./lifecycle.ts";

export function rerunJob(engine: EngineState, caller: Caller, id: string): void {
  engine.requireUp();
  const job = engine.lookup(id);
  if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
  if (!engine.isPrivileged(caller)) throw new SimError(PBSE.PERM, job.id);
  if (job.state !== "R" && job.state !== "S") throw new SimError(PBSE.BADSTATE, job.id);
  if (!job.rerunnable) throw new SimError(PBSE.NORERUN, job.id);
  const now = engine.now();
  refreshUsage(engine, job);
  engine.pool.release(job.id, job.takes, now);
  engine.holding.delete(job);
  job.runToken++;
  job.takes = [];
  job.endAt = undefined;
  job.obittime = now;
  job.used = zeroUsage(Number(job.resources.ncpus ?? 1));
  job.state = "Q";
  settle(engine, job);
  afterChange(engine);
}

export function runJob(engine: EngineState, caller: Caller, id: string): void {
  engine.requireUp();
  const job = engine.lookup(id);
  if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
  if (!engine.isPrivileged(caller)) throw new SimError(PBSE.PERM, job.id);
  if (job.state === "R" || job.state === "S" || job.state === "E" || job.array) {
    throw new SimError(PBSE.BADSTATE, job.id);
  }
  const takes = forcePlacement(engine, job);
  if (!takes) throw new SimError(PBSE.RESCUNAV, job.id);
  job.holds = "";
  startRun(engine, job, takes);
  afterChange(engine);
}

/** qrun ignores queue state, holds and top-job promises; only capacity counts. */
export function forcePlacement(engine: EngineState, job: JobRecord): NodeTake[] | undefined {
  return findPlacementNow(engine.pool, job);
}

export function findPlacementNow(pool: NodePool, job: JobRecord): NodeTake[] | undefined {
  return findPlacement(pool, pool.free, {
    chunks: job.chunks,
    placement: job.placement,
    eligible: pool.usableMask,
  });
}

export function zeroUsage(ncpus: number): Record<string, string | number> {
  return { cpupercent: 0, cput: "00:00:00", mem: "0kb", ncpus, vmem: "0kb", walltime: "00:00:00" };
}
