/**
 * `qhold`/`qrls`: hold types u/o/s, who may set or clear each, and a dependency
 * hold that stays until the dependency is met (OpenPBS src/server/req_holdjob.c).
 */
import type { EngineState } from "./state.ts";
import { type Caller, PBSE, SimError, type SimJob } from "../model.ts";
import { afterChange } from "./cycle.ts";
import { canonicalHolds, isHistory, settle } from "./job_state.ts";

export function holdJob(engine: EngineState, caller: Caller, id: string, holdTypes: string): void {
  engine.requireUp();
  const job = engine.lookup(id);
  engine.ownerOrPrivileged(caller, job);
  if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
  checkHoldPrivilege(engine, caller, job, holdTypes);
  if (job.state === "E") throw new SimError(PBSE.BADSTATE, job.id);
  for (const h of holdTypes.replace(/n/g, "")) if (!job.holds.includes(h)) job.holds += h;
  job.holds = canonicalHolds(job.holds);
  const now = engine.now();
  job.mtime = now;
  job.comment = `Job held by ${caller.user} on ${formatCtime(now)}`;
  settle(engine, job);
  afterChange(engine);
}

export function releaseJob(
  engine: EngineState,
  caller: Caller,
  id: string,
  holdTypes: string,
): void {
  engine.requireUp();
  const job = engine.lookup(id);
  engine.ownerOrPrivileged(caller, job);
  if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
  checkHoldPrivilege(engine, caller, job, holdTypes);
  const before = job.holds;
  for (const h of holdTypes) {
    // A dependency hold stays until the dependency is satisfied.
    if (h === "s" && job.waitsOn.length > 0) continue;
    job.holds = job.holds.replace(h, "");
  }
  if (job.holds !== before) {
    job.mtime = engine.now();
    settle(engine, job);
    afterChange(engine);
  }
}

/** u: owner; o: operator; s: manager (PBS's hold permission rules). */
export function checkHoldPrivilege(
  engine: EngineState,
  caller: Caller,
  job: SimJob,
  holdTypes: string,
): void {
  const privilege = engine.privilegeOf(caller.user);
  for (const h of holdTypes) {
    if (h === "o" && privilege === "user") throw new SimError(PBSE.PERM, job.id);
    if (h === "s" && privilege !== "manager") throw new SimError(PBSE.PERM, job.id);
  }
}

export function formatCtime(epoch: number): string {
  const d = new Date(epoch * 1000);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ${
    p(d.getHours())
  }:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}
