/**
 * `qmove` and `qorder`: another queue's admission checks and defaults, and
 * swapping two jobs' places (and queues) (OpenPBS req_movejob.c, req_orderjob.c).
 */
import type { EngineState } from "./state.ts";
import { type Caller, PBSE, SimError } from "../model.ts";
import { withinLimits } from "../resources.ts";
import { afterChange } from "./cycle.ts";
import { isHistory } from "./job_state.ts";
import { checkAdmission, completeFor, enterQueue, requestedOf, route } from "./routing.ts";

export function moveJob(
  engine: EngineState,
  caller: Caller,
  id: string,
  destination: string,
): void {
  engine.requireUp();
  const job = engine.lookup(id);
  engine.ownerOrPrivileged(caller, job);
  if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
  const dest = engine.queues.get(destination);
  if (!dest) throw new SimError(PBSE.UNKQUE, job.id);
  if (job.state === "R" || job.state === "S" || job.state === "E" || job.state === "B") {
    throw new SimError(PBSE.BADSTATE, job.id);
  }
  const caller2 = { user: job.user, host: job.submitHost };
  try {
    checkAdmission(caller2, dest);
  } catch (e) {
    if (e instanceof SimError) throw new SimError(e.errno, job.id);
    throw e;
  }
  const { resources, fromQueue } = completeFor(engine, dest, requestedOf(job));
  if (
    dest.type === "Execution" && !withinLimits(resources, dest.resourcesMax, dest.resourcesMin)
  ) {
    throw new SimError(PBSE.EXCQRESC, job.id);
  }
  const now = engine.now();
  enterQueue(engine, job, dest, resources, fromQueue);
  if (dest.type === "Route") route(engine, job);
  job.rank = engine.nextRank++;
  job.qtime = now;
  job.mtime = now;
  engine.listing = undefined;
  engine.schedOrderDirty = true;
  afterChange(engine);
}

export function orderJobs(
  engine: EngineState,
  caller: Caller,
  first: string,
  second: string,
): void {
  engine.requireUp();
  const a = engine.lookup(first);
  const b = engine.lookup(second);
  engine.ownerOrPrivileged(caller, a);
  engine.ownerOrPrivileged(caller, b);
  for (const job of [a, b]) {
    if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
    if (job.state === "R" || job.state === "S" || job.state === "E") {
      throw new SimError(PBSE.BADSTATE, `${a.id} or ${b.id}`);
    }
  }
  [a.rank, b.rank] = [b.rank, a.rank];
  if (a.queue !== b.queue) {
    // PBS swaps the queues too (golden qorder_diff_queue).
    const qa = engine.queues.get(a.queue)!;
    const qb = engine.queues.get(b.queue)!;
    enterQueue(engine, a, qb, a.resources, a.fromQueueDefaults);
    enterQueue(engine, b, qa, b.resources, b.fromQueueDefaults);
  }
  engine.listing = undefined;
  engine.schedOrderDirty = true;
  afterChange(engine);
}
