/**
 * `qalter`: resources (queued, or walltime of a running job), name, priority,
 * account, execution time, dependencies and holds (OpenPBS src/server/req_modify.c).
 */
import type { EngineState } from "./state.ts";
import { parseDepend } from "../ids.ts";
import type { JobRecord } from "../job_record.ts";
import { type AlterRequest, type Caller, PBSE, SimError } from "../model.ts";
import { deriveTotals, durationOf, validateResources, withinLimits } from "../resources.ts";
import { afterChange } from "./cycle.ts";
import { linkDependencies } from "./dependencies.ts";
import { checkHoldPrivilege } from "./holds.ts";
import { canonicalHolds, isHistory, settle } from "./job_state.ts";
import { planEnd, usedWalltime } from "./lifecycle.ts";
import { completeFor, enterQueue, requestedOf } from "./routing.ts";

export function alterJob(
  engine: EngineState,
  caller: Caller,
  id: string,
  request: AlterRequest,
): void {
  engine.requireUp();
  const job = engine.lookup(id);
  engine.ownerOrPrivileged(caller, job);
  if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
  if (request.resources) alterResources(engine, caller, job, request.resources);
  if (request.name !== undefined) job.name = request.name;
  if (request.priority !== undefined) {
    job.priority = request.priority;
    engine.schedOrderDirty = true;
  }
  if (request.account !== undefined) job.account = request.account;
  if (request.executionTime !== undefined) job.executionTime = request.executionTime;
  if (request.depend !== undefined) {
    linkDependencies(engine, job, parseDepend(request.depend, engine.server.name));
  }
  if (request.holds !== undefined) {
    checkHoldPrivilege(engine, caller, job, request.holds);
    job.holds = canonicalHolds(request.holds.replace(/n/g, ""));
  }
  job.mtime = engine.now();
  settle(engine, job);
  afterChange(engine);
}

export function alterResources(
  engine: EngineState,
  caller: Caller,
  job: JobRecord,
  pairs: Array<[string, string]>,
): void {
  const changes = validateResources(pairs);
  const running = job.state === "R" || job.state === "S" || job.state === "E";
  if (running) {
    for (const name of Object.keys(changes)) {
      if (name !== "walltime" && name !== "cput") {
        throw new SimError(PBSE.MODATRRUN, `Resource_List.${name}`);
      }
    }
    const raising = changes.walltime !== undefined && job.walltime !== undefined &&
      (durationOf(changes, "walltime") ?? 0) > job.walltime;
    if (raising && !engine.isPrivileged(caller)) throw new SimError(PBSE.PERM, job.id);
  }
  const requested = { ...requestedOf(job), ...changes };
  if (changes.select !== undefined) {
    delete requested.ncpus;
    delete requested.mem;
    delete requested.ngpus;
    delete requested.nodect;
  } else if (
    changes.ncpus !== undefined || changes.mem !== undefined || changes.ngpus !== undefined
  ) {
    delete requested.select;
    delete requested.nodect;
    if (requested.place === "pack") delete requested.place;
  }
  const queue = engine.queues.get(job.queue)!;
  const fromQueue = job.fromQueueDefaults.filter((n) => changes[n] === undefined);
  const resources = { ...requested };
  for (const name of fromQueue) resources[name] = queue.resourcesDefault[name];
  if (!resources.select) {
    Object.assign(resources, completeFor(engine, queue, resources).resources);
  } else {
    resources.place ??= "free";
    deriveTotals(resources, engine.defaultChunk);
  }
  if (!running && !withinLimits(resources, queue.resourcesMax, queue.resourcesMin)) {
    throw new SimError(PBSE.EXCQRESC, job.id);
  }
  if (running && job.state === "R" && changes.walltime !== undefined) {
    job.resources = resources;
    job.walltime = durationOf(resources, "walltime");
    replanRunning(engine, job);
    return;
  }
  enterQueue(engine, job, queue, resources, fromQueue);
}

/** Re-plans the end of a running job after its walltime changed. */
export function replanRunning(engine: EngineState, job: JobRecord): void {
  const elapsed = usedWalltime(engine, job);
  job.runToken++;
  planEnd(engine, job, Math.max(0, job.behaviour.runtimeSeconds - elapsed));
}
