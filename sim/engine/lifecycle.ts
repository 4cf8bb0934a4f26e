/**
 * A run from start to obit: taking the vnodes, the end event (own runtime or the
 * walltime kill), E for a second, then F with its exit status and comment, and
 * resources_used along the way (OpenPBS req_runjob.c, req_jobobit.c).
 */
import type { EngineState } from "./state.ts";
import { formatDuration } from "../../src/pbs/model/time.ts";
import type { JobRecord } from "../job_record.ts";
import type { NodeTake } from "../nodes.ts";
import { execVnodeText } from "../placement.ts";
import { jobRunDate, writeJobOutput } from "../output.ts";
import { arrayBegan } from "./arrays.ts";
import { dependencyEvent } from "./dependencies.ts";
import { toHistory } from "./history.ts";

/** Seconds a job stays in E between its end and its obit (golden: ~1 s). */
export const EXITING_SECONDS = 1;

/** The mom notices a walltime overrun on its next poll (golden: 308 s for a 300 s limit). */
export const WALLTIME_POLL_SECONDS = 8;

/** Starts a run on `takes`: R 42, exec_host/exec_vnode, the end planned, dependants told. */
export function startRun(engine: EngineState, job: JobRecord, takes: NodeTake[]): void {
  const now = engine.now();
  const exclusive = job.placement.sharing !== "shared";
  const firstSlots = engine.pool.take(job.id, takes, exclusive, now);
  job.takes = takes;
  job.allocation = takes.map((t) => ({
    node: engine.pool.nodes[t.node].name,
    ncpus: t.ncpus,
    ngpus: t.ngpus,
    memBytes: t.memBytes,
  }));
  job.execHost = takes.map((t, i) => {
    const name = engine.pool.nodes[t.node].name;
    return t.ncpus > 1 ? `${name}/${firstSlots[i]}*${t.ncpus}` : `${name}/${firstSlots[i]}`;
  }).join("+");
  job.execVnode = execVnodeText(engine.pool, takes);
  job.state = "R";
  job.substate = 42;
  job.stime = now;
  job.mtime = now;
  job.obittime = job.runCount > 0 ? job.obittime : undefined;
  job.runCount++;
  job.runToken++;
  job.suspendedSeconds = 0;
  job.exitStatus = undefined;
  job.pendingExit = undefined;
  job.endKind = undefined;
  job.stagedOut = false;
  job.sessionId = engine.rng.int(1000, 65000);
  job.memUsedKb = 7000 + engine.rng.int(0, 600);
  // A script's `#SIM cpu= mem=` decides its usage (after the draw, so seeds replay alike).
  if (job.behaviour.memKb !== undefined) job.memUsedKb = job.behaviour.memKb;
  if (job.behaviour.cpuPercent !== undefined) job.cpuLoad = job.behaviour.cpuPercent / 100;
  job.vmemUsedKb = 10380;
  job.comment = `Job run at ${jobRunDate(now)} on ${job.execVnode}`;
  job.estimatedStartTime = undefined;
  job.estimatedTakes = undefined;
  engine.holding.add(job);
  noteAssigned(engine, job);
  planEnd(engine, job, job.behaviour.runtimeSeconds);
  if (job.parentId) arrayBegan(engine, engine.byId.get(job.parentId)!);
  dependencyEvent(engine, job, "started");
}

export function noteAssigned(engine: EngineState, job: JobRecord): void {
  for (const set of [engine.assignedSeen(job.queue), engine.assignedSeen("")]) {
    set.add("ncpus");
    set.add("nodect");
    if (job.resources.mem !== undefined) set.add("mem");
    if (job.resources.ngpus !== undefined) set.add("ngpus");
  }
}

