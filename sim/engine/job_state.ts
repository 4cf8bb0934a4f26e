/**
 * The state a job not running is in: H with its substate, W until its execution
 * time, or Q (routed out of a routing queue then), and the canonical hold order.
 */
import type { EngineState } from "./state.ts";
import type { JobRecord } from "../job_record.ts";
import type { SimJob } from "../model.ts";
import { applyToQueuedSubjobs } from "./arrays.ts";
import { route } from "./routing.ts";

/** Puts a not-running job in the state its holds and execution time call for. */
export function settle(engine: EngineState, job: JobRecord): void {
  if (isHistory(job) || job.state === "R" || job.state === "S" || job.state === "E") return;
  if (job.array && job.state === "B") {
    applyToQueuedSubjobs(engine, job);
    return;
  }
  const now = engine.now();
  if (job.holds !== "") {
    job.state = "H";
    // 22 while a dependency holds it, whatever other holds it has (qrls_depend_held_alice).
    const waiting = job.waitsOn.length > 0 || (job.awaitedRegistrations ?? 0) > 0;
    job.substate = job.holds.includes("s") && waiting ? 22 : 20;
  } else if (job.executionTime !== undefined && job.executionTime > now) {
    job.state = "W";
    job.substate = 30;
    const token = job.executionTime;
    engine.events.push(
      job.executionTime,
      () => job.state === "W" && job.executionTime === token,
      () => settle(engine, job),
    );
  } else {
    job.state = "Q";
    job.substate = 10;
    job.etime ??= now;
    // Released from a routing queue: routed now, or discarded when no destination takes it.
    if (engine.queues.get(job.queue)?.type === "Route" && !route(engine, job)) {
      engine.forget(job);
      return;
    }
  }
  if (job.array) applyToQueuedSubjobs(engine, job);
}

export function isHistory(job: SimJob): boolean {
  return job.state === "F" || job.state === "X";
}

export function canonicalHolds(holds: string): string {
  // PBS prints system before operator before user ("so", "su"...).
  return ["s", "o", "u"].filter((h) => holds.includes(h)).join("");
}
