/**
 * Array jobs (`qsub -J`): subjob records, queued subjobs following their parent's holds,
 * the parent's B state once a subjob runs, and its end (F 92/93) once every subjob is gone
 * (OpenPBS src/server/array_func.c).
 */
import type { EngineState } from "./state.ts";
import type { JobRecord } from "../job_record.ts";
import { subjobBehaviour } from "../script.ts";
import { jobRunDate } from "../output.ts";
import { dependencyEvent } from "./dependencies.ts";
import { toHistory } from "./history.ts";
import { JobRecordObject } from "./job_record_object.ts";

export function newSubjob(engine: EngineState, parent: JobRecord, index: number): JobRecord {
  const server = engine.server.name;
  const sub: JobRecord = new JobRecordObject({
    ...(parent as JobRecordObject),
    id: `${parent.seq}[${index}].${server}`,
    array: undefined,
    parentId: parent.id,
    arrayIndex: index,
    outputPath: parent.outputPath.replace("^array_index^", String(index)),
    errorPath: parent.errorPath.replace("^array_index^", String(index)),
    behaviour: subjobBehaviour(parent.behaviour, index),
    resources: { ...parent.resources },
    used: {},
    allocation: [],
    takes: [],
    dependents: undefined,
    waitsOn: [],
  });
  return sub;
}

export function applyToQueuedSubjobs(engine: EngineState, parent: JobRecord): void {
  for (const item of parent.array!.subjobs.values()) {
    const sub = item as JobRecord;
    if (sub.state !== "Q" && sub.state !== "H" && sub.state !== "W") continue;
    sub.holds = parent.holds;
    sub.executionTime = parent.executionTime;
    if (parent.holds !== "") {
      sub.state = "H";
      sub.substate = 20;
    } else {
      sub.state = "Q";
      sub.substate = 10;
      sub.etime ??= engine.now();
    }
  }
}

export function updateArrayParent(engine: EngineState, parent: JobRecord): void {
  const subs = [...parent.array!.subjobs.values()];
  parent.mtime = engine.now();
  if (subs.every((sub) => sub.state === "X")) {
    // The array is done: parent and every subjob become F; a failed subjob makes the
    // parent 93 "... and failed" with Exit_status 0 (qstat_xt_array_finished,
    // qstat_fx_json_array_parent_finished).
    const failed = subs.some((sub) => sub.exitStatus !== 0);
    for (const sub of subs) sub.state = "F";
    parent.state = "F";
    parent.substate = failed ? 93 : 92;
    if (failed && parent.comment !== undefined) parent.comment += " and failed";
    parent.stagedOut = true;
    parent.exitStatus = 0;
    toHistory(engine, parent);
    dependencyEvent(engine, parent, "ended");
  } else if (subs.some((sub) => sub.state === "X")) {
    // PBS marks the parent once any subjob has gone (qstat_f_json_array_parent_after).
    parent.stagedOut = true;
    if (subs.some((sub) => sub.state === "X" && sub.exitStatus !== 0)) parent.exitStatus = 1;
  }
}

export function arrayBegan(engine: EngineState, parent: JobRecord): void {
  if (parent.state === "B") return;
  const now = engine.now();
  parent.state = "B";
  parent.substate = 70;
  parent.stime = now;
  parent.mtime = now;
  parent.comment = `Job Array Began at ${jobRunDate(now)}`;
}

export function* queuedSubjobs(parent: JobRecord): Iterable<JobRecord> {
  for (const sub of parent.array!.subjobs.values()) if (sub.state === "Q") yield sub as JobRecord;
}
