/**
 * Job history: a finished job stays as F (subjobs X) for job_history_duration
 * when history is enabled, and is forgotten otherwise or when that expires.
 */
import type { EngineState } from "./state.ts";
import type { JobRecord } from "../job_record.ts";
import { updateArrayParent } from "./arrays.ts";

export function toHistory(engine: EngineState, job: JobRecord): void {
  const now = engine.now();
  job.mtime = now;
  // A job deleted while queued keeps its last estimate (qstat_xf_json_deleted_queued).
  if (job.parentId) {
    job.state = "X";
    job.historyTime = now;
    updateArrayParent(engine, engine.byId.get(job.parentId)!);
    return;
  }
  if (!engine.server.jobHistoryEnable) {
    engine.forget(job);
    return;
  }
  keepInHistory(engine, job, now);
}

/** A finished top-level job stays in history until `job_history_duration` after `endedAt`. */
export function keepInHistory(engine: EngineState, job: JobRecord, endedAt: number): void {
  job.historyTime = endedAt;
  engine.listing = undefined;
  engine.schedOrderStale = true;
  const expires = endedAt + engine.server.jobHistoryDuration;
  engine.events.push(expires, () => engine.jobs.get(job.seq) === job, () => engine.forget(job));
}

export function purge(engine: EngineState, job: JobRecord): void {
  if (job.parentId) return; // subjob records live and die with their parent
  engine.forget(job);
}
