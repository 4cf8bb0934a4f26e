/**
 * Queue admission (enabled, ACLs), queue and server defaults, and routing a job
 * from a routing queue to the first destination that accepts it.
 */
import type { EngineState } from "./state.ts";
import type { JobRecord } from "../job_record.ts";
import { type Caller, PBSE, SimError, type SimQueue } from "../model.ts";
import {
  chunksOf,
  completeResources,
  durationOf,
  parsePlace,
  type ResourceMap,
  withinLimits,
} from "../resources.ts";

export function checkAdmission(caller: Caller, queue: SimQueue): void {
  if (!queue.enabled) throw new SimError(PBSE.QUNOENB, queue.name);
  if (queue.aclUserEnable && !aclAllows(queue, caller.user)) {
    throw new SimError(PBSE.PERM);
  }
}

export function aclAllows(queue: SimQueue, user: string): boolean {
  return queue.aclUsers.some((u) => u.split("@")[0] === user);
}

export function completeFor(engine: EngineState, queue: SimQueue, requested: ResourceMap) {
  return completeResources(requested, {
    queue: queue.resourcesDefault,
    server: engine.server.resourcesDefault,
    defaultChunk: engine.defaultChunk,
  });
}

/** Route a job to the first destination that accepts it; false when none does. */
export function route(engine: EngineState, job: JobRecord): boolean {
  const caller = { user: job.user, host: job.submitHost };
  const source = engine.queues.get(job.queue)!;
  for (const name of source.routeDestinations) {
    const dest = engine.queues.get(name);
    if (!dest) continue;
    try {
      checkAdmission(caller, dest);
    } catch {
      continue;
    }
    const { resources, fromQueue } = completeFor(engine, dest, requestedOf(job));
    if (!withinLimits(resources, dest.resourcesMax, dest.resourcesMin)) continue;
    if (dest.type === "Route") continue;
    enterQueue(engine, job, dest, resources, fromQueue);
    return true;
  }
  return false;
}

/** The job's own requests: Resource_List without queue-defaulted and derived values. */
export function requestedOf(job: JobRecord): ResourceMap {
  const own: ResourceMap = { ...job.resources };
  for (const name of job.fromQueueDefaults) delete own[name];
  return own;
}

export function enterQueue(
  engine: EngineState,
  job: JobRecord,
  queue: SimQueue,
  resources: ResourceMap,
  fromQueue: string[],
): void {
  job.queue = queue.name;
  job.resources = resources;
  job.fromQueueDefaults = fromQueue;
  job.walltime = durationOf(resources, "walltime");
  job.chunks = chunksOf(String(resources.select), engine.defaultChunk);
  job.placement = parsePlace(String(resources.place));
  job.reservation = queue.reservation;
  if (job.array) {
    for (const sub of job.array.subjobs.values()) {
      const subjob = sub as JobRecord;
      subjob.queue = queue.name;
      subjob.resources = { ...resources };
      subjob.walltime = job.walltime;
      subjob.chunks = job.chunks;
      subjob.placement = job.placement;
      subjob.reservation = job.reservation;
    }
  }
}
