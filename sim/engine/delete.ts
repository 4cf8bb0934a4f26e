/**
 * `qdel`: deleting queued, running and exiting jobs, whole arrays, and purging
 * history (`-x`); `-W force` kills at once (OpenPBS src/server/req_delete.c).
 */
import type { EngineState } from "./state.ts";
import type { JobRecord } from "../job_record.ts";
import { type Caller, PBSE, SimError } from "../model.ts";
import { afterChange } from "./cycle.ts";
import { dependencyEvent } from "./dependencies.ts";
import { purge, toHistory } from "./history.ts";
import { isHistory } from "./job_state.ts";
import { obit, terminate } from "./lifecycle.ts";

export function deleteJob(
  engine: EngineState,
  caller: Caller,
  id: string,
  options: { force?: boolean; purgeHistory?: boolean } = {},
): void {
  engine.requireUp();
  const job = engine.lookup(id);
  engine.ownerOrPrivileged(caller, job);
  if (isHistory(job)) {
    if (!options.purgeHistory) throw new SimError(PBSE.HISTJOBID, job.id);
    purge(engine, job);
    return;
  }
  if (job.state === "E") {
    if (!options.force) throw new SimError(PBSE.BADSTATE, job.id);
    obit(engine, job);
  } else if (job.array) {
    deleteArray(engine, caller, job);
  } else {
    deleteOne(engine, caller, job, options.force ?? false);
  }
  if (options.purgeHistory && isHistory(job)) purge(engine, job);
  afterChange(engine);
}

export function deleteOne(
  engine: EngineState,
  caller: Caller,
  job: JobRecord,
  force: boolean,
): void {
  const by = `${caller.user}@${caller.host}`;
  if (job.state === "R" || job.state === "S") {
    // SIGTERM (256+15); -W force kills with SIGKILL: 265 (qstat_fx_json_force_deleted).
    terminate(engine, job, force && !job.parentId ? 265 : 271, "deleted", by);
    if (force) obit(engine, job);
    return;
  }
  // The scheduler's last comment gains " and terminated" (qstat_xf_json_deleted_queued).
  if (job.comment !== undefined) job.comment = `${job.comment} and terminated`;
  job.state = job.parentId ? "X" : "F";
  job.substate = 91;
  toHistory(engine, job);
  dependencyEvent(engine, job, "ended");
}

export function deleteArray(engine: EngineState, caller: Caller, parent: JobRecord): void {
  for (const sub of parent.array!.subjobs.values()) {
    const subjob = sub as JobRecord;
    if (!isHistory(subjob) && subjob.state !== "E") deleteOne(engine, caller, subjob, true);
  }
  if (!isHistory(parent)) {
    parent.state = "F";
    parent.substate = 91;
    toHistory(engine, parent);
    dependencyEvent(engine, parent, "ended");
  }
}