/** Schedules the end of a run with `runtime` seconds still to go. */
export function planEnd(engine: EngineState, job: JobRecord, runtime: number): void {
  const now = engine.now();
  const elapsed = now - job.stime! - job.suspendedSeconds;
  let end = now + runtime;
  let kind: "normal" | "walltime" = "normal";
  if (job.walltime !== undefined && elapsed + runtime > job.walltime + WALLTIME_POLL_SECONDS) {
    end = now + Math.max(0, job.walltime + WALLTIME_POLL_SECONDS - elapsed);
    kind = "walltime";
  }
  job.endAt = end;
  const token = job.runToken;
  engine.events.push(end, () => job.runToken === token && job.state === "R", () => {
    finishRun(engine, job, kind === "walltime" ? -29 : job.behaviour.exitCode, kind);
  });
}

/** The job's processes are gone: E now, obit (F/X) shortly after. */
export function finishRun(
  engine: EngineState,
  job: JobRecord,
  exitStatus: number,
  kind: JobRecord["endKind"],
): void {
  const now = engine.now();
  refreshUsage(engine, job);
  engine.pool.release(job.id, job.takes, now);
  engine.holding.delete(job);
  job.runToken++;
  job.endAt = undefined;
  job.state = "E";
  job.substate = 50;
  job.mtime = now;
  job.pendingExit = exitStatus;
  job.endKind = kind;
  job.exitingUntil = now + EXITING_SECONDS;
  const token = job.runToken;
  engine.events.push(job.exitingUntil, () => job.runToken === token && job.state === "E", () => {
    obit(engine, job);
  });
}

export function obit(engine: EngineState, job: JobRecord): void {
  const now = engine.now();
  job.obittime = now;
  job.exitStatus = job.pendingExit;
  job.stagedOut = true;
  job.exitingUntil = undefined;
  job.comment = `${job.comment ?? ""}${endSuffix(job)}`;
  job.substate = job.endKind === "deleted" || job.endKind === "resv-end"
    ? 91
    : job.exitStatus === 0
    ? 92
    : 93;
  job.state = "F";
  if (!engine.quiet) writeJobOutput(engine, job);
  toHistory(engine, job);
  dependencyEvent(engine, job, "ended");
}

/** Brings resources_used up to date for a running (or just ended) job. */
export function refreshUsage(engine: EngineState, job: JobRecord): void {
  job.used = resourcesUsed(job, usedWalltime(engine, job));
}

/** Seconds the current/last run has been executing (suspension excluded). */
export function usedWalltime(engine: EngineState, job: JobRecord): number {
  if (job.stime === undefined) return 0;
  const until = job.state === "S" ? job.suspendedAt! : job.state === "R" ? engine.now() : undefined;
  if (until === undefined) return parseDurationOr(job.used.walltime, 0);
  return Math.max(0, until - job.stime - job.suspendedSeconds);
}

/** Kills a running job (qdel, qsig, reservation end): E now, F after the obit. */
export function terminate(
  engine: EngineState,
  job: JobRecord,
  exitStatus: number,
  kind: JobRecord["endKind"],
  by?: string,
): void {
  if (job.state === "S") {
    job.suspendedSeconds += engine.now() - job.suspendedAt!;
    job.suspendedAt = undefined;
    job.state = "R";
  }
  job.terminatedBy = by;
  finishRun(engine, job, exitStatus, kind);
}

export function endSuffix(job: JobRecord): string {
  switch (job.endKind) {
    case "walltime":
      return " and exceeded resource walltime";
    case "deleted":
    case "resv-end":
      return job.terminatedBy ? ` and terminated by ${job.terminatedBy}` : " and terminated";
    default:
      return job.exitStatus === 0 ? " and finished" : " and failed";
  }
}

export function parseDurationOr(value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const [h, m, s] = String(value).split(":").map(Number);
  return s === undefined ? fallback : h * 3600 + m * 60 + s;
}

/** `resources_used` after `seconds` of running, from the job's simulated load and memory. */
export function resourcesUsed(job: JobRecord, seconds: number): JobRecord["used"] {
  const ncpus = Number(job.resources.ncpus ?? 1);
  return {
    cpupercent: Math.round(job.cpuLoad * 100 * ncpus),
    cput: formatDuration(Math.round(seconds * job.cpuLoad * ncpus)),
    mem: `${job.memUsedKb}kb`,
    ncpus,
    vmem: `${job.vmemUsedKb}kb`,
    walltime: formatDuration(seconds),
  };
}
