/**
 * Job dependencies (`-W depend=`): after* and before* links between jobs, the `on:N`
 * count, the depend text as PBS rewrites it when a clause is met, and deleting a
 * dependant whose dependency can never be met (OpenPBS src/server/req_register.c).
 */
import type { EngineState } from "./state.ts";
import { AFTER_TYPES, type DependClause, formatDepend, mirrorType, parseDepend } from "../ids.ts";
import type { JobRecord } from "../job_record.ts";
import type { SimJob } from "../model.ts";
import { toHistory } from "./history.ts";
import { canonicalHolds, isHistory, settle } from "./job_state.ts";
import { terminate } from "./lifecycle.ts";

export function linkDependencies(
  engine: EngineState,
  job: JobRecord,
  clauses: DependClause[],
): void {
  if (clauses.length === 0) return;
  const own: DependClause[] = clauses.map((c) => ({ type: c.type, ids: [...c.ids] }));
  job.depend = formatDepend(own, engine.server.name);
  let rejected = false;
  for (const clause of clauses) {
    if (clause.type === "on") {
      // `on:N`: held until N before* jobs have registered on it, then waits for them.
      const count = Number(clause.ids[0]);
      if (count > 0) {
        job.awaitedRegistrations = count;
        job.holds = canonicalHolds(`${job.holds}s`);
      }
      continue;
    }
    const isAfter = (AFTER_TYPES as readonly string[]).includes(clause.type);
    if (!isAfter && !clause.type.startsWith("before")) continue;
    for (const id of clause.ids) {
      const other = engine.byId.get(id);
      if (!other) {
        rejected = true;
        continue;
      }
      if (isAfter) waitOn(engine, job, clause.type, other);
      else waitOn(engine, other, mirrorType(clause.type), job);
    }
  }
  if (rejected) rejectForDependency(engine, job);
}

/** `waiter` may not run until `target` does what `type` says; both get their depend text. */
export function waitOn(
  engine: EngineState,
  waiter: JobRecord,
  type: string,
  target: JobRecord,
): void {
  if (isHistory(target)) {
    const ok = dependencySatisfied(type, target);
    if (!ok) deleteForDependency(engine, waiter);
    return;
  }
  waiter.waitsOn.push({ type, id: target.id });
  (target.dependents ??= new Set()).add(waiter.id);
  waiter.holds = canonicalHolds(`${waiter.holds}s`); // "su" (qstat_f_json_after_qalter_depend)
  if (waiter.awaitedRegistrations !== undefined && waiter.awaitedRegistrations > 0) {
    // A before* job registered on an `on:N` job: the count drops, then the clause goes
    // (qstat_f_json_depend_on_waiting shows only `afterok:259.vm@vm`).
    waiter.awaitedRegistrations--;
    if (waiter.awaitedRegistrations === 0) removeDependClause(waiter, "on", engine.server.name);
  }
  appendDepend(waiter, type, target.id, engine.server.name);
  appendDepend(target, mirrorType(type), waiter.id, engine.server.name);
  if (type === "after" && target.stime !== undefined) dependencyEvent(engine, target, "started");
}

/** The server refuses a dependency on an unknown job: the job is finished at once (golden). */
export function rejectForDependency(engine: EngineState, job: JobRecord): void {
  job.holds = "s";
  job.state = "F";
  job.substate = 92;
  toHistory(engine, job);
}

export function deleteForDependency(engine: EngineState, job: JobRecord): void {
  if (isHistory(job)) return;
  if (job.state === "R" || job.state === "S") {
    terminate(engine, job, 271, "deleted");
    return;
  }
  // "Job deleted as result of dependency": F, substate 92, Hold_Types s, no comment
  // (qstat_fx_json_depend_two_ids_parent_failed).
  job.state = "F";
  job.substate = 92;
  toHistory(engine, job);
  dependencyEvent(engine, job, "ended");
}

/** Re-evaluates the jobs waiting on `target` after it started or ended. */
export function dependencyEvent(
  engine: EngineState,
  target: JobRecord,
  what: "started" | "ended",
): void {
  if (target.dependents === undefined) return;
  for (const id of [...target.dependents]) {
    const waiter = engine.byId.get(id);
    if (!waiter || isHistory(waiter)) continue;
    const waits = waiter.waitsOn.filter((w) => w.id === target.id);
    for (const w of waits) {
      if (what === "started" && w.type !== "after") continue;
      if (what === "started" || dependencySatisfied(w.type, target)) {
        waiter.waitsOn.splice(waiter.waitsOn.indexOf(w), 1);
        // A met dependency leaves the depend text (qstat_fx_json_depend_two_types_done).
        removeDependId(waiter, w.type, target.id, engine.server.name);
      } else {
        deleteForDependency(engine, waiter);
        break;
      }
    }
    if (
      !isHistory(waiter) && waiter.waitsOn.length === 0 && !waiter.awaitedRegistrations &&
      waiter.holds.includes("s")
    ) {
      waiter.holds = waiter.holds.replace("s", "");
      settle(engine, waiter);
    }
  }
}

export function dependencySatisfied(type: string, target: SimJob): boolean {
  const ran = target.exitStatus !== undefined;
  const ok = ran && target.exitStatus === 0;
  if (type === "afterok") return ok;
  if (type === "afternotok") return !ok;
  return true; // after, afterany
}

export function removeDependId(job: JobRecord, type: string, id: string, server: string): void {
  if (!job.depend) return;
  const clauses = parseDepend(job.depend, server).map((c) =>
    c.type === type ? { type, ids: c.ids.filter((x) => x !== id) } : c
  );
  job.depend = formatDepend(clauses, server) || undefined;
}

export function removeDependClause(job: JobRecord, type: string, server: string): void {
  if (!job.depend) return;
  const clauses = parseDepend(job.depend, server).filter((c) => c.type !== type);
  job.depend = formatDepend(clauses, server) || undefined;
}

export function appendDepend(job: JobRecord, type: string, id: string, server: string): void {
  const clauses = job.depend ? parseDepend(job.depend, server) : [];
  const clause = clauses.find((c) => c.type === type);
  if (clause) {
    if (!clause.ids.includes(id)) clause.ids.push(id);
  } else {
    clauses.push({ type, ids: [id] });
  }
  job.depend = formatDepend(clauses, server);
}
